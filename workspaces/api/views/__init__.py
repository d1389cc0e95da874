"""Workspace and account endpoints (PRODUCT.md section 3)."""

from workspaces.api.views.auth import (
    MeEmailVerificationView,
    MePasswordView,
    MeView,
    RegisterView,
    TokenRefreshView,
    TokenView,
    VerifyEmailView,
)
from workspaces.api.views.invitations import InvitationAcceptView, InvitationDeclineView, InvitationListView
from workspaces.api.views.workspace import (
    ApiKeyDetailView,
    ApiKeyListView,
    ClientDetailView,
    ClientListView,
    StaffDetailView,
    StaffListView,
    StoreListView,
    WorkspaceDetailView,
)

__all__ = [
    "ApiKeyDetailView",
    "ApiKeyListView",
    "ClientDetailView",
    "ClientListView",
    "InvitationAcceptView",
    "InvitationDeclineView",
    "InvitationListView",
    "MeEmailVerificationView",
    "MePasswordView",
    "MeView",
    "RegisterView",
    "StaffDetailView",
    "StaffListView",
    "StoreListView",
    "TokenRefreshView",
    "TokenView",
    "VerifyEmailView",
    "WorkspaceDetailView",
]
