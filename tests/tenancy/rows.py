"""The tenancy table: one row per v1 endpoint. Later features add rows here, not code.

`path` uses `{ws}` for the workspace id and `{obj}` for the id of the object that `make` builds in a workspace.
`permission` is the code the endpoint needs (None: any member; "owner": the owner only).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.factories import ClientFactory, MembershipFactory, UserFactory, WorkspaceFactory
from workspaces.models import ApiKey, Membership, User, Workspace


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    permission: str | None
    make: Callable[[Workspace], Any] | None = None
    body: dict[str, Any] | Callable[[Workspace], dict[str, Any]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _staff_membership(workspace: Workspace):
    return MembershipFactory(workspace=workspace, user=UserFactory())


def _invitation(workspace: Workspace):
    """An invitation of this workspace to another account (staff PATCH/DELETE reach invitations too)."""
    return MembershipFactory(workspace=workspace, user=UserFactory(), status=Membership.Status.INVITED)


def _api_key(workspace: Workspace):
    return ApiKey.objects.create(
        workspace=workspace, name="k", prefix="sk_x", key_hash=f"h{workspace.pk}-{id(workspace)}"
    )


ROWS: list[Row] = [
    Row("GET", "/v1/workspace/{ws}", None),
    Row("PATCH", "/v1/workspace/{ws}", "owner", body={"name": "x"}),
    Row("GET", "/v1/workspace/{ws}/staff", "owner"),
    Row(
        "POST",
        "/v1/workspace/{ws}/staff",
        "owner",
        body={"email": "new@example.com", "name": "n", "password": "a-long-pass-99"},
    ),
    Row("PATCH", "/v1/workspace/{ws}/staff/{obj}", "owner", make=_staff_membership, body={"permissions": []}),
    Row("DELETE", "/v1/workspace/{ws}/staff/{obj}", "owner", make=_staff_membership),
    Row("PATCH", "/v1/workspace/{ws}/staff/{obj}", "owner", make=_invitation, body={"adminAccess": True}),
    Row("DELETE", "/v1/workspace/{ws}/staff/{obj}", "owner", make=_invitation),
    Row("GET", "/v1/workspace/{ws}/stores", None),
    Row("POST", "/v1/workspace/{ws}/stores", "owner", body={"name": "Branch"}),
    Row("GET", "/v1/workspace/{ws}/clients", None),
    Row("POST", "/v1/workspace/{ws}/clients", "clients.manage", body={"name": "c"}),
    Row("GET", "/v1/workspace/{ws}/clients/{obj}", None, make=lambda ws: ClientFactory(workspace=ws)),
    Row(
        "PATCH",
        "/v1/workspace/{ws}/clients/{obj}",
        "clients.manage",
        make=lambda ws: ClientFactory(workspace=ws),
        body={"name": "c"},
    ),
    Row(
        "DELETE",
        "/v1/workspace/{ws}/clients/{obj}",
        "clients.manage",
        make=lambda ws: ClientFactory(workspace=ws),
    ),
    Row("GET", "/v1/workspace/{ws}/api-keys", "owner"),
    Row("POST", "/v1/workspace/{ws}/api-keys", "owner", body={"name": "k"}),
    Row("DELETE", "/v1/workspace/{ws}/api-keys/{obj}", "owner", make=_api_key),
]

# Each app's rows live in tests/<app>/tenancy_rows.py (a `ROWS` list); the suite finds them by that name.


# --- Per-user endpoints ---------------------------------------------------------------------------------------
# `/v1/me/*` act on the signed-in user, not on a workspace: `{obj}` is the id of a row `make` builds for a user
# (another user's is a 404, never read or changed). tests/workspaces/test_user_rows.py walks them.


@dataclass(frozen=True)
class UserRow:
    method: str
    path: str
    make: Callable[[User], Any] | None = None
    person_only: bool = True  # an API key is a 403

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _invitation_for(user: User):
    return MembershipFactory(workspace=WorkspaceFactory(), user=user, status=Membership.Status.INVITED)


USER_ROWS: list[UserRow] = [
    UserRow("GET", "/v1/me", person_only=False),
    UserRow("GET", "/v1/me/invitations"),
    UserRow("POST", "/v1/me/invitations/{obj}/accept", make=_invitation_for),
    UserRow("POST", "/v1/me/invitations/{obj}/decline", make=_invitation_for),
    UserRow("POST", "/v1/me/email-verification"),
]
