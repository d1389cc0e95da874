"""POS sales and returns as ZATCA documents (PRODUCT.md section 8b): signed at completion, in the completing
transaction, when the store has an onboarded device (`invoicing.zatca.chain`). The figures are the one
calculator's: the sale's from its lines and discounts as stored, the return's from `invoicing.credit_notes`.

Lock order: the caller holds the session (`FOR SHARE`) and the document; the device comes next
(`chain.lock_device`), then the stock levels. A sale the XML cannot state (a line with two taxes: ZATCA knows one VAT
per line) is refused whole (422 `zatca_unsignable`), nothing written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from invoicing.zatca.chain import Issued, lock_device
from invoicing.zatca.documents import TypeCode
from invoicing.zatca.issuing import sign_issued, source_line
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDocument
from pos.calculations import invoice_totals, item_taxes
from pos.models import PosInvoice, PosInvoiceDiscount, PosInvoiceItem, PosPayment, PosReturn

SALE, RETURN = "pos_invoice", "pos_return"


def _source_line(item: PosInvoiceItem, quantity: Decimal) -> SourceLine:
    return source_line(name=item.name, quantity=quantity, unit_price=item.unit_price, taxes=item_taxes(item))


def _signed(store_id: int, issued: Issued) -> ZatcaDocument | None:
    device = lock_device(store_id=store_id)
    if device is None:  # the device was removed since the caller looked: the store signs nothing
        return None
    return sign_issued(device, issued)


def sign_sale(
    invoice: PosInvoice,
    items: Sequence[PosInvoiceItem],
    discounts: Sequence[PosInvoiceDiscount],
    payments: Sequence[PosPayment],
) -> ZatcaDocument | None:
    """The completed sale signed into its store's chain: a simplified tax invoice (388)."""
    return _signed(
        invoice.store_id,
        Issued(
            source_type=SALE,
            source_id=invoice.pk,
            number=invoice.public_id,
            moment=invoice.completed_at,
            type_code=TypeCode.INVOICE,
            lines=[_source_line(item, item.quantity) for item in items],
            calculation=invoice_totals(items=items, discounts=discounts, currency=invoice.currency),
            payment_method=payments[0].method if payments else "cash",
        ),
    )


@dataclass(frozen=True)
class _Returned:
    """A return's figures restricted to its returned lines (`calculate_return` gives one per sold line)."""

    lines: tuple[Any, ...]
    taxes: tuple[Any, ...]
    total: Decimal


def sign_return(
    credit_note: PosReturn,
    sale: PosInvoice,
    sold: Sequence[PosInvoiceItem],
    quantities: Sequence[Decimal],
    figures: Any,
) -> ZatcaDocument | None:
    """The return signed into its store's chain: a credit note (381) naming the sale and the reason."""
    returned = [
        (item, quantity, line)
        for item, quantity, line in zip(sold, quantities, figures.lines, strict=True)
        if quantity
    ]
    refunds = credit_note.refunds
    return _signed(
        sale.store_id,
        Issued(
            source_type=RETURN,
            source_id=credit_note.pk,
            number=credit_note.public_id,
            moment=credit_note.created_at,
            type_code=TypeCode.CREDIT_NOTE,
            lines=[_source_line(item, quantity) for item, quantity, _line in returned],
            calculation=_Returned(
                lines=tuple(line for _item, _quantity, line in returned),
                taxes=figures.taxes,
                total=figures.total,
            ),
            payment_method=refunds[0]["method"] if refunds else "cash",
            billing_reference=sale.public_id,
            instruction_note=credit_note.reason,
        ),
    )


def qr_of(source_type: str, source_id: int, workspace_id: int) -> str | None:
    """The 9-tag QR of a signed sale or return (what its receipt prints), or None."""
    return (
        ZatcaDocument.objects.filter(source_type=source_type, source_id=source_id, workspace_id=workspace_id)
        .values_list("qr", flat=True)
        .first()
    )


def is_signed(invoice: PosInvoice) -> bool:
    """Whether the sale has a ZATCA document: a signed sale is never voided (ZATCA has it); a return refunds it."""
    return ZatcaDocument.objects.filter(
        source_type=SALE, source_id=invoice.pk, workspace_id=invoice.workspace_id
    ).exists()
