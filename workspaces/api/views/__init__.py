"""Workspace and account endpoints (PRODUCT.md section 3)."""

from workspaces.api.views.auth import MePasswordView, MeView, RegisterView, TokenRefreshView, TokenView
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
    "MePasswordView",
    "MeView",
    "RegisterView",
    "StaffDetailView",
    "StaffListView",
    "StoreListView",
    "TokenRefreshView",
    "TokenView",
    "WorkspaceDetailView",
]
