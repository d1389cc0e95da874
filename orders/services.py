"""Orders and the invoices generated from them (PRODUCT.md section 7, seed 003).

Tenancy: every id a caller gives (client, product, tax, order, line item) is looked up inside `workspace`; a
foreign or unknown id is a `NotFoundError` (a line item not on the order: a 400 on its field).
Locking: an invoice and a cancellation lock the order row first (`orders.locks.lock_order`); every change to an
order's lines happens under that lock, so two invoices of one order can never take the same units.
Money: every figure comes from the one totals calculator (`invoicing.calculations.calculate_document`); a line's
absolute discount is shared over its invoices by `orders.calculations.line_discount_share`. No stock moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import limits
from invoicing.calculations import (
    MAX_TAXES_PER_LINE,
    CalculationError,
    DocumentTotals,
    LineInput,
    TaxInput,
    calculate_document,
)
from invoicing.models import Product, Tax
from invoicing.money import has_at_most_places, minor_unit, quantize_money
from orders import error_codes
from orders.calculations import line_discount_share
from orders.locks import lock_order
from orders.models import Order, OrderInvoice, OrderInvoiceLine, OrderLineItem
from orders.zatca import order_signing_for, sign_order_invoice
from workspaces import codes
from workspaces.errors import ApplicationError, ConflictError, NotFoundError, ValidationFailed
from workspaces.models import ActorType, Client, Store, Workspace
from workspaces.tenancy import Access

ORDER_FULLY_INVOICED_MESSAGE = "Order already fully invoiced"  # seed 003's words, never translated
ORDER_NOT_FOUND_MESSAGE = "Order not found"


@dataclass(frozen=True)
class OrderLineRequest:
    """A line of a new order. `tax_ids` None: the product's taxes (none without a product)."""

    name: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    product_id: int | None = None
    tax_ids: Sequence[int] | None = None


@dataclass(frozen=True)
class InvoiceLineRequest:
    line_item_id: int
    quantity: Decimal


@dataclass(frozen=True)
class _Line:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    taxes: Sequence[dict[str, Any]] = field(default_factory=list)


def actor_type(access: Access) -> str:
    if access.api_key is not None:
        return ActorType.API_KEY
    if access.membership is not None and not access.membership.is_owner:
        return ActorType.STAFF
    return ActorType.OWNER  # the owner, or a superuser in the back office


def _totals(lines: Sequence[_Line], currency: str, field_prefix: str = "line_items") -> DocumentTotals:
    inputs = [
        LineInput(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_type="fixed" if line.discount else None,
            discount_value=line.discount,
            taxes=tuple(
                TaxInput(key=tax["id"], rate=Decimal(tax["rate"]), inclusive=tax["inclusive"])
                for tax in line.taxes
            ),
        )
        for line in lines
    ]
    try:
        return calculate_document(lines=inputs, currency=currency)
    except CalculationError as exc:
        name = f"{field_prefix}.{exc.line_index}.{exc.field}" if exc.line_index is not None else field_prefix
        raise ValidationFailed({name: [exc.message]}) from exc


def _resolve_catalogue(
    workspace: Workspace, lines: Sequence[OrderLineRequest]
) -> tuple[dict[int, Product], dict[int, Tax]]:
    """The workspace's products and taxes the lines name, in two queries (three with products' taxes)."""
    product_ids = {line.product_id for line in lines if line.product_id is not None}
    products = {
        product.pk: product
        for product in Product.objects.filter(workspace=workspace, pk__in=product_ids).prefetch_related(
            "taxes"
        )
    }
    if product_ids - products.keys():
        raise NotFoundError(_("Product not found."))
    tax_ids = {tax_id for line in lines for tax_id in (line.tax_ids or ())}
    taxes = (
        {tax.pk: tax for tax in Tax.objects.filter(workspace=workspace, pk__in=tax_ids)} if tax_ids else {}
    )
    if tax_ids - taxes.keys():
        raise NotFoundError(_("Tax not found."))
    return products, taxes


@transaction.atomic
def order_create(
    *,
    workspace: Workspace,
    access: Access,
    client_id: int | None,
    lines: Sequence[OrderLineRequest],
    meta_fields: list[Any],
    store_id: int | None = None,
) -> Order:
    """An open order; its lines copy the taxes named (or the product's), its total comes from the calculator.

    Its invoices are issued by `store_id` (a store of the workspace, else a 404), by default the workspace's first
    store (the lowest id; none in a workspace without a store).

    Each line's `discount` is an absolute amount in the workspace currency's minor digits, at most the line's
    amount (quantity × unit price). A fixed number of queries whatever the number of lines. Needs `orders.manage`.
    """
    access.require(codes.ORDERS_MANAGE)
    client = None
    if client_id is not None:
        client = Client.objects.filter(workspace=workspace, pk=client_id).first()
        if client is None:
            raise NotFoundError(_("Client not found."))
    stores = Store.objects.filter(workspace=workspace)
    store = stores.filter(pk=store_id).first() if store_id is not None else stores.order_by("pk").first()
    if store_id is not None and store is None:
        raise NotFoundError(_("Store not found."))
    if not lines:
        raise ValidationFailed({"line_items": [_("An order needs at least one line item.")]})
    limits.lines_check(len(lines))
    currency = workspace.currency
    places = minor_unit(currency)
    products, taxes = _resolve_catalogue(workspace, lines)
    rows: list[OrderLineItem] = []
    for index, line in enumerate(lines):
        if line.quantity <= 0:
            raise ValidationFailed(
                {f"line_items.{index}.quantity": [_("The quantity must be more than zero.")]}
            )
        if line.unit_price < 0:
            raise ValidationFailed(
                {f"line_items.{index}.unit_price": [_("The unit price must be zero or more.")]}
            )
        if line.discount < 0 or not has_at_most_places(line.discount, places):
            raise ValidationFailed(
                {
                    f"line_items.{index}.discount": [
                        _("The discount must be zero or more, with at most %(places)d decimal places.")
                        % {"places": places}
                    ]
                }
            )
        if line.discount > quantize_money(line.quantity * line.unit_price, currency):
            raise ValidationFailed(
                {f"line_items.{index}.discount": [_("The discount cannot exceed the line amount.")]}
            )
        product = products.get(line.product_id) if line.product_id is not None else None
        if line.tax_ids is not None:
            if len(set(line.tax_ids)) != len(line.tax_ids):
                raise ValidationFailed({f"line_items.{index}.tax_ids": [_("A tax is named twice.")]})
            line_taxes = [taxes[tax_id] for tax_id in line.tax_ids]
        else:
            line_taxes = sorted(product.taxes.all(), key=lambda tax: tax.pk) if product else []
        if len(line_taxes) > MAX_TAXES_PER_LINE:
            raise ValidationFailed(
                {
                    f"line_items.{index}.tax_ids": [
                        _("A line can carry at most %(n)d taxes.") % {"n": MAX_TAXES_PER_LINE}
                    ]
                }
            )
        rows.append(
            OrderLineItem(
                workspace=workspace,
                product=product,
                name=line.name,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                taxes=[tax.snapshot() for tax in line_taxes],
            )
        )
    totals = _totals([_Line(r.quantity, r.unit_price, r.discount, r.taxes) for r in rows], currency)
    order = Order.objects.create(
        workspace=workspace,
        client=client,
        store=store,
        currency=currency,
        total=totals.total,
        meta_fields=meta_fields,
        created_by=access.user,
        created_by_api_key=access.api_key,
        created_by_type=actor_type(access),
    )
    for row in rows:
        row.order = order
    OrderLineItem.objects.bulk_create(rows)
    return order


@transaction.atomic
def order_cancel(*, workspace: Workspace, access: Access, order_id: int) -> Order:
    """Cancels an open order that nothing has been invoiced from (422 otherwise); a cancelled one stays so.

    Locks the order row, so an invoice being created at the same moment either lands first (and the
    cancellation is refused) or sees the order cancelled. Needs `orders.manage`.
    """
    access.require(codes.ORDERS_MANAGE)
    order = lock_order(workspace=workspace, order_id=order_id)
    if order is None:
        raise NotFoundError(ORDER_NOT_FOUND_MESSAGE)
    if order.status == Order.Status.CANCELLED:
        return order
    if OrderInvoice.objects.filter(order=order).exists():
        raise ApplicationError(
            _("Part of this order is already invoiced: it cannot be cancelled."),
            code=error_codes.ORDER_INVOICED,
        )
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at", "updated_at"])
    return order


def _invoice_quantities(
    line_items: Sequence[OrderLineItem], requested: Sequence[InvoiceLineRequest] | None
) -> list[tuple[OrderLineItem, Decimal]]:
    """(line item, quantity) pairs in the order's line order: what remains, or what was asked, checked."""
    if requested is None:
        return [(item, item.remaining_quantity) for item in line_items if item.remaining_quantity > 0]
    if not requested:
        raise ValidationFailed({"line_items": [_("Name at least one line item, or leave lineItems out.")]})
    by_id = {item.pk: item for item in line_items}
    wanted: dict[int, Decimal] = {}
    for index, line in enumerate(requested):
        item = by_id.get(line.line_item_id)
        if item is None:
            raise ValidationFailed(
                {f"line_items.{index}.line_item_id": [_("This is not a line item of this order.")]}
            )
        if item.pk in wanted:
            raise ValidationFailed(
                {f"line_items.{index}.line_item_id": [_("This line item is named twice.")]}
            )
        if line.quantity <= 0:
            raise ValidationFailed(
                {f"line_items.{index}.quantity": [_("The quantity must be more than zero.")]}
            )
        if line.quantity > item.remaining_quantity:
            raise ValidationFailed(
                {
                    f"line_items.{index}.quantity": [
                        _("At most %(remaining)s remain to invoice on this line.")
                        % {"remaining": f"{item.remaining_quantity.normalize():f}"}
                    ]
                }
            )
        wanted[item.pk] = line.quantity
    return [(item, wanted[item.pk]) for item in line_items if item.pk in wanted]


@transaction.atomic
def order_invoice_create(
    *,
    workspace: Workspace,
    access: Access,
    order_id: int,
    lines: Sequence[InvoiceLineRequest] | None,
    meta_fields: list[Any],
) -> OrderInvoice:
    """An invoice for what remains of the order (`lines` None) or for the quantities asked.

    Holds the order row's lock (`lock_order`) from the first read of its lines to the last write, so concurrent
    invoices of one order queue and the later ones see what the earlier took: a unit is never invoiced twice
    (409 "Order already fully invoiced" once nothing remains). A cancelled order is a 422. Totals come from the
    calculator over the order's prices, taxes and each line's share of its discount. No stock moves.
    A fixed number of queries whatever the number of lines. Needs `orders.manage`.

    ZATCA (`orders.zatca`): where the order's store has an onboarded device, the invoice is signed into that
    store's chain before the transaction ends. Locks in the house order: the order, then the device (after the
    checks: a standard invoice's buyer without a complete address is a 400 naming the missing fields, and nothing
    is written), then the writes and the signature; a standard invoice goes to clearance after the commit.
    """
    access.require(codes.ORDERS_MANAGE)
    order = lock_order(workspace=workspace, order_id=order_id)
    if order is None:
        raise NotFoundError(ORDER_NOT_FOUND_MESSAGE)
    if order.status == Order.Status.CANCELLED:
        raise ApplicationError(
            _("This order is cancelled and cannot be invoiced."), code=error_codes.ORDER_CANCELLED
        )
    line_items = list(OrderLineItem.objects.filter(order=order).order_by("pk"))
    if all(item.remaining_quantity <= 0 for item in line_items):
        raise ConflictError(ORDER_FULLY_INVOICED_MESSAGE, code=error_codes.ORDER_FULLY_INVOICED)
    taken = _invoice_quantities(line_items, lines)
    signing = order_signing_for(order)
    shares = [
        line_discount_share(
            discount=item.discount,
            ordered_quantity=item.quantity,
            invoiced_quantity=item.invoiced_quantity,
            invoiced_discount=item.invoiced_discount,
            quantity=quantity,
            unit_price=item.unit_price,
            currency=order.currency,
        )
        for item, quantity in taken
    ]
    totals = _totals(
        [
            _Line(quantity, item.unit_price, share, item.taxes)
            for (item, quantity), share in zip(taken, shares, strict=True)
        ],
        order.currency,
    )
    invoice = OrderInvoice.objects.create(
        workspace=workspace,
        order=order,
        currency=order.currency,
        subtotal=totals.subtotal,
        discount_total=totals.discount_total,
        tax_total=totals.tax_total,
        total=totals.total,
        meta_fields=meta_fields,
        created_by=access.user,
        created_by_api_key=access.api_key,
        created_by_type=actor_type(access),
    )
    OrderInvoiceLine.objects.bulk_create(
        OrderInvoiceLine(
            workspace=workspace,
            invoice=invoice,
            line_item=item,
            quantity=quantity,
            subtotal=line.subtotal,
            discount_amount=line.discount_amount,
            tax_amount=line.tax_amount,
            total=line.total,
        )
        for (item, quantity), line in zip(taken, totals.lines, strict=True)
    )
    for (item, quantity), share in zip(taken, shares, strict=True):
        item.invoiced_quantity += quantity
        item.invoiced_discount += share
    OrderLineItem.objects.bulk_update(
        [item for item, _q in taken], ["invoiced_quantity", "invoiced_discount"]
    )
    order.save(update_fields=["updated_at"])
    if signing is not None:
        sign_order_invoice(signing, invoice, taken, totals)
    return invoice
