"""Orders in the back office: created and invoiced through the same services as the API, never a second write path.

An order is written once (its lines are what the platform ordered); afterwards it is read, invoiced ("create
invoice" takes what remains) or cancelled. Order invoices are read-only.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from orders import services
from orders.models import Order, OrderInvoice, OrderInvoiceLine, OrderLineItem
from workspaces import codes
from workspaces.admin import ReadOnlyInline, WorkspaceScopedAdmin, WorkspaceScopedInline
from workspaces.admin_base import code_permission
from workspaces.admin_site import admin_access, admin_actor
from workspaces.errors import ApplicationError, ValidationFailed


class LineItemInline(WorkspaceScopedInline):
    """Lines are entered with a new order and read-only afterwards."""

    model = OrderLineItem
    fields = ("product", "name", "quantity", "unit_price", "discount", "invoiced_quantity")
    readonly_fields = ("invoiced_quantity",)
    extra = 1
    can_delete = False

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is None else 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else self.readonly_fields

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
    list_display = ("__str__", "client", "status", "total", "created_at")
    list_filter = ("status", ("client", admin.RelatedOnlyFieldListFilter))
    search_fields = ("id", "client__name", "line_items__name")
    date_hierarchy = "created_at"
    list_select_related = ("client",)
    inlines = [LineItemInline]
    actions = ["create_invoices", "cancel_orders"]
    # As the API's `POST /invoices` and `POST /orders/:id/cancel`.
    has_invoice_permission = code_permission(codes.ORDERS_MANAGE)
    has_cancel_permission = code_permission(codes.ORDERS_MANAGE)
    fields = (
        "client",
        "status",
        "currency",
        "total",
        "meta_fields",
        "cancelled_at",
        "created_by",
        "created_at",
    )
    readonly_fields = (
        "status",
        "currency",
        "total",
        "meta_fields",
        "cancelled_at",
        "created_by",
        "created_at",
    )

    def get_fields(self, request, obj=None):
        return ("client",) if obj is None else self.fields

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
        client = form.cleaned_data.get("client")
        try:
            order = services.order_create(
                workspace=access.workspace,
                access=access,
                client_id=client.pk if client else None,
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


class InvoiceLineInline(ReadOnlyInline):
    model = OrderInvoiceLine
    fields = ("line_item", "quantity", "subtotal", "discount_amount", "tax_amount", "total")


@admin.register(OrderInvoice)
class OrderInvoiceAdmin(WorkspaceScopedAdmin):
    """Read-only: invoices are made from an order (API or the order list's action), never edited."""

    view_permission = codes.ORDERS_MANAGE
    change_permission = codes.ORDERS_MANAGE
    list_display = ("__str__", "order", "total", "created_by", "created_at")
    list_filter = (("order__client", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("id", "order__id")
    date_hierarchy = "created_at"
    list_select_related = ("order", "created_by")
    inlines = [InvoiceLineInline]
    fields = (
        "order", "currency", "subtotal", "discount_total", "tax_total", "total", "meta_fields",
        "created_by", "created_by_api_key", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
