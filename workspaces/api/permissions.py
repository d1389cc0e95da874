"""Which workspace a request acts on, as whom: `resolve_access` and the DRF permission class around it.

Every view goes through `resolve_access` (via `WorkspaceAccess`): a workspace that does not exist is a 404, one the
caller is not a member of a 403, a missing permission a 403 naming it. Membership is read on every request, so a
removed member or a deactivated user loses access at once, not at token expiry.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from workspaces.authentication import MEMBERSHIP_ATTRIBUTE, ApiKeyPrincipal
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.models import Membership, User, Workspace
from workspaces.tenancy import Access, permission_denied


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
    known = getattr(request, MEMBERSHIP_ATTRIBUTE, None)  # read with the user (`JWTAuthentication`)
    if known is not None and target is not None and known.workspace_id == int(target):
        return Access(workspace=known.workspace, user=user, membership=known, api_key=None)
    # Active memberships only: an invitation grants nothing, and is no "only membership" either.
    memberships = Membership.objects.active().select_related("workspace").filter(user=user)
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
