"""The account pages, mounted at `/accounts/` by config/urls.py: `path("accounts/", include("workspaces.urls"))`."""

from django.urls import path

from workspaces import account_views

app_name = "accounts"

urlpatterns = [
    path("verify-email/<str:token>/", account_views.verify_email, name="verify_email"),
]
