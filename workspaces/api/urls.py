from django.urls import path

from workspaces.api import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view()),
    path("auth/token", views.TokenView.as_view()),
    path("auth/token/refresh", views.TokenRefreshView.as_view()),
    path("auth/verify-email", views.VerifyEmailView.as_view()),
    path("me", views.MeView.as_view()),
    path("me/password", views.MePasswordView.as_view()),
    path("me/email-verification", views.MeEmailVerificationView.as_view()),
    path("me/invitations", views.InvitationListView.as_view()),
    path("me/invitations/<id:invitation_id>/accept", views.InvitationAcceptView.as_view()),
    path("me/invitations/<id:invitation_id>/decline", views.InvitationDeclineView.as_view()),
    path("workspace/<id:workspace_id>", views.WorkspaceDetailView.as_view()),
    path("workspace/<id:workspace_id>/staff", views.StaffListView.as_view()),
    path("workspace/<id:workspace_id>/staff/<id:membership_id>", views.StaffDetailView.as_view()),
    path("workspace/<id:workspace_id>/stores", views.StoreListView.as_view()),
    path("workspace/<id:workspace_id>/clients", views.ClientListView.as_view()),
    path("workspace/<id:workspace_id>/clients/<id:client_id>", views.ClientDetailView.as_view()),
    path("workspace/<id:workspace_id>/api-keys", views.ApiKeyListView.as_view()),
    path("workspace/<id:workspace_id>/api-keys/<id:api_key_id>", views.ApiKeyDetailView.as_view()),
]
