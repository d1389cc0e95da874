"""The POS in the back office: the same services as the API, never a second write path."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pos import selectors, services
from pos.models import (
    BusinessSession,
    OrderStatus,
    PosInvoice,
    PosInvoiceDiscount,
    PosInvoiceEvent,
    PosInvoiceItem,
    PosPayment,
)
from pos.receipts import render_receipt
from workspaces import codes
from workspaces.admin import WorkspaceScopedAdmin, WorkspaceScopedInline
from workspaces.admin_site import admin_access, admin_actor
from workspaces.errors import ApplicationError


def _report(modeladmin: admin.ModelAdmin, request: HttpRequest, action, objects) -> None:
    """Runs a service per object, telling the user what succeeded and why anything was refused."""
    done = 0
    for obj in objects:
        try:
            action(obj)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, _("%(count)d done.") % {"count": done}, messages.SUCCESS)


@admin.register(BusinessSession)
class BusinessSessionAdmin(WorkspaceScopedAdmin):
    view_permission = None
    change_permission = codes.POS_SESSIONS_MANAGE
    list_display = (
        "store",
        "business_date",
        "status",
        "opening_cash",
        "closing_cash",
        "opened_at",
        "closed_at",
    )
    list_filter = ("status", ("store", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "business_date"
    fields = ("store", "business_date", "opening_cash")
    readonly_fields = ("status", "closing_cash", "opened_at", "closed_at", "summary")
    actions = ["close_days", "close_days_cancelling_drafts"]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else (*self.fields, *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else (*self.fields, *self.readonly_fields)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        """Opening the day from the admin is the API's `session_open`."""
        access = admin_actor(request, obj.store.workspace)
        session = services.session_open(
            workspace=access.workspace,
            access=access,
            store=obj.store,
            opening_cash=obj.opening_cash,
            business_date=obj.business_date,
        )
        obj.pk = session.pk

    def _close(self, request, queryset, cancel_drafts: bool) -> None:
        _report(
            self,
            request,
            lambda session: services.session_close(
                session=session,
                access=admin_actor(request, session.workspace),
                closing_cash=None,
                cancel_drafts=cancel_drafts,
            ),
            queryset.filter(status=BusinessSession.Status.OPEN),
        )

    @admin.action(description=_("Close the selected days"))
    def close_days(self, request, queryset) -> None:
        self._close(request, queryset, cancel_drafts=False)

    @admin.action(description=_("Close the selected days, cancelling open drafts"))
    def close_days_cancelling_drafts(self, request, queryset) -> None:
        self._close(request, queryset, cancel_drafts=True)


@admin.register(OrderStatus)
class OrderStatusAdmin(WorkspaceScopedAdmin):
    list_display = ("label_ar", "label_en", "color", "position", "is_default")
    list_editable = ("position",)
    search_fields = ("label_ar", "label_en")

    def save_model(self, request, obj, form, change) -> None:
        status = services.order_status_save(
            workspace=obj.workspace if obj.workspace_id else admin_access(request).workspace,
            status=obj if change else None,
            data={name: getattr(obj, name) for name in (*services.ORDER_STATUS_FIELDS, "is_default")},
        )
        obj.pk = status.pk


class ReadOnlyInline(WorkspaceScopedInline):
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class ItemInline(ReadOnlyInline):
    model = PosInvoiceItem
    fields = (
        "name",
        "sku",
        "quantity",
        "unit_price",
        "subtotal",
        "discount_amount",
        "tax_amount",
        "total",
        "note",
    )


class DiscountInline(ReadOnlyInline):
    model = PosInvoiceDiscount
    fields = ("source", "type", "value", "amount", "reason")


class PaymentInline(ReadOnlyInline):
    model = PosPayment
    fields = ("method", "amount", "created_at")


class EventInline(ReadOnlyInline):
    model = PosInvoiceEvent
    fields = ("created_at", "action", "user", "api_key", "data")


@admin.register(PosInvoice)
class PosInvoiceAdmin(WorkspaceScopedAdmin):
    """Invoices are made at the till; here they are read, given an order status, cancelled and printed."""

    view_permission = codes.STORE_ORDERS_MANAGE
    change_permission = codes.STORE_ORDERS_MANAGE
    list_display = (
        "public_id",
        "client",
        "status",
        "order_status",
        "total",
        "business_date",
        "created_at",
        "receipt_link",
    )
    list_filter = (
        "status",
        ("order_status", admin.RelatedOnlyFieldListFilter),
        ("store", admin.RelatedOnlyFieldListFilter),
        "business_date",
    )
    search_fields = ("public_id", "client__name")
    date_hierarchy = "created_at"
    list_select_related = ("client", "order_status")
    inlines = [ItemInline, DiscountInline, PaymentInline, EventInline]
    actions = ["cancel_invoices"]
    fields = (
        "public_id", "status", "order_status", "client", "store", "session", "business_date", "currency",
        "subtotal", "discount_total", "tax_total", "total", "paid_total", "change_due",
        "stock_deducted_at", "completed_at", "cancelled_at", "cancel_reason", "created_by", "created_at",
    )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        # The order status may be set in any status, as `PATCH .../pos/invoices/:id` (PRODUCT.md section 5): the
        # kitchen follows completed orders too. Everything else is written at the till.
        return [name for name in self.fields if name != "order_status"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if "order_status" in form.changed_data:
            services.invoice_set_order_status(
                invoice=obj, access=admin_actor(request, obj.workspace), order_status=obj.order_status
            )

    def save_related(self, request, form, formsets, change) -> None:
        """Inlines are read-only: nothing to save (and the change message reads that no inline row changed)."""
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.display(description=_("receipt"))
    def receipt_link(self, invoice: PosInvoice) -> str:
        url = reverse("admin:pos_posinvoice_receipt", args=[invoice.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, _("Print"))

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="pos_posinvoice_receipt",
            ),
            *super().get_urls(),
        ]

    def receipt_view(self, request: HttpRequest, invoice_id: int) -> HttpResponse:
        scoped = get_object_or_404(self.get_queryset(request).select_related("workspace"), pk=invoice_id)
        invoice = selectors.invoice_for_receipt(workspace=scoped.workspace, invoice_id=invoice_id)
        return HttpResponse(render_receipt(invoice))

    @admin.action(
        description=_("Cancel the selected invoices (a completed one is voided and its stock put back)")
    )
    def cancel_invoices(self, request, queryset) -> None:
        _report(
            self,
            request,
            lambda invoice: services.invoice_cancel(
                invoice=invoice,
                access=admin_actor(request, invoice.workspace),
                reason=str(_("Cancelled in the back office.")),
            ),
            queryset.select_related("workspace"),
        )
