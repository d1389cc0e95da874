"""Returns (credit notes, PRODUCT.md section 8a): part or all of a completed sale brought back, refunded from the
drawer of the store's open day, its stock put back once.

Lock order, as every POS write: the session (`FOR SHARE`: the store's open one, whatever the sale's day), then the
sale and its lines (`FOR UPDATE`, in the same statement: `pos.locks.lock_sale_for_return`), then the document
counter, then the stock levels. Concurrent returns of one sale queue on its lines and each sees what the one
before took (`returned_quantity`), so a line is never returned beyond what was sold; the database's check
constraint backs that up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Value
from django.utils.translation import gettext as _

from invoicing.credit_notes import SoldLine, calculate_return
from invoicing.money import QUANTITY_DECIMAL_PLACES, has_at_most_places, quantize_money
from invoicing.numbering import format_number, number_next
from invoicing.services import StockLine, stock_put_back
from pos import error_codes
from pos.calculations import item_taxes
from pos.einvoicing import sign_return
from pos.locks import lock_invoice, lock_sale_for_return
from pos.models import (
    BusinessSession,
    PosInvoice,
    PosInvoiceDiscount,
    PosInvoiceItem,
    PosPayment,
    PosReturn,
    PosReturnItem,
)
from pos.selectors import keep_rows
from pos.services.common import actor_type, amount_places_check, store_of
from workspaces import codes
from workspaces.errors import ApplicationError, NotFoundError, ValidationFailed
from workspaces.tenancy import Access
from workspaces.transactions import atomic

RETURN_SERIES = "CN"
RETURN_STOCK_SOURCE = "pos_return"
REASON_MAX_LENGTH = 255


@dataclass(frozen=True)
class ReturnLineInput:
    item_id: int
    quantity: Decimal


@dataclass(frozen=True)
class RefundInput:
    method: str
    amount: Decimal


def _sale_or_refusal(invoice: PosInvoice) -> tuple[PosInvoice, list[PosInvoiceItem], BusinessSession]:
    """The sale locked with its lines and the store's open session; else the refusal that applies: 404 (no such
    invoice in the workspace), 422 `invoice_not_completed`, 422 `no_open_session`."""
    locked = lock_sale_for_return(invoice.pk, workspace_id=invoice.workspace_id, workspace=invoice.workspace)
    sale = locked[0] if locked else lock_invoice(invoice.pk, workspace_id=invoice.workspace_id)
    if sale is None:
        raise NotFoundError(_("Invoice not found."))
    if sale.status != PosInvoice.Status.COMPLETED:
        raise ApplicationError(
            _("Only a completed sale can be returned; this one is %(status)s.")
            % {"status": sale.get_status_display()},
            code=error_codes.INVOICE_NOT_COMPLETED,
        )
    if locked is None:
        raise ApplicationError(
            _("Open the store's business day first: a refund leaves today's drawer."),
            code=error_codes.NO_OPEN_SESSION,
        )
    return locked


def _quantities(items: list[PosInvoiceItem], lines: Sequence[ReturnLineInput] | None) -> list[Decimal]:
    """The quantity returned of each line of the sale (0: none): every line's remainder by default; otherwise the
    lines asked for, each at most what is left of it (400 naming the line)."""
    left = [item.quantity - item.returned_quantity for item in items]
    if lines is None:
        if not any(left):
            raise ApplicationError(
                _("Everything on this invoice has already been returned."), code=error_codes.NOTHING_TO_RETURN
            )
        return left
    if not lines:
        raise ValidationFailed({"items": [_("Name at least one item to return.")]})
    position = {item.pk: index for index, item in enumerate(items)}
    quantities = [Decimal(0)] * len(items)
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        at = position.get(line.item_id)
        if at is None:
            errors[f"items.{index}.itemId"] = [_("This invoice has no such item.")]
        elif quantities[at]:
            errors[f"items.{index}.itemId"] = [_("Each item can be named once.")]
        elif line.quantity <= 0 or not has_at_most_places(line.quantity, QUANTITY_DECIMAL_PLACES):
            errors[f"items.{index}.quantity"] = [
                _("A quantity more than zero, with at most %(places)d decimal places.")
                % {"places": QUANTITY_DECIMAL_PLACES}
            ]
        elif line.quantity > left[at]:
            errors[f"items.{index}.quantity"] = [
                _("At most %(left)s of “%(name)s” can be returned.")
                % {"left": left[at].normalize(), "name": items[at].name}
            ]
        else:
            quantities[at] = line.quantity
    if errors:
        raise ValidationFailed(errors)
    return quantities


def _refunds(
    sale: PosInvoice,
    payments: list[PosPayment],
    total: Decimal,
    refunds: Sequence[RefundInput] | None,
    refund_method: str | None,
) -> list[dict[str, str]]:
    """The refunds by method, adding up to the return's total (422 `refund_mismatch`); by default the whole total
    by `refund_method`, else by the sale's first payment method."""
    if refunds is None:
        method = refund_method or (payments[0].method if payments else PosPayment.Method.CASH)
        chosen = [RefundInput(method, total)] if total > 0 else []
    else:
        for index, refund in enumerate(refunds):
            if refund.amount <= 0:
                raise ValidationFailed({f"refunds.{index}.amount": [_("A refund must be more than zero.")]})
            amount_places_check(sale.workspace, refund.amount, f"refunds.{index}.amount")
        chosen = list(refunds)
    refunded = sum((refund.amount for refund in chosen), Decimal(0))
    if refunded != total:
        raise ApplicationError(
            _("The refunds (%(refunded)s) must add up to the return's total (%(total)s).")
            % {"refunded": quantize_money(refunded, sale.currency), "total": total},
            code=error_codes.REFUND_MISMATCH,
            details={"total": total, "refunded": refunded},
        )
    return [
        {"method": refund.method, "amount": str(quantize_money(refund.amount, sale.currency))}
        for refund in chosen
    ]


_PAYMENT = ("pk", "method", "amount", "kind_a", "kind_b", "kind_c")
_DISCOUNT = ("pk", "source", "amount", "type", "reason", "value")


def _payments_and_discounts(sale: PosInvoice) -> tuple[list[PosPayment], list[PosInvoiceDiscount]]:
    """The sale's payments and, when it has some (`has_discounts`), its discounts, in primary-key order: one
    statement (a `UNION ALL`), for the answer and the default refund. A completed sale's never change."""
    payments = PosPayment.objects.filter(invoice_id=sale.pk).annotate(
        kind=Value("payment"),
        kind_a=Value(""),
        kind_b=Value(""),
        kind_c=Value(None, output_field=PosInvoiceDiscount._meta.get_field("value")),
    )
    rows = payments.values_list(
        "kind", *_PAYMENT
    ).order_by()  # sorted below: a UNION's parts take no ORDER BY
    if getattr(sale, "has_discounts", True):
        discounts = PosInvoiceDiscount.objects.filter(invoice_id=sale.pk).annotate(kind=Value("discount"))
        rows = rows.union(discounts.values_list("kind", *_DISCOUNT).order_by(), all=True)
    found: tuple[list[PosPayment], list[PosInvoiceDiscount]] = ([], [])
    for kind, pk, word, amount, type_, reason, value in sorted(rows, key=lambda row: (row[0], row[1])):
        if kind == "payment":
            found[0].append(PosPayment(pk=pk, invoice_id=sale.pk, method=word, amount=amount))
        else:
            found[1].append(
                PosInvoiceDiscount(
                    pk=pk,
                    invoice_id=sale.pk,
                    source=word,
                    amount=amount,
                    type=type_,
                    reason=reason,
                    value=value,
                )
            )
    return found


def _sold(item: PosInvoiceItem) -> SoldLine:
    return SoldLine(
        quantity=item.quantity,
        subtotal=item.subtotal,
        discount_amount=item.discount_amount,
        tax_amount=item.tax_amount,
        total=item.total,
        taxes=item_taxes(item),
    )


@atomic
def return_create(
    *,
    invoice: PosInvoice,
    access: Access,
    reason: str,
    items: Sequence[ReturnLineInput] | None = None,
    refunds: Sequence[RefundInput] | None = None,
    refund_method: str | None = None,
) -> PosReturn:
    """A credit note against a completed sale, numbered `CN-001`, ... in its own gapless series, in the store's open
    session. `items` default to everything not yet returned; `refunds` to the total by the sale's first payment
    method (or all of it by `refund_method`, the admin's choice). The figures are the sale's own pro rata (`invoicing.credit_notes`): all the returns of a sale add up to
    it exactly. The stock of the returned products the sale took out comes back once. Needs `pos.invoices.void`.

    Only `invoice.pk` and `invoice.workspace_id` are read from `invoice` (a view's reference). The return carries its
    items, and `.invoice` the sale with its lines, discounts and payments, for the answer."""
    access.require(codes.POS_INVOICES_VOID)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX_LENGTH:
        raise ValidationFailed(
            {"reason": [_("A reason of 1 to %(max)d characters is required.") % {"max": REASON_MAX_LENGTH}]}
        )
    sale, lines, session = _sale_or_refusal(invoice)
    quantities = _quantities(lines, items)
    figures = calculate_return(
        sold=[_sold(line) for line in lines],
        returned_before=[line.returned_quantity for line in lines],
        returning=quantities,
        currency=sale.currency,
    )
    payments, discounts = _payments_and_discounts(sale)
    refunded = _refunds(sale, payments, figures.total, refunds, refund_method)

    number = number_next(workspace=sale.workspace, series=RETURN_SERIES)
    credit_note = PosReturn.objects.create(
        workspace_id=sale.workspace_id,
        store_id=sale.store_id,
        invoice=sale,
        session=session,
        business_date=session.business_date,
        number=number,
        public_id=format_number(RETURN_SERIES, number),
        currency=sale.currency,
        reason=reason,
        subtotal=figures.subtotal,
        discount_total=figures.discount_total,
        tax_total=figures.tax_total,
        total=figures.total,
        refunds=refunded,
        created_by=access.user,
        created_by_api_key=access.api_key,
        created_by_type=actor_type(access),
    )
    returned = [
        (line, quantity, line_figures)
        for line, quantity, line_figures in zip(lines, quantities, figures.lines, strict=True)
        if quantity
    ]
    credit_items = PosReturnItem.objects.bulk_create(
        PosReturnItem(
            workspace_id=sale.workspace_id,
            pos_return=credit_note,
            invoice_item=line,
            product_id=line.product_id,
            name=line.name,
            quantity=quantity,
            unit_price=line.unit_price,
            subtotal=line_figures.subtotal,
            discount_amount=line_figures.discount_amount,
            tax_amount=line_figures.tax_amount,
            total=line_figures.total,
        )
        for line, quantity, line_figures in returned
    )
    for line, quantity, _figures in returned:
        line.returned_quantity += quantity
    PosInvoiceItem.objects.bulk_update([line for line, _q, _f in returned], ["returned_quantity"])
    sale.returned_total += figures.total
    sale.save(update_fields=["returned_total", "updated_at"])
    if session.zatca_device:  # the credit note signed in this transaction (section 8b)
        sign_return(credit_note, sale, lines, quantities, figures)
    stock_put_back(
        workspace=sale.workspace,
        store=store_of(sale),
        source_type=RETURN_STOCK_SOURCE,
        source_id=credit_note.pk,
        lines=[
            StockLine(product_id=line.product_id, quantity=q) for line, q, _f in returned if line.taken_out
        ],
        actor=access,
    )
    keep_rows(credit_note, items=credit_items)
    keep_rows(sale, items=lines, discounts=discounts, payments=payments)
    credit_note.invoice = sale
    return credit_note
