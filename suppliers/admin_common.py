"""What the supplier admins share: their base (the API's codes, the suppliers section on), their style, the
currency of an invoice and of a payment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from suppliers.models import SupplierInvoice, SupplierPayment
from workspaces import codes
from workspaces.admin_base import WorkspaceScopedAdmin, code_permission
from workspaces.admin_site import admin_access
from workspaces.errors import ApplicationError

STYLE = {"all": ["pos/backoffice.css", "suppliers/backoffice.css"]}


def invoice_currency(modeladmin, invoice: SupplierInvoice) -> str:
    return invoice.currency


def payment_currency(modeladmin, payment: SupplierPayment) -> str:
    return payment.invoice.currency


class SuppliersAdmin(WorkspaceScopedAdmin):
    """The API's codes, and the workspace's suppliers section must be on."""

    view_permission = codes.SUPPLIERS_VIEW
    change_permission = codes.SUPPLIERS_MANAGE
    change_list_template = "suppliers/admin/change_list.html"
    has_aging_permission = code_permission(codes.SUPPLIERS_VIEW)  # as the API's aging report

    class Media:
        css = STYLE

    def changelist_view(self, request, extra_context=None):
        """The lists link to the aging report (object tools)."""
        extra = dict(extra_context or {})
        if self.has_aging_permission(request):
            extra["aging_url"] = reverse("admin:suppliers_supplierinvoice_aging")
        return super().changelist_view(request, extra)

    def _allowed(self, request: HttpRequest, code: str | None, obj=None) -> bool:
        if not request.user.is_superuser:
            access = admin_access(request)
            if access is None or not access.workspace.suppliers_enabled:
                return False
        return super()._allowed(request, code, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """A supplier or an invoice is picked on another's form (or added), never changed or deleted from it."""
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        if isinstance(widget, RelatedFieldWidgetWrapper):
            widget.can_change_related = widget.can_delete_related = False
        return formfield

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
