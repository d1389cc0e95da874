"""Drafting a POS invoice: create it in the day's session, add and change items and discounts, set its order
status. Every figure comes from the one totals calculator (`invoice_recalculate`).

Lock order: the session (on create, `FOR SHARE`), then the invoice, then the document counter
(`invoicing.numbering`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing import limits
from invoicing.calculations import CalculationError
from invoicing.models import Product
from pos.calculations import invoice_totals
from pos.models import OrderStatus, PosInvoice, PosInvoiceDiscount, PosInvoiceItem
from pos.selectors import keep_rows
from pos.services.common import (
    discounts_changed,
    discounts_of,
    invoice_locked,
    invoice_locked_with_items,
    log_event,
    require_draft,
)
from workspaces import codes
from workspaces.discounts import discount_value_validate
from workspaces.errors import NotFoundError, ValidationFailed
from workspaces.statements import insert
from workspaces.tenancy import Access, require_in_workspace
from workspaces.transactions import atomic


def _write_totals(
    invoice: PosInvoice,
    items: list[PosInvoiceItem],
    discounts: list[PosInvoiceDiscount],
    new_item: PosInvoiceItem | None = None,
) -> None:
    """Every figure of the invoice from the one totals calculator over `items` (and `new_item`, inserted here
    with its figures): lines, discount amounts, totals. Writes only the rows whose figures changed, one bulk
    write per table: a fixed number of queries whatever the number of lines."""
    lines = [*items, new_item] if new_item is not None else items
    limits.lines_check(
        len(lines)
    )  # every way of adding a line ends here; the caller's transaction rolls back
    try:
        totals = invoice_totals(items=lines, discounts=discounts, currency=invoice.currency)
    except CalculationError as exc:
        raise ValidationFailed({exc.field or "items": [str(exc)]}) from exc
    figures = ("subtotal", "discount_amount", "tax_amount", "total")
    changed_items = []
    for item, line in zip(lines, totals.lines, strict=True):
        new = (line.subtotal, line.discount_amount, line.tax_amount, line.total)
        if item is not new_item and tuple(getattr(item, name) for name in figures) != new:
            changed_items.append(item)
        item.subtotal, item.discount_amount, item.tax_amount, item.total = new
    if new_item is not None:
        insert(new_item)
    if changed_items:
        PosInvoiceItem.objects.bulk_update(changed_items, list(figures))
    changed_discounts = []
    for discount, amount in zip(discounts, totals.discounts, strict=True):
        if discount.amount != amount:
            discount.amount = amount
            changed_discounts.append(discount)
    invoice.subtotal = totals.subtotal
    invoice.discount_total = totals.discount_total
    invoice.tax_total = totals.tax_total
    invoice.total = totals.total
    _save_totals(invoice, changed_discounts)
    keep_rows(invoice, items=lines, discounts=discounts, payments=[])  # a draft has no payments


_TOTALS = ("subtotal", "discount_total", "tax_total", "total", "updated_at")
_TOTALS_SET = ", ".join(f'"{name}" = %s' for name in _TOTALS)


def _save_totals(invoice: PosInvoice, changed_discounts: list[PosInvoiceDiscount]) -> None:
    """The invoice's totals and its discounts' new amounts: on PostgreSQL one statement written here (the
    discounts' update, if any, a data-modifying `WITH` of the invoice's; the ORM's `save` would build the same
    UPDATE on every line added), elsewhere one per table."""
    if connection.vendor != "postgresql":
        if changed_discounts:
            PosInvoiceDiscount.objects.bulk_update(changed_discounts, ["amount"])
        invoice.save(update_fields=list(_TOTALS))
        return
    invoice.updated_at = timezone.now()  # `auto_now`, as `save` sets it
    update = f'UPDATE "pos_posinvoice" SET {_TOTALS_SET} WHERE "id" = %s'
    if changed_discounts:
        amounts = ", ".join(["(%s::bigint, %s::numeric)"] * len(changed_discounts))
        update = (
            f'WITH amounts AS (UPDATE "pos_posinvoicediscount" AS d SET "amount" = v.amount FROM (VALUES {amounts}) '
            f'AS v(id, amount) WHERE d."id" = v.id) {update}'
        )
    with connection.cursor() as cursor:
        cursor.execute(
            update,
            [
                *(value for discount in changed_discounts for value in (discount.pk, discount.amount)),
                *(getattr(invoice, name) for name in _TOTALS),
                invoice.pk,
            ],
        )


def _lines_of(invoice: PosInvoice) -> tuple[list[PosInvoiceItem], list[PosInvoiceDiscount]]:
    items = list(PosInvoiceItem.objects.filter(invoice=invoice).order_by("pk"))
    return items, discounts_of(invoice)


def invoice_recalculate(invoice: PosInvoice) -> None:
    """Every figure of the invoice from the one totals calculator: lines, discount amounts, totals.

    A fixed number of queries whatever the number of lines (one read and one bulk write per table).
    """
    items, discounts = _lines_of(invoice)
    _write_totals(invoice, items, discounts)


def _check_quantity(quantity: Decimal) -> None:
    if quantity <= 0:
        raise ValidationFailed({"quantity": [_("The quantity must be more than zero.")]})


def _check_unit_price(unit_price: Decimal) -> None:
    if unit_price < 0:
        raise ValidationFailed({"unit_price": [_("The unit price must be zero or more.")]})


@atomic
def invoice_add_item(
    *,
    invoice: PosInvoice,
    access: Access,
    product: Product,
    quantity: Decimal,
    unit_price: Decimal | None,
    note: str,
) -> PosInvoice:
    """A new line, even for a product already on the invoice; its taxes are copied from the product now. The
    product must be the invoice's workspace's (else `NotFoundError`). Only the invoice's id and workspace are
    read from `invoice` (`invoice_locked`)."""
    access.require(codes.STORE_ORDERS_MANAGE)
    require_in_workspace(product, workspace_id=invoice.workspace_id, message=_("Product not found."))
    taxes = [tax.snapshot() for tax in product.taxes.all()]
    invoice, items = invoice_locked_with_items(invoice)
    require_draft(invoice)
    _check_quantity(quantity)
    price = product.price if unit_price is None else unit_price
    _check_unit_price(price)
    discounts = discounts_of(invoice)
    item = PosInvoiceItem(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        product=product,
        name=product.name,
        sku=product.sku,
        quantity=quantity,
        unit_price=price,
        taxes=taxes,
        note=note,
    )
    _write_totals(invoice, items, discounts, new_item=item)
    log_event(
        invoice,
        "item_added",
        access,
        {"productId": product.pk, "quantity": str(quantity), "unitPrice": str(price)},
    )
    return invoice


@atomic
def invoice_update_item(
    *, invoice: PosInvoice, access: Access, item_id: int, data: dict[str, Any]
) -> PosInvoice:
    access.require(codes.STORE_ORDERS_MANAGE)
    invoice = invoice_locked(invoice)
    item = _item_of(invoice, item_id)
    require_draft(invoice)
    if "quantity" in data:
        _check_quantity(data["quantity"])
        item.quantity = data["quantity"]
    if "unit_price" in data:
        _check_unit_price(data["unit_price"])
        item.unit_price = data["unit_price"]
    if "note" in data:
        item.note = data["note"]
    item.save(update_fields=["quantity", "unit_price", "note"])
    invoice_recalculate(invoice)
    log_event(invoice, "item_changed", access, {"itemId": item.pk, **{k: str(v) for k, v in data.items()}})
    return invoice


@atomic
def invoice_remove_item(*, invoice: PosInvoice, access: Access, item_id: int) -> PosInvoice:
    access.require(codes.STORE_ORDERS_MANAGE)
    invoice = invoice_locked(invoice)
    item = _item_of(invoice, item_id)
    require_draft(invoice)
    item.delete()
    invoice_recalculate(invoice)
    log_event(invoice, "item_removed", access, {"itemId": item_id, "productId": item.product_id})
    return invoice


def _item_of(invoice: PosInvoice, item_id: int) -> PosInvoiceItem:
    item = PosInvoiceItem.objects.filter(invoice=invoice, pk=item_id).first()
    if item is None:
        raise NotFoundError(_("Item not found."))
    return item


@atomic
def invoice_add_discount(
    *, invoice: PosInvoice, access: Access, type: str, value: Decimal, reason: str
) -> PosInvoice:
    """A manual document discount: a percent (0-100) of the subtotal after line discounts, or a fixed amount."""
    access.require(codes.STORE_ORDERS_MANAGE)
    invoice = invoice_locked(invoice)
    require_draft(invoice)
    discount_value_validate(type=type, value=value, currency=invoice.currency)
    discounts = discounts_of(invoice)
    added = PosInvoiceDiscount.objects.create(
        workspace_id=invoice.workspace_id,
        invoice=invoice,
        source=PosInvoiceDiscount.Source.MANUAL,
        type=type,
        value=value,
        reason=reason,
    )
    discounts_changed(invoice, [*discounts, added])
    invoice_recalculate(invoice)
    log_event(invoice, "discount_added", access, {"type": type, "value": str(value), "reason": reason})
    return invoice


@atomic
def invoice_remove_discount(*, invoice: PosInvoice, access: Access, discount_id: int) -> PosInvoice:
    access.require(codes.STORE_ORDERS_MANAGE)
    invoice = invoice_locked(invoice)
    discounts = discounts_of(invoice)
    discount = next((discount for discount in discounts if discount.pk == discount_id), None)
    if discount is None:
        raise NotFoundError(_("Discount not found."))
    require_draft(invoice)
    discount.delete()
    discounts_changed(invoice, [other for other in discounts if other is not discount])
    invoice_recalculate(invoice)
    log_event(invoice, "discount_removed", access, {"discountId": discount_id, "source": discount.source})
    return invoice


@atomic
def invoice_set_order_status(
    *, invoice: PosInvoice, access: Access, order_status: OrderStatus | None
) -> PosInvoice:
    """Allowed in any status: the kitchen follows completed orders too (PRODUCT.md section 5). The order status
    must be the invoice's workspace's (else `NotFoundError`); None clears it."""
    access.require(codes.STORE_ORDERS_MANAGE)
    require_in_workspace(
        order_status, workspace_id=invoice.workspace_id, message=_("Order status not found.")
    )
    invoice = invoice_locked(invoice)
    invoice.order_status = order_status
    invoice.save(update_fields=["order_status", "updated_at"])
    log_event(
        invoice, "order_status_set", access, {"orderStatusId": order_status.pk if order_status else None}
    )
    return invoice
