"""Tenancy: which workspace a request acts on, as whom, and with which permission codes.

Every view goes through `resolve_access` (via the `WorkspaceAccess` permission class): a workspace that does not
exist is a 404, one the caller is not a member of a 403, a missing permission a 403 naming it. Membership is read
on every request, so a removed member or a deactivated user loses access at once, not at token expiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from workspaces import codes
from workspaces.api.errors import ApplicationError, NotFoundError
from workspaces.authentication import ApiKeyPrincipal
from workspaces.models import ApiKey, Membership, User, Workspace

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Access:
    """The caller as seen by one workspace."""

    workspace: Workspace
    user: User | None
    membership: Membership | None
    api_key: ApiKey | None

    @property
    def is_owner(self) -> bool:
        return self.membership is not None and self.membership.is_owner

    @property
    def principal_key(self) -> str:
        return f"apikey:{self.api_key.pk}" if self.api_key else f"user:{self.user.pk}"

    def granted(self) -> frozenset[str]:
        if self.api_key is not None:
            return frozenset(codes.PERMISSION_CODES)
        if self.membership is None and self.user is not None and self.user.is_superuser:
            return frozenset(codes.PERMISSION_CODES)  # the back office's superusers; the API has no such path
        return self.membership.granted() if self.membership else frozenset()

    def has(self, code: str | None) -> bool:
        if code is None:
            return True
        if code == codes.OWNER:
            return self.is_owner
        return code in self.granted()


def permission_denied(code: str) -> ApplicationError:
    if code == codes.OWNER:
        message = _("Only the workspace owner may do this.")
    else:
        message = _("You need the permission %(permission)s.") % {"permission": code}
    return ApplicationError(message, code="permission_denied", status=403, details={"permission": code})


def _not_member(workspace_id: int) -> ApplicationError:
    if not Workspace.objects.filter(pk=workspace_id).exists():
        return NotFoundError(_("Workspace not found."))
    return ApplicationError(
        _("You are not a member of this workspace."), code="permission_denied", status=403
    )


def resolve_access(request: Request, workspace_id: int | None) -> Access:
    """The workspace from the path, else the API key, the token's `workspace_id` claim or the only membership."""
    principal = request.user
    if isinstance(principal, ApiKeyPrincipal):
        api_key = principal.api_key
        if workspace_id is not None and workspace_id != api_key.workspace_id:
            raise _not_member(workspace_id)
        return Access(workspace=api_key.workspace, user=None, membership=None, api_key=api_key)

    user: User = principal
    token = request.auth
    claim = token.get("workspace_id") if hasattr(token, "get") else None
    if workspace_id is not None and claim is not None and int(claim) != workspace_id:
        raise _not_member(workspace_id)
    target = workspace_id if workspace_id is not None else claim
    memberships = Membership.objects.select_related("workspace").filter(user=user)
    if target is not None:
        membership = memberships.filter(workspace_id=target).first()
        if membership is None:
            raise _not_member(int(target))
    else:
        found = list(memberships[:2])
        if len(found) != 1:
            raise ApplicationError(
                _("Say which workspace: this account belongs to several."),
                code="workspace_required",
                status=400,
            )
        membership = found[0]
    return Access(workspace=membership.workspace, user=user, membership=membership, api_key=None)


class WorkspaceAccess(BasePermission):
    """Resolves `request.access` and checks the permission code the view needs for this method.

    The view says what it needs with `required_permissions = {"GET": None, "POST": "clients.manage"}`
    (None: any member; `codes.OWNER`: the owner only, never an API key).
    """

    def has_permission(self, request: Request, view) -> bool:
        workspace_id = view.kwargs.get("workspace_id")
        access = resolve_access(request, int(workspace_id) if workspace_id is not None else None)
        request.access = access
        view.access = access
        view.workspace = access.workspace
        needed = view.get_required_permission(request)
        if not access.has(needed):
            raise permission_denied(needed)
        return True


def get_object_or_404(queryset: QuerySet[M], **lookup: object) -> M:
    """A row of the caller's workspace or a 404: `queryset` is already scoped by a selector."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFoundError(
            _("%(model)s not found.") % {"model": queryset.model._meta.verbose_name.capitalize()}
        )
    return obj
