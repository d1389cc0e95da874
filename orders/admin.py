"""Orders in the back office: created and invoiced through the same services as the API, never a second write path.

An order is written once (its lines are what the platform ordered); afterwards it is read, invoiced ("create
invoice" takes what remains) or cancelled. Order invoices are read-only.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoicing.zatca.admin_helpers import document_state
from invoicing.zatca.reads import document_of
from orders import services
from orders.models import Order, OrderInvoice, OrderInvoiceLine, OrderLineItem
from orders.zatca import SOURCE as ZATCA_SOURCE
from workspaces import codes
from workspaces.admin_base import ReadOnlyInline, WorkspaceScopedAdmin, WorkspaceScopedInline, code_permission
from workspaces.admin_display import (
    PlainDecimalsForm,
    actor_column,
    compact_field,
    key_value_lines,
    money_column,
    quantity_column,
    readable_list,
)
from workspaces.admin_site import admin_access, admin_actor
from workspaces.errors import ApplicationError, ValidationFailed


def _currency(modeladmin, obj) -> str:
    return obj.currency


def _parent_currency(inline, obj) -> str:
    return inline.parent_currency


@admin.display(description=_("meta fields"))
def meta_fields_display(document) -> str:
    """What the order platform sent (`[{"key": "event", "value": "عرس"}]`) as lines: "event: عرس"."""
    return readable_list(key_value_lines(document.meta_fields))


class DocumentRowsInline(WorkspaceScopedInline):
    """A document's rows with its currency (`parent_currency`, set per page: inline instances are made per
    request)."""

    parent_currency = ""

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_currency = obj.currency if obj is not None else ""
        return super().get_formset(request, obj, **kwargs)


class LineItemInline(DocumentRowsInline):
    """Lines are entered with a new order and read-only afterwards, printed with the order's currency."""

    model = OrderLineItem
    form = PlainDecimalsForm
    fields = ("product", "name", "quantity", "unit_price", "discount")
    read_fields = (
        "product", "name", "quantity_display", "unit_price_display", "discount_display", "invoiced_quantity_display",
    )  # fmt: skip
    extra = 1
    can_delete = False

    quantity_display = quantity_column("quantity", _("quantity"))
    unit_price_display = money_column("unit_price", _("unit price"), _parent_currency, exact=True)
    discount_display = money_column("discount", _("discount"), _parent_currency)
    invoiced_quantity_display = quantity_column("invoiced_quantity", _("invoiced quantity"))

    widths = {"product": "12em", "name": "14em", "quantity": "5em", "unit_price": "7em", "discount": "6em"}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is None else 0

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        width = self.widths.get(db_field.name)
        return compact_field(field, width) if width else field

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else self.read_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.read_fields

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(WorkspaceScopedAdmin):
    view_permission = codes.ORDERS_MANAGE
    change_permission = codes.ORDERS_MANAGE
    list_display = ("__str__", "client", "status", "total_display", "created_by_name", "created_at")
    list_filter = ("status",)  # clients (a large table) are found by the search
    # An order by its whole number (`=id`: along the primary key, as a sales invoice by its number), its client, or
    # a line's name (along `order_line_name_trgm` on PostgreSQL).
    search_fields = ("=id", "client__name", "line_items__name")
    date_hierarchy = "created_at"
    # Newest first along `(workspace, created_at, id)`, which a month or day of the hierarchy also reads (the id's
    # own order: `created_at` is written with the row).
    ordering = ("-created_at", "-pk")
    list_select_related = ("client", "created_by", "created_by_api_key")
    inlines = [LineItemInline]
    add_fields = ("client", "store")
    actions = ["create_invoices", "cancel_orders"]
    # As the API's `POST /invoices` and `POST /orders/:id/cancel`.
    has_invoice_permission = code_permission(codes.ORDERS_MANAGE)
    has_cancel_permission = code_permission(codes.ORDERS_MANAGE)
    fields = (
        "client",
        "store",
        "status",
        "currency",
        "total_display",
        "meta_fields_display",
        "cancelled_at",
        "created_by_name",
        "created_at",
    )

    total_display = money_column("total", _("total"), _currency)
    created_by_name = actor_column(_("created by"))
    meta_fields_display = staticmethod(meta_fields_display)

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # orders are cancelled, never deleted: their invoices refer to them

    def save_model(self, request, obj, form, change) -> None:
        """Nothing here: a new order is written with its lines by `order_create` in `save_related`."""

    def save_related(self, request, form, formsets, change) -> None:
        if change:
            return  # an order is read-only once made
        access = admin_access(request)
        if access is None:  # a superuser with no workspace of their own: orders belong to one
            raise ApplicationError(_("Switch to a workspace to create an order in it."))
        lines = [
            services.OrderLineRequest(
                name=row["name"],
                quantity=row["quantity"],
                unit_price=row["unit_price"],
                discount=row.get("discount") or Decimal(0),
                product_id=row["product"].pk if row.get("product") else None,
            )
            for formset in formsets
            for row in formset.cleaned_data
            if row and not row.get("DELETE")
        ]
        client, store = form.cleaned_data.get("client"), form.cleaned_data.get("store")
        try:
            order = services.order_create(
                workspace=access.workspace,
                access=access,
                client_id=client.pk if client else None,
                store_id=store.pk if store else None,
                lines=lines,
                meta_fields=[],
            )
        except ValidationFailed as exc:  # name the field and the rule, as the API does
            raise ApplicationError(
                "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in (exc.errors or {}).items())
            ) from exc
        for formset in formsets:  # saved by the service above; the admin's history reads these lists
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        form.instance.pk = order.pk
        form.instance.__dict__.update({k: v for k, v in order.__dict__.items() if not k.startswith("_")})
        form.instance._state.adding = False

    @admin.action(
        description=_("Create an invoice for what remains of the selected orders"), permissions=["invoice"]
    )
    def create_invoices(self, request, queryset) -> None:
        def invoice(order: Order) -> None:
            access = admin_actor(request, order.workspace)
            services.order_invoice_create(
                workspace=order.workspace, access=access, order_id=order.pk, lines=None, meta_fields=[]
            )

        self.run_for_each(
            request, objects=queryset.select_related("workspace").order_by("pk"), action=invoice
        )

    @admin.action(description=_("Cancel the selected orders"), permissions=["cancel"])
    def cancel_orders(self, request, queryset) -> None:
        def cancel(order: Order) -> None:
            access = admin_actor(request, order.workspace)
            services.order_cancel(workspace=order.workspace, access=access, order_id=order.pk)

        self.run_for_each(request, objects=queryset.select_related("workspace").order_by("pk"), action=cancel)


class InvoiceLineInline(DocumentRowsInline, ReadOnlyInline):
    model = OrderInvoiceLine
    fields = (
        "line_name", "quantity_display", "subtotal_display", "discount_display", "tax_display", "total_display",
    )  # fmt: skip

    quantity_display = quantity_column("quantity", _("quantity"))
    subtotal_display = money_column("subtotal", _("subtotal"), _parent_currency)
    discount_display = money_column("discount_amount", _("discount"), _parent_currency)
    tax_display = money_column("tax_amount", _("tax"), _parent_currency)
    total_display = money_column("total", _("total"), _parent_currency)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("line_item")

    @admin.display(description=_("line item"))
    def line_name(self, line: OrderInvoiceLine) -> str:
        return line.line_item.name


@admin.register(OrderInvoice)
class OrderInvoiceAdmin(WorkspaceScopedAdmin):
    """Read-only: invoices are made from an order (API or the order list's action), never edited."""

    view_permission = codes.ORDERS_MANAGE
    change_permission = codes.ORDERS_MANAGE
    list_display = ("__str__", "order", "total_display", "created_by_name", "created_at")
    # By its whole number or its order's (`=`: along their keys), or its order's client (a large table, searched
    # not listed).
    search_fields = ("=id", "=order__id", "order__client__name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")  # as the orders: along `(workspace, created_at, id)`
    list_select_related = ("order", "created_by", "created_by_api_key")
    inlines = [InvoiceLineInline]
    fields = (
        "order", "currency", "subtotal_display", "discount_total_display", "tax_total_display", "total_display",
        "zatca_display", "zatca_xml", "meta_fields_display", "created_by_name", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    subtotal_display = money_column("subtotal", _("subtotal"), _currency)
    discount_total_display = money_column("discount_total", _("discounts"), _currency)
    tax_total_display = money_column("tax_total", _("tax"), _currency)
    total_display = money_column("total", _("total"), _currency)
    created_by_name = actor_column(_("created by"))
    meta_fields_display = staticmethod(meta_fields_display)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("ZATCA"))
    def zatca_display(self, invoice: OrderInvoice) -> str:
        """The invoice's ZATCA document (section 8c): its kind and state linking to its page, and ZATCA's errors
        and warnings; "—" where the order's store signs nothing."""
        return document_state(self._document(invoice))

    @admin.display(description=_("signed XML"))
    def zatca_xml(self, invoice: OrderInvoice) -> str:
        """The signed XML (the bytes that were hashed), from its ZATCA document's page; ZATCA's cleared XML is on
        `GET /invoices/:id/zatca.xml`."""
        document = self._document(invoice)
        if document is None:
            return "—"
        url = reverse("admin:invoicing_zatcadocument_xml", args=[document.pk])
        return format_html('<a href="{}" class="zatca-xml" download>{}</a>', url, gettext("Download the XML"))

    @staticmethod
    def _document(invoice: OrderInvoice):
        """Read once per page (both fields show it)."""
        if "_zatca_document" not in invoice.__dict__:
            invoice._zatca_document = document_of(ZATCA_SOURCE, invoice.pk, invoice.workspace_id)
        return invoice._zatca_document
