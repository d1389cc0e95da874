"""API keys and user accounts in the back office: a key created through the service and shown once, revoked,
never changed; accounts for superusers."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from workspaces import codes, services
from workspaces.admin_base import (
    ReadOnlyInline,
    WorkspaceScopedAdmin,
    WorkspaceScopedChoices,
    WorkspaceScopedInline,
    add_service_errors,
    form_workspace,
)
from workspaces.admin_display import (
    person_column,
)
from workspaces.admin_lists import scope_to_admin_workspace, scoped_list_filter
from workspaces.admin_site import admin_actor
from workspaces.models import ApiKey, User


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdmin):
    """The owner's, as in the API: listing, creating and revoking keys (`api_key_create`, `api_key_revoke`)."""

    view_permission = codes.OWNER
    list_display = ("name", "prefix", "created_by_name", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    list_select_related = ("created_by",)
    fields = ("name",)
    read_fields = ("name", "prefix", "created_by_name", "created_at", "revoked_at")
    actions = ["revoke"]

    created_by_name = person_column("created_by", _("created by"))

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.read_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.read_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a key is revoked, never deleted: documents name it

    def has_revoke_permission(self, request) -> bool:
        return self._allowed(request, codes.OWNER)

    def save_model(self, request, obj, form, change) -> None:
        workspace = self.workspace_of(request, obj)
        api_key, raw = services.api_key_create(
            workspace=workspace, access=admin_actor(request, workspace), name=obj.name
        )
        obj.pk = api_key.pk
        self.message_user(request, _("The new key, shown once: %(key)s") % {"key": raw}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset.select_related("workspace"),
            action=lambda api_key: services.api_key_revoke(
                api_key=api_key, access=admin_actor(request, api_key.workspace)
            ),
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """The accounts, a superuser's page. Django's `is_staff` is not shown: it opens nothing here (who may sign in
    is decided per workspace, `BackOfficeLoginForm`), and a flag that reads "admin access" would mislead."""

    ordering = ("email",)
    list_display = ("email", "name", "is_active", "is_superuser", "date_joined")
    list_filter = ("is_active", "is_superuser")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password", "name")}),
        (_("Access"), {"fields": ("is_active", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


__all__ = [
    "ReadOnlyInline",
    "WorkspaceScopedAdmin",
    "WorkspaceScopedChoices",
    "WorkspaceScopedInline",
    "add_service_errors",
    "form_workspace",
    "scope_to_admin_workspace",
    "scoped_list_filter",
]
