"""The workspace's order statuses in the back office, through the API's services."""

from __future__ import annotations

from django.contrib import admin

from pos import services
from pos.models import OrderStatus
from workspaces import codes
from workspaces.admin_base import WorkspaceScopedAdmin
from workspaces.admin_site import admin_access, admin_actor


@admin.register(OrderStatus)
class OrderStatusAdmin(WorkspaceScopedAdmin):
    """Every member reads the statuses; the owner writes them, through the API's services."""

    view_permission = None
    change_permission = codes.OWNER
    list_display = ("label_ar", "label_en", "color", "position", "is_default")
    list_editable = ("position",)
    list_filter = ("is_default",)
    search_fields = ("label_ar", "label_en")

    def save_model(self, request, obj, form, change) -> None:
        workspace = obj.workspace if obj.workspace_id else admin_access(request).workspace
        status = services.order_status_save(
            workspace=workspace,
            access=admin_actor(request, workspace),
            status=obj if change else None,
            data={name: getattr(obj, name) for name in (*services.ORDER_STATUS_FIELDS, "is_default")},
        )
        obj.pk = status.pk

    def delete_model(self, request, obj) -> None:
        services.order_status_delete(status=obj, access=admin_actor(request, obj.workspace))

    def delete_queryset(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset.select_related("workspace"),
            action=lambda s: self.delete_model(request, s),
        )
