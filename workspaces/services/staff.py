"""Staff and invitations (PRODUCT.md section 3, "Members and their accounts").

A user account is global; a workspace owns only its memberships. Adding staff by a new e-mail creates the account
with the shop's password and an `active` membership. Adding an e-mail that already has an account never attaches
that account by itself: it makes an `invited` membership that grants nothing until the account's holder, with a
verified address, accepts it. So nobody can register someone else's address in advance and be handed a workspace.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from workspaces import codes
from workspaces.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import Membership, Store, User, Workspace
from workspaces.services.common import password_validate
from workspaces.tenancy import Access, require_in_workspace


def _validate_permissions(permissions: list[str]) -> list[str]:
    unknown = sorted(set(permissions) - set(codes.PERMISSION_CODES))
    if unknown:
        raise ValidationFailed(
            {"permissions": [_("Unknown permission codes: %(codes)s") % {"codes": ", ".join(unknown)}]}
        )
    return sorted(set(permissions))


def _already_member() -> ConflictError:
    return ConflictError(
        _("This person is already a member of the workspace or invited to it."), code="already_member"
    )


@transaction.atomic
def staff_create(
    *,
    workspace: Workspace,
    access: Access,
    email: str,
    name: str,
    password: str | None,
    permissions: list[str],
    store: Store | None,
    admin_access: bool,
) -> Membership:
    """Adds a member (owner only). A new e-mail creates its account with `password`: `active` at once. An e-mail
    that has an account already makes an invitation (`invited`; `name` and `password` are not used); an existing
    member or invitation is a 409 `already_member`."""
    access.require(codes.OWNER, workspace_id=workspace.pk)
    permissions = _validate_permissions(permissions)
    require_in_workspace(store, workspace_id=workspace.pk, message=_("Store not found."))
    email = email.strip().lower()
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None:
        if not password:
            raise ValidationFailed({"password": [_("This field is required.")]})
        password_validate(password, User(email=email, name=name))
        user = User.objects.create_user(email=email, password=password, name=name)
        status = Membership.Status.ACTIVE
    elif Membership.objects.filter(workspace=workspace, user=user).exists():
        raise _already_member()
    else:
        status = Membership.Status.INVITED
    try:
        with transaction.atomic():
            return Membership.objects.create(
                workspace=workspace,
                user=user,
                role=Membership.Role.STAFF,
                permissions=permissions,
                store=store,
                admin_access=admin_access,
                status=status,
            )
    except IntegrityError as exc:
        raise _already_member() from exc


@transaction.atomic
def staff_update(*, membership: Membership, access: Access, data: dict[str, Any]) -> Membership:
    """Changes the membership (`permissions`, `store`, `admin_access`: this workspace's own; an invitation's too,
    the offer). `name` and `password` change the global account, so only when its user belongs to this workspace
    alone: otherwise, and always for an invitation, 409 `account_shared` and nothing changes. No request of one
    workspace changes what another one sees."""
    access.require(codes.OWNER, workspace_id=membership.workspace_id)
    user = User.objects.select_for_update().get(pk=membership.user_id)
    account_fields = [name for name in ("name", "password") if name in data]
    if account_fields and (
        not membership.is_active or Membership.objects.filter(user=user).exclude(pk=membership.pk).exists()
    ):
        raise ConflictError(
            _(
                "This person's account is shared with another workspace: only they can change their %(fields)s."
            )
            % {"fields": ", ".join(account_fields)},
            code="account_shared",
        )
    fields = []
    if "permissions" in data:
        membership.permissions = _validate_permissions(data["permissions"])
        fields.append("permissions")
    if "store" in data:
        require_in_workspace(
            data["store"], workspace_id=membership.workspace_id, message=_("Store not found.")
        )
        membership.store = data["store"]
        fields.append("store")
    if "admin_access" in data:
        membership.admin_access = data["admin_access"]
        fields.append("admin_access")
    if "password" in data:
        password_validate(data["password"], user)
        user.set_password(data["password"])
    if "name" in data:
        user.name = data["name"]
    if account_fields:
        user.save()
        membership.user = user
    if fields:
        membership.save(update_fields=[*fields, "updated_at"])
    return membership


@transaction.atomic
def staff_remove(*, membership: Membership, access: Access) -> None:
    """Removes a staff member, or withdraws an invitation. Access ends at once: every request re-reads the
    membership. The owner's own membership is never removed."""
    access.require(codes.OWNER, workspace_id=membership.workspace_id)
    if membership.role == Membership.Role.OWNER:
        raise ApplicationError(
            _("The owner's membership cannot be removed."), code="permission_denied", status=403
        )
    membership.delete()


# --- The invitee's side --------------------------------------------------------------------------------------


def _invitation_of(*, user: User, invitation_id: int) -> Membership:
    """The user's own invitation, locked; another user's, an accepted one or an unknown id is a 404."""
    invitation = (
        Membership.objects.invited()
        .select_related("workspace")
        .select_for_update(of=("self",))
        .filter(pk=invitation_id, user=user)
        .first()
    )
    if invitation is None:
        raise NotFoundError(_("Invitation not found."))
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation_id: int) -> Membership:
    """The invitee joins: the membership becomes `active` with the permissions it was offered. Needs a verified
    e-mail address (403 `email_not_verified`): whoever registered an address without its mailbox cannot."""
    invitation = _invitation_of(user=user, invitation_id=invitation_id)
    if not user.email_verified:
        raise ApplicationError(
            _("Verify your e-mail address before accepting an invitation."),
            code="email_not_verified",
            status=403,
        )
    invitation.status = Membership.Status.ACTIVE
    invitation.save(update_fields=["status", "updated_at"])
    return invitation


@transaction.atomic
def invitation_decline(*, user: User, invitation_id: int) -> Membership:
    """The invitee says no: the invitation is deleted (the shop may invite again). Returns it as it was."""
    invitation = _invitation_of(user=user, invitation_id=invitation_id)
    invitation_id = invitation.pk
    invitation.delete()
    invitation.pk = invitation_id
    return invitation
