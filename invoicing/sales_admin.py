"""The api2 sales invoices in the back office: added, edited while drafts and issued through the same services as
the API (`invoicing.services.sales_invoices`); an issued invoice is read-only, without save buttons."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from invoicing.invoice_print import invoice_for_print, render_sales_invoice
from invoicing.models import Invoice, InvoiceItem, InvoicePayment
from invoicing.services.sales_invoice_zatca import SOURCE as SALES_SOURCE
from invoicing.services.sales_invoices import (
    SalesInvoiceLine,
    sales_invoice_create,
    sales_invoice_issue,
    sales_invoice_update_draft,
)
from invoicing.zatca.admin_helpers import document_state
from invoicing.zatca.reads import document_of
from workspaces import codes
from workspaces.admin_base import ReadOnlyInline, WorkspaceScopedAdmin, WorkspaceScopedInline, code_permission
from workspaces.admin_display import (
    PlainDecimalsForm,
    actor_column,
    compact_field,
    money_column,
    quantity_column,
)
from workspaces.admin_lists import related_filter
from workspaces.admin_site import admin_access, admin_actor
from workspaces.dates import workspace_today
from workspaces.errors import ApplicationError, ValidationFailed
from workspaces.templatetags.backoffice import format_money, format_quantity

HEADER_FIELDS = (
    "client", "store", "currency", "date", "discount", "discount_amount", "notes", "po_number", "is_offline",
)  # fmt: skip
# An issued invoice's header, read-only: the discount and its amount printed, not as stored (`0.0000`).
HEADER_DISPLAY = tuple(
    {"discount": "discount_display", "discount_amount": "discount_amount_display"}.get(name, name)
    for name in HEADER_FIELDS
)
SUMMARY_FIELDS = (
    "subtotal_display", "discount_total_display", "tax_display", "total_display", "paid_display", "unpaid_display",
)  # fmt: skip
ITEM_FIELDS = (
    "product", "quantity", "unit_price", "discount", "discount_type", "tax1", "tax2", "col_3", "col_4", "col_5",
)  # fmt: skip
# The width of each item input: a draft's row fits 1400 px beside the navigation.
ITEM_WIDTHS = {
    "product": "9em", "quantity": "4em", "unit_price": "5em", "discount": "4em", "discount_type": "6em",
    "tax1": "5.5em", "tax2": "5.5em", "col_3": "4em", "col_4": "4em", "col_5": "4em",
}  # fmt: skip


def _invoice_currency(modeladmin, obj) -> str:
    return obj.currency


def _parent_currency(inline, obj) -> str:
    return inline.parent_currency


class InvoiceRowsMixin:
    """An inline that knows its invoice's currency (`parent_currency`, set per page: inline instances are made per
    request)."""

    parent_currency = ""

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_currency = obj.currency if obj is not None else ""
        return super().get_formset(request, obj, **kwargs)


class SalesInvoiceItemInline(InvoiceRowsMixin, WorkspaceScopedInline):
    """Items: editable on a new invoice and on a draft (the parent's change permission says which), with the line's
    figures as printed; an issued invoice's items are read as written, the document's figures printed."""

    model = InvoiceItem
    form = PlainDecimalsForm
    fields = (*ITEM_FIELDS, "total_display")
    readonly_fields = ("total_display",)
    # An issued invoice: the line as printed, taxes and the free columns in one cell each (fits 1400 px).
    read_fields = (
        "product", "quantity_display", "unit_price_display", "discount_display", "taxes_display", "columns_display",
        "subtotal_display", "discount_amount_display", "tax_display", "total_display",
    )  # fmt: skip

    quantity_display = quantity_column("quantity", _("quantity"))
    unit_price_display = money_column("unit_price", _("unit price"), _parent_currency, exact=True)
    subtotal_display = money_column("subtotal", _("subtotal"), _parent_currency)
    discount_amount_display = money_column("discount_amount", _("discount amount"), _parent_currency)
    tax_display = money_column("tax_amount", _("tax"), _parent_currency)
    total_display = money_column("total", _("total"), _parent_currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product", "tax1", "tax2")

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is None else 0

    def get_fields(self, request, obj=None):
        if obj is not None and not obj.draft:
            return self.read_fields
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.draft:
            return self.read_fields
        return self.readonly_fields

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        width = ITEM_WIDTHS.get(db_field.name)
        return compact_field(field, width) if width else field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Products and taxes of the chosen workspace only."""
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        access = admin_access(request)
        if field is not None and access is not None and not request.user.is_superuser:
            field.queryset = field.queryset.filter(workspace=access.workspace)
        return field

    @admin.display(description=_("discount"))
    def discount_display(self, item: InvoiceItem) -> str:
        if not item.discount:
            return "—"
        if item.discount_type == InvoiceItem.DiscountType.PERCENT:
            return f"{format_quantity(item.discount)}%"
        return format_money(item.discount, self.parent_currency, exact=True)

    @admin.display(description=_("taxes"))
    def taxes_display(self, item: InvoiceItem) -> str:
        return ", ".join(str(tax) for tax in (item.tax1, item.tax2) if tax is not None) or "—"

    @admin.display(description=_("other columns"))
    def columns_display(self, item: InvoiceItem) -> str:
        return " · ".join(value for value in (item.col_3, item.col_4, item.col_5) if value) or "—"


class SalesInvoicePaymentInline(InvoiceRowsMixin, ReadOnlyInline):
    """Payments come with a non-draft invoice through api2; here they are read."""

    model = InvoicePayment
    fields = ("method_display", "amount_display", "date", "created_at")
    amount_display = money_column("amount", _("amount"), _parent_currency)

    @admin.display(description=_("payment method"))
    def method_display(self, payment: InvoicePayment) -> str:
        return payment.method_label


def _api2_message(error: ValidationFailed) -> str:
    """The service names fields as api2 does (`InvoiceItem.0.quantity`); the admin shows them in one message."""
    return "; ".join(f"{field}: {messages_[0]}" for field, messages_ in (error.errors or {}).items())


@admin.register(Invoice)
class SalesInvoiceAdmin(WorkspaceScopedAdmin):
    view_permission = codes.INVOICES_MANAGE
    change_permission = codes.INVOICES_MANAGE
    form = PlainDecimalsForm
    # The currency is written beside the amounts only where it is not the workspace's (the list fits 1400 px).
    list_display = ("number_listed", "client", "store", "date", "total_listed", "paid_listed")
    # The workspace's stores; clients (a large table) are found by the search, not offered as a filter.
    list_filter = ("draft", ("store", related_filter(_("store"))), "date")
    search_fields = ("=number", "po_number", "client__name", "notes")
    date_hierarchy = "date"
    list_select_related = ("client", "store", "workspace")
    # Along the `(workspace, [draft | store,] -date, -id)` indexes, which the filters and the hierarchy also read.
    ordering = ("-date", "-pk")
    inlines = [SalesInvoiceItemInline, SalesInvoicePaymentInline]
    actions = ["issue_drafts"]
    has_issue_permission = code_permission(codes.INVOICES_MANAGE)  # as api2's POST of an issued invoice

    subtotal_display = money_column("summary_subtotal", _("subtotal"), _invoice_currency)
    discount_total_display = money_column("summary_discount", _("discounts"), _invoice_currency)
    tax_display = money_column("summary_tax", _("tax"), _invoice_currency)
    total_display = money_column("summary_total", _("total"), _invoice_currency)
    paid_display = money_column("summary_paid", _("paid"), _invoice_currency)
    unpaid_display = money_column("summary_unpaid", _("unpaid"), _invoice_currency)
    discount_amount_display = money_column("discount_amount", _("discount amount"), _invoice_currency)
    created_by_name = actor_column(_("created by"))

    @admin.display(description=_("number"), ordering="number")
    def number_listed(self, invoice: Invoice) -> str:
        """The number, and "draft" beside a draft's (the list fits 1400 px without a column for it)."""
        if invoice.draft:
            return format_html('<span dir="ltr">{}</span> ({})', invoice.no, _("draft"))
        return self.no(invoice)

    @admin.display(description=_("total"), ordering="summary_total")
    def total_listed(self, invoice: Invoice) -> str:
        return self._listed(invoice, invoice.summary_total)

    @admin.display(description=_("paid"), ordering="summary_paid")
    def paid_listed(self, invoice: Invoice) -> str:
        return self._listed(invoice, invoice.summary_paid)

    @staticmethod
    def _listed(invoice: Invoice, amount: Decimal) -> str:
        text = format_money(amount, invoice.currency)
        return text if invoice.currency == invoice.workspace.currency else f"{text} {invoice.currency}"

    @admin.display(description=_("discount (%)"))
    def discount_display(self, invoice: Invoice) -> str:
        return format_quantity(invoice.discount)

    @admin.display(description=_("number"), ordering="number")
    def no(self, invoice: Invoice) -> str:
        return format_html('<span dir="ltr">{}</span>', invoice.no)

    @admin.display(description=_("ZATCA"))
    def zatca_display(self, invoice: Invoice) -> str:
        """The invoice's ZATCA document (section 8c): its kind and state, ZATCA's errors and warnings, and a link to
        its page (its QR and XML); "—" where the store signs nothing."""
        return document_state(document_of(SALES_SOURCE, invoice.pk, invoice.workspace_id))

    @admin.display(description=_("printed invoice"))
    def print_link(self, invoice: Invoice) -> str:
        """The printed A4 invoice (a standard one once ZATCA cleared it; until then the page says why)."""
        url = reverse("admin:invoicing_invoice_print", args=[invoice.pk])
        return format_html('<a href="{}" target="_blank" class="invoice-print">{}</a>', url, _("Print"))

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="invoicing_invoice_print",
            ),
            *super().get_urls(),
        ]

    def print_view(self, request: HttpRequest, invoice_id: int) -> HttpResponse:
        """The printed invoice of the admin's workspace, read as api2's `GET /api2/invoices/:id` (`invoices.manage`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        scoped = get_object_or_404(self.get_queryset(request).select_related("workspace"), pk=invoice_id)
        invoice = invoice_for_print(workspace=scoped.workspace, invoice_id=invoice_id)
        if invoice is None:
            raise Http404
        document = document_of(SALES_SOURCE, invoice.pk, invoice.workspace_id)
        return HttpResponse(render_sales_invoice(invoice, document))

    def get_fields(self, request, obj=None):
        workspace = ("workspace",) if request.user.is_superuser and obj is None else ()
        if obj is None:
            return (*workspace, *HEADER_FIELDS, "draft")
        header = HEADER_FIELDS if obj.draft else HEADER_DISPLAY
        zatca = () if obj.draft else ("zatca_display",)
        printed = () if obj.draft else ("print_link",)
        return ("no", *printed, *header, "draft", *SUMMARY_FIELDS, *zatca, "created_by_name", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if obj.draft:  # a draft is issued by the action, which takes its stock
            return ("no", "draft", *SUMMARY_FIELDS, "created_by_name", "created_at")
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
