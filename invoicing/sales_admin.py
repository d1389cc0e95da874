"""The api2 sales invoices in the back office: added, edited while drafts and issued through the same services as
the API (`invoicing.services.sales_invoices`); an issued invoice is read-only, without save buttons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from invoicing.models import Invoice, InvoiceItem, InvoicePayment
from invoicing.services.sales_invoices import (
    SalesInvoiceLine,
    sales_invoice_create,
    sales_invoice_issue,
    sales_invoice_update_draft,
)
from workspaces import codes
from workspaces.admin import ReadOnlyInline, WorkspaceScopedAdmin, WorkspaceScopedInline
from workspaces.admin_base import code_permission
from workspaces.admin_site import admin_access, admin_actor
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, ValidationFailed

HEADER_FIELDS = (
    "client", "store", "currency", "date", "discount", "discount_amount", "notes", "po_number", "is_offline",
)  # fmt: skip
SUMMARY_FIELDS = (
    "summary_subtotal", "summary_discount", "summary_tax", "summary_total", "summary_paid", "summary_unpaid",
)  # fmt: skip
ITEM_FIELDS = (
    "product", "quantity", "unit_price", "discount", "discount_type", "tax1", "tax2", "col_3", "col_4", "col_5",
)  # fmt: skip


class SalesInvoiceItemInline(WorkspaceScopedInline):
    """Items: editable on a new invoice and on a draft (the parent's change permission says which)."""

    model = InvoiceItem
    fields = (*ITEM_FIELDS, "subtotal", "discount_amount", "tax_amount", "total")
    readonly_fields = ("subtotal", "discount_amount", "tax_amount", "total")

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is None else 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Products and taxes of the chosen workspace only."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        access = admin_access(request)
        if field is not None and access is not None and not request.user.is_superuser:
            field.queryset = field.queryset.filter(workspace=access.workspace)
        return field


class SalesInvoicePaymentInline(ReadOnlyInline):
    """Payments come with a non-draft invoice through api2; here they are read."""

    model = InvoicePayment
    fields = ("payment_method", "amount", "date", "created_at")


def _api2_message(error: ValidationFailed) -> str:
    """The service names fields as api2 does (`InvoiceItem.0.quantity`); the admin shows them in one message."""
    return "; ".join(f"{field}: {messages_[0]}" for field, messages_ in (error.errors or {}).items())


@admin.register(Invoice)
class SalesInvoiceAdmin(WorkspaceScopedAdmin):
    view_permission = codes.INVOICES_MANAGE
    change_permission = codes.INVOICES_MANAGE
    list_display = ("no", "client", "store", "date", "draft", "currency", "summary_total", "summary_paid")
    list_filter = (
        "draft",
        ("store", admin.RelatedOnlyFieldListFilter),
        ("client", admin.RelatedOnlyFieldListFilter),
        "date",
    )
    search_fields = ("=number", "po_number", "client__name", "notes")
    date_hierarchy = "date"
    list_select_related = ("client", "store")
    ordering = ("-pk",)
    inlines = [SalesInvoiceItemInline, SalesInvoicePaymentInline]
    actions = ["issue_drafts"]
    has_issue_permission = code_permission(codes.INVOICES_MANAGE)  # as api2's POST of an issued invoice

    def get_fields(self, request, obj=None):
        workspace = ("workspace",) if request.user.is_superuser and obj is None else ()
        if obj is None:
            return (*workspace, *HEADER_FIELDS, "draft")
        return (
            "no",
            *HEADER_FIELDS,
            "draft",
            *SUMMARY_FIELDS,
            "created_by",
            "created_by_api_key",
            "created_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.draft:  # a draft is issued by the action, which takes its stock
            return ("no", "draft", *SUMMARY_FIELDS, "created_by", "created_by_api_key", "created_at")
        return self.get_fields(request, obj)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        access = admin_access(request)
        if access is None:
            return {}
        return {
            "currency": access.workspace.currency,
            "date": workspace_today(access.workspace),
            "draft": True,
        }

    def has_change_permission(self, request, obj=None) -> bool:
        """An issued invoice is read-only: no save buttons, no editable inline."""
        if obj is not None and not obj.draft:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        """Nothing is written here: `save_related` hands the invoice and its items to the service at once."""

    def save_related(self, request, form, formsets, change) -> None:
        item_formset = next(fs for fs in formsets if fs.model is InvoiceItem)
        for formset in formsets:  # the service wrote the rows; the admin's change message reads these
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        data = form.cleaned_data
        workspace = form.instance.workspace if change or request.user.is_superuser else None
        access = admin_actor(request, workspace or admin_access(request).workspace)
        header = {
            "client_id": data["client"].pk,
            "store_id": data["store"].pk,
            "lines": self._lines(item_formset),
            "currency": data["currency"],
            "date": data["date"],
            "discount": data.get("discount") or Decimal(0),
            "discount_amount": data.get("discount_amount") or Decimal(0),
            "notes": data.get("notes"),
            "po_number": data.get("po_number"),
            "is_offline": bool(data.get("is_offline")),
        }
        try:
            if change:
                invoice = sales_invoice_update_draft(invoice=form.instance, access=access, **header)
            else:
                invoice = sales_invoice_create(
                    workspace=access.workspace, access=access, draft=bool(data.get("draft")), **header
                )
        except ValidationFailed as exc:
            raise ApplicationError(_api2_message(exc)) from exc
        form.instance.pk, form.instance.number = invoice.pk, invoice.number
        form.instance._state.adding = False

    @staticmethod
    def _lines(formset) -> list[SalesInvoiceLine]:
        lines = []
        for item_form in formset.forms:
            data = item_form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            lines.append(
                SalesInvoiceLine(
                    product_id=data["product"].pk,
                    quantity=data["quantity"],
                    unit_price=data["unit_price"],
                    discount=data.get("discount") or Decimal(0),
                    discount_type=data.get("discount_type") or InvoiceItem.DiscountType.PERCENT,
                    tax1_id=data["tax1"].pk if data.get("tax1") else None,
                    tax2_id=data["tax2"].pk if data.get("tax2") else None,
                    col_3=data.get("col_3"),
                    col_4=data.get("col_4"),
                    col_5=data.get("col_5"),
                )
            )
        return lines

    @admin.action(
        description=_("Issue the selected drafts (their stock leaves the store)"), permissions=["issue"]
    )
    def issue_drafts(self, request, queryset) -> None:
        done = 0
        for invoice in queryset.filter(draft=True).select_related("workspace").order_by("pk"):
            try:
                sales_invoice_issue(invoice=invoice, access=admin_actor(request, invoice.workspace))
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{invoice}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d issued.") % {"count": done}, messages.SUCCESS)
