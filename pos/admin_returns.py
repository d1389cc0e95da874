"""Returns (credit notes, PRODUCT.md section 8a) in the back office: their list and read-only pages with the printed
credit note, and on a completed sale's page its returns and the "Return items" page, which calls the API's own
service (`pos.services.return_create`) with the admin's acting principal. A refusal is a message, never a 500."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pos import return_selectors, services
from pos.admin_inlines import ItemInline, LineInline
from pos.credit_note_print import PAPERS, render_credit_note
from pos.models import PosInvoice, PosInvoiceItem, PosPayment, PosReturn, PosReturnItem
from pos.services.returns import REASON_MAX_LENGTH, ReturnLineInput
from workspaces import codes
from workspaces.admin_base import WorkspaceScopedAdmin, add_service_errors, code_permission
from workspaces.admin_display import actor_column, money_column, related_column
from workspaces.admin_lists import related_filter
from workspaces.admin_site import admin_actor
from workspaces.errors import ApplicationError
from workspaces.templatetags.backoffice import format_money, format_quantity, ltr

if TYPE_CHECKING:
    from pos.admin import PosInvoiceAdmin


def _currency(modeladmin, obj) -> str:
    return obj.currency


def refunds_text(pos_return: PosReturn) -> str:
    """The refunds by method as the page reads them: "Cash 10.00, Card 5.00"."""
    methods = dict(PosPayment.Method.choices)
    return (
        ", ".join(
            f"{methods.get(refund['method'], refund['method'])} {format_money(refund['amount'], pos_return.currency)}"
            for refund in pos_return.refunds
        )
        or "—"
    )


def print_links(pos_return: PosReturn) -> str:
    """The printed credit note on an 80 mm roll and on an A4 page, each in a new tab."""
    url = reverse("admin:pos_posreturn_print", args=[pos_return.pk])
    return format_html(
        '<a href="{}?paper=80mm" target="_blank" class="print-80mm">{}</a> · '
        '<a href="{}?paper=a4" target="_blank" class="print-a4">{}</a>',
        url,
        _("Print (80 mm)"),
        url,
        _("Print (A4)"),
    )


class ReturnItemInline(LineInline):
    """The returned lines, read-only as written."""

    model = PosReturnItem
    fields = ("item_name", "quantity_display", "unit_price_display", "subtotal_display", "discount_display",
              "tax_display", "total_display")  # fmt: skip


@admin.register(PosReturn)
class PosReturnAdmin(WorkspaceScopedAdmin):
    """Credit notes are made from a completed sale's page ("Return items") or through the API; here they are read
    and printed, never added, changed or deleted (a credit note is never edited). Reading them needs
    `store.orders.manage`, as the API's list."""

    view_permission = codes.STORE_ORDERS_MANAGE
    change_permission = codes.STORE_ORDERS_MANAGE
    list_display = ("public_id", "invoice_link", "store_name", "business_date", "total_display", "refunds_display",
                    "created_by_name", "created_at")  # fmt: skip
    list_filter = (("store", related_filter(_("store"))), "business_date")
    search_fields = ("public_id", "invoice__public_id")
    search_help_text = _("Search by credit note number or sale number.")
    date_hierarchy = "created_at"
    # Newest first along the `(workspace, created_at, id)` index, which a day or a month of the hierarchy reads too.
    ordering = ("-created_at", "-pk")
    list_select_related = ("invoice", "store", "created_by", "created_by_api_key")
    inlines = [ReturnItemInline]
    fields = ("public_id", "print_links_display", "invoice_link", "client_name", "store_name", "session_link",
              "business_date", "currency", "reason", "subtotal_display", "discount_total_display",
              "tax_total_display", "total_display", "refunds_display", "created_by_name", "created_at")  # fmt: skip
    readonly_fields = fields

    subtotal_display = money_column("subtotal", _("subtotal"), _currency)
    discount_total_display = money_column("discount_total", _("discounts"), _currency)
    tax_total_display = money_column("tax_total", _("tax"), _currency)
    total_display = money_column("total", _("total"), _currency)
    store_name = related_column("store", _("store"))
    created_by_name = actor_column(_("created by"))

    class Media:
        css = {"all": ["pos/backoffice.css"]}

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related(*self.list_select_related)

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        """The change page's return, with what its fields show (the sale's client, the day's store)."""
        queryset = self.get_queryset(request).select_related("invoice__client", "session__store")
        return queryset.filter(pk=object_id).first() if str(object_id).isdigit() else None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("sale"), ordering="invoice__public_id")
    def invoice_link(self, pos_return: PosReturn) -> str:
        url = reverse("admin:pos_posinvoice_change", args=[pos_return.invoice_id])
        return format_html('<a href="{}">{}</a>', url, pos_return.invoice.public_id)

    @admin.display(description=_("client"))
    def client_name(self, pos_return: PosReturn) -> str:
        client = pos_return.invoice.client  # none for a sale a till made offline without one (section 8d)
        return "—" if client is None else client.name

    @admin.display(description=_("business session"))
    def session_link(self, pos_return: PosReturn) -> str:
        url = reverse("admin:pos_businesssession_change", args=[pos_return.session_id])
        return format_html('<a href="{}">{}</a>', url, pos_return.session)

    @admin.display(description=_("refunds"))
    def refunds_display(self, pos_return: PosReturn) -> str:
        return refunds_text(pos_return)

    @admin.display(description=_("credit note"))
    def print_links_display(self, pos_return: PosReturn) -> str:
        return print_links(pos_return)

    def get_urls(self):
        return [
            path(
                "<int:return_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="pos_posreturn_print",
            ),
            *super().get_urls(),
        ]

    def print_view(self, request: HttpRequest, return_id: int) -> HttpResponse:
        """The printed credit note, as the API's `GET .../pos/returns/:id/receipt` (`?paper=a4` for an A4 page)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        scoped = get_object_or_404(self.get_queryset(request).select_related("workspace"), pk=return_id)
        pos_return = return_selectors.return_for_print(workspace=scoped.workspace, return_id=return_id)
        paper = request.GET.get("paper", "80mm")
        return HttpResponse(render_credit_note(pos_return, paper if paper in PAPERS else "80mm"))


# --- On a completed sale's page: its returns and the "Return items" page --------------------------------------


class InvoiceReturnsMixin:
    """What `PosInvoiceAdmin` shows and offers of returns: the returned total and the returns of the sale (read-only
    fields named in `RETURN_FIELDS`), and the "Return items" button and page, which need `pos.invoices.void`."""

    change_form_template = "pos/admin/invoice_change_form.html"
    has_return_permission = code_permission(codes.POS_INVOICES_VOID)
    returned_total_display = money_column("returned_total", _("returned"), _currency)

    @admin.display(description=_("returns"))
    def returns_list(self, invoice: PosInvoice) -> str:
        """The sale's credit notes, each linked to its page: one query."""
        returns = list(invoice.returns.order_by("pk"))
        if not returns:
            return "—"
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:pos_posreturn_change", args=[pos_return.pk]),
                    pos_return.public_id,
                    f"{pos_return.business_date:%Y-%m-%d}",
                    format_money(pos_return.total, pos_return.currency),
                    pos_return.reason,
                )
                for pos_return in returns
            ),
        )
        return format_html('<table class="invoice-returns">{}</table>', rows)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_return"] = (
            obj is not None
            and obj.status == PosInvoice.Status.COMPLETED
            and self.has_return_permission(request)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<int:invoice_id>/return/",
                self.admin_site.admin_view(partial(return_items_view, self)),
                name="pos_posinvoice_return",
            ),
            *super().get_urls(),
        ]


RETURN_FIELDS = ("returned_total_display", "returns_list")


class ReturnItemsForm(forms.Form):
    """A quantity per line of the sale (empty: none of it), the reason and how the refund is paid."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("Why the customer brought the items back; it is printed on the credit note."),
    )
    refund_method = forms.ChoiceField(label=_("Refund method"), choices=PosPayment.Method.choices)

    def __init__(self, *args, lines: list[PosInvoiceItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for line in lines:
            left = line.quantity - line.returned_quantity
            self.fields[f"quantity_{line.pk}"] = forms.DecimalField(
                label=line.name,
                required=False,
                disabled=not left,  # all of it already returned
                min_value=0,
                max_digits=15,
                decimal_places=3,
                widget=forms.NumberInput(
                    attrs={"step": "any", "min": "0", "max": format_quantity(left), "style": "width: 7em"}
                ),
            )


def refusal_text(error: ApplicationError) -> str:
    """A refusal as one message: its field errors' own words ("At most 1 of “Coffee” can be returned."), else its
    message."""
    if not error.errors:
        return error.message
    return " ".join(dict.fromkeys(text for texts in error.errors.values() for text in texts))


def return_items_view(modeladmin: PosInvoiceAdmin, request: HttpRequest, invoice_id: int) -> HttpResponse:
    """Return part or all of a completed sale: GET shows each line with its sold and already returned quantity;
    POST makes the credit note through `return_create` and opens it. Needs `pos.invoices.void` (the service checks
    it again)."""
    if not modeladmin.has_return_permission(request):
        raise PermissionDenied
    invoice = get_object_or_404(
        modeladmin.get_queryset(request).select_related("workspace", "client"), pk=invoice_id
    )
    change_url = reverse("admin:pos_posinvoice_change", args=[invoice.pk])
    if invoice.status != PosInvoice.Status.COMPLETED:
        modeladmin.message_user(request, gettext("Only a completed sale can be returned."), messages.ERROR)
        return HttpResponseRedirect(change_url)
    lines = list(invoice.items.select_related("product").order_by("pk"))
    first_payment = invoice.payments.order_by("pk").values_list("method", flat=True).first()
    form = ReturnItemsForm(
        request.POST or None, lines=lines, initial={"refund_method": first_payment or PosPayment.Method.CASH}
    )
    if request.method == "POST" and form.is_valid():
        chosen = [
            ReturnLineInput(item_id=line.pk, quantity=quantity)
            for line in lines
            if (quantity := form.cleaned_data[f"quantity_{line.pk}"])
        ]
        try:
            pos_return = services.return_create(
                invoice=invoice,
                access=admin_actor(request, invoice.workspace),
                reason=form.cleaned_data["reason"],
                items=chosen,
                refund_method=form.cleaned_data["refund_method"],
            )
        except ApplicationError as error:
            fields = {
                f"items.{index}.{name}": f"quantity_{line.item_id}"
                for index, line in enumerate(chosen)
                for name in ("itemId", "quantity")
            }
            add_service_errors(form, error, fields)
            modeladmin.message_user(request, refusal_text(error), messages.ERROR)
        else:
            modeladmin.message_user(
                request,
                gettext("Credit note %(number)s is made: %(amount)s refunded.")
                % {
                    "number": pos_return.public_id,
                    # Isolated left to right: in an Arabic sentence "24.15 SAR" would read "SAR 24.15".
                    "amount": ltr(
                        f"{format_money(pos_return.total, pos_return.currency)} {pos_return.currency}"
                    ),
                },
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:pos_posreturn_change", args=[pos_return.pk]))
    rows = [
        {
            "line": line,
            "name": ItemInline.item_name(None, line),
            "sold": line.quantity,
            "returned": line.returned_quantity,
            "field": form[f"quantity_{line.pk}"],
        }
        for line in lines
    ]
    return TemplateResponse(
        request,
        "pos/admin/return_items.html",
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": gettext("Return items of %(number)s") % {"number": invoice.public_id},
            "invoice": invoice,
            "change_url": change_url,
            "form": form,
            "rows": rows,
            "currency": invoice.currency,
        },
    )
