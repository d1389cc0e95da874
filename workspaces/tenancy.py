"""Tenancy in the domain: the caller as one workspace sees it (`Access`) and its permission codes.

The API resolves an `Access` per request in `workspaces/api/permissions.py`; the admin builds one from the chosen
workspace (`workspaces/admin_site.py`). Services receive it explicitly and never look at a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from workspaces import codes
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.models import ApiKey, Membership, User, Workspace

M = TypeVar("M", bound=Model)


def principal_key(*, user: User | None, api_key: ApiKey | None) -> str:
    """Who acts, as one string (idempotency keys are bound to it): an API key, else a user."""
    return f"apikey:{api_key.pk}" if api_key is not None else f"user:{user.pk}"


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
        return principal_key(user=self.user, api_key=self.api_key)

    def granted(self) -> frozenset[str]:
        if self.api_key is not None:
            return frozenset(codes.PERMISSION_CODES)
        if self.is_back_office_superuser:
            return frozenset(codes.PERMISSION_CODES)
        return self.membership.granted() if self.membership else frozenset()

    @property
    def is_back_office_superuser(self) -> bool:
        """A superuser acting in the admin on a workspace it is not a member of (the API has no such path)."""
        return self.membership is None and self.api_key is None and bool(self.user and self.user.is_superuser)

    def has(self, code: str | None) -> bool:
        if code is None:
            return True
        if code == codes.OWNER:
            return self.is_owner or self.is_back_office_superuser
        return code in self.granted()

    def require(self, code: str | None, *, workspace_id: int | None = None) -> None:
        """A service's own check of the permission its operation needs (PRODUCT.md section 3): whatever door the
        caller came through (API, admin, a command), one without `code` is refused with a 403 naming it. Given the
        workspace of the rows it writes (`workspace_id`), another workspace's is a 404, as if they did not exist."""
        if not self.has(code):
            raise permission_denied(code)
        if workspace_id is not None and workspace_id != self.workspace.pk:
            raise NotFoundError(_("Not found."))


def require_in_workspace(row: Model | None, *, workspace_id: int, message: str) -> None:
    """A row a service is given must belong to the service's workspace: another workspace's row is a
    `NotFoundError` (the API's 404, as if it did not exist), never read or written. `None` (an optional row not
    given) passes."""
    if row is not None and row.workspace_id != workspace_id:
        raise NotFoundError(message)


def permission_denied(code: str) -> ApplicationError:
    if code == codes.OWNER:
        message = _("Only the workspace owner may do this.")
    else:
        message = _("You need the permission %(permission)s.") % {"permission": code}
    return ApplicationError(message, code="permission_denied", status=403, details={"permission": code})


def get_object_or_404(queryset: QuerySet[M], **lookup: object) -> M:
    """A row of the caller's workspace or a 404: `queryset` is already scoped by a selector."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise not_found(queryset.model)
    return obj


def not_found(model: type[Model]) -> NotFoundError:
    """The 404 of a row of `model` the caller's workspace does not have: "Business session not found." """
    return NotFoundError(_("%(model)s not found.") % {"model": model._meta.verbose_name.capitalize()})
