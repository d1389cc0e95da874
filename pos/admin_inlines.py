"""The POS invoice's rows in the back office, read-only as written at the till: items, discounts, payments (amounts
with the invoice's currency's minor digits), and the audit trail read as sentences."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pos.admin_events import event_names, event_sentence
from pos.models import PosInvoiceDiscount, PosInvoiceEvent, PosInvoiceItem, PosPayment, PosReturnItem
from workspaces.admin_base import ReadOnlyInline
from workspaces.admin_display import money_column, quantity_column
from workspaces.templatetags.backoffice import format_money, format_quantity


def _parent_currency(inline, obj) -> str:
    return inline.parent_currency


class InvoiceRowInline(ReadOnlyInline):
    """A row of the invoice shown as written at the till. The inline knows its invoice (`parent_currency`): the
    inline instances are made per request, so this holds one page's invoice."""

    parent_currency = ""

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_currency = obj.currency if obj is not None else ""
        return super().get_formset(request, obj, **kwargs)


class LineInline(InvoiceRowInline):
    """A line of a sale or of a return: its product's name and its figures in the invoice's currency's digits."""

    quantity_display = quantity_column("quantity", _("quantity"))
    unit_price_display = money_column("unit_price", _("unit price"), _parent_currency, exact=True)
    subtotal_display = money_column("subtotal", _("subtotal"), _parent_currency)
    discount_display = money_column("discount_amount", _("discount"), _parent_currency)
    tax_display = money_column("tax_amount", _("tax"), _parent_currency)
    total_display = money_column("total", _("total"), _parent_currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    @admin.display(description=_("name"))
    def item_name(self, item: PosInvoiceItem | PosReturnItem) -> str:
        """The name as sold; in Arabic the product's Arabic name, where it has one."""
        arabic = (get_language() or "").startswith("ar")
        return item.product.name_ar if arabic and item.product.name_ar else item.name


class ItemInline(LineInline):
    model = PosInvoiceItem
    fields = (
        "item_name",
        "sku",
        "quantity_display",
        "unit_price_display",
        "subtotal_display",
        "discount_display",
        "tax_display",
        "total_display",
        "note",
    )


class DiscountInline(InvoiceRowInline):
    model = PosInvoiceDiscount
    fields = ("source", "type", "value_display", "amount_display", "reason")
    amount_display = money_column("amount", _("amount"), _parent_currency)

    @admin.display(description=_("value"))
    def value_display(self, discount: PosInvoiceDiscount) -> str:
        if discount.type == PosInvoiceDiscount.Type.PERCENT:
            return f"{format_quantity(discount.value)}%"
        return format_money(discount.value, self.parent_currency, exact=True)


class PaymentInline(InvoiceRowInline):
    model = PosPayment
    fields = ("method", "amount_display", "paid_at")
    amount_display = money_column("amount", _("amount"), _parent_currency)

    @admin.display(description=_("paid at"))
    def paid_at(self, payment: PosPayment) -> str:
        # A callable's value is printed as it is: local time, formatted like the model's date fields.
        return date_format(timezone.localtime(payment.created_at), "DATETIME_FORMAT")


class EventInline(InvoiceRowInline):
    """The audit trail as sentences ("Sara added 2 × Arabic coffee"): names looked up once per page."""

    model = PosInvoiceEvent
    fields = ("created_at", "sentence")
    verbose_name = _("history")
    verbose_name_plural = _("history")
    names = None

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "api_key")

    def get_formset(self, request, obj=None, **kwargs):
        if obj is not None:
            self.names = event_names(obj, self.get_queryset(request).filter(invoice=obj))
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("what happened"))
    def sentence(self, event: PosInvoiceEvent) -> str:
        return event_sentence(event, self.names)
