"""The printed credit note (PRODUCT.md section 8a), in the receipt's style and language (`pos.receipts`): the
workspace's `receipt_language` whatever the browser's, right-to-left in Arabic, times in the workspace's time zone,
amounts with the currency's minor digits; the signed credit note's 9-tag QR where the store signs. It names the sale it returns (its billing reference), the client and the
reason, each returned line, the figures and the refunds by method. Every amount is positive: the document is a
credit, its sign is its title. On an 80 mm roll (as the receipt) or an A4 page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import segno
from django.template.loader import render_to_string

from invoicing.money import minor_unit
from pos.einvoicing import RETURN, qr_of
from pos.models import PosReturn
from pos.receipts import (
    client_rows,
    document_frame,
    item_names,
    label,
    local_time,
    money_text,
    receipt_row,
    refund_label,
)
from workspaces.numbers import decimal_literal

PAPERS = ("80mm", "a4")


def _tax_key(pos_return: PosReturn) -> str:
    """ "Tax (included)" when the prices carried it (the total is the subtotal less the discounts), else "Tax"."""
    included = (
        pos_return.tax_total > 0 and pos_return.subtotal - pos_return.discount_total == pos_return.total
    )
    return "tax_included" if included else "tax"


def credit_note_context(pos_return: PosReturn, paper: str = "80mm") -> dict[str, Any]:
    """The credit note's page, from a return loaded by `pos.return_selectors.return_for_print` (no query more
    than its items and their products, already read)."""
    workspace = pos_return.workspace
    language = workspace.receipt_language
    places = minor_unit(pos_return.currency)
    currency = pos_return.currency
    frame = document_frame(workspace, pos_return.store)
    labels = frame["labels"]
    invoice = pos_return.invoice
    totals = [receipt_row(labels["subtotal"], f"{money_text(pos_return.subtotal, places)} {currency}")]
    if pos_return.discount_total:
        totals.append(receipt_row(labels["discounts"], money_text(pos_return.discount_total, places)))
    if pos_return.tax_total:
        totals.append(receipt_row(labels[_tax_key(pos_return)], money_text(pos_return.tax_total, places)))
    totals.append(
        receipt_row(labels["total"], f"{money_text(pos_return.total, places)} {currency}", total=True)
    )
    qr = qr_of(RETURN, pos_return.pk, pos_return.workspace_id)  # the signed credit note's (section 8b)
    return {
        **frame,
        "zatca_payload": qr,
        "zatca_qr_svg": segno.make(qr, error="m").svg_data_uri(scale=3, border=2) if qr else None,
        "paper": paper if paper in PAPERS else "80mm",
        "papers": [("80mm", labels["paper_80mm"]), ("a4", labels["paper_a4"])],
        "title": label("credit_note", language),
        "pos_return": pos_return,
        "details": [
            receipt_row(labels["credit_note_number"], pos_return.public_id),
            receipt_row(labels["date"], local_time(pos_return.created_at, workspace)),
            receipt_row(labels["billing_reference"], invoice.public_id),
            *client_rows(invoice, labels),
            receipt_row(labels["reason"], pos_return.reason, number=False),
        ],
        "items": [
            {
                "names": item_names(item, language),
                "quantity": decimal_literal(item.quantity),
                "unit_price": money_text(item.unit_price, places),
                "total": money_text(item.subtotal, places),
            }
            for item in pos_return.items.all()
        ],
        "totals": totals,
        "refunds": [
            receipt_row(
                refund_label(refund["method"], language), money_text(Decimal(refund["amount"]), places)
            )
            for refund in pos_return.refunds
        ],
    }


def render_credit_note(pos_return: PosReturn, paper: str = "80mm") -> str:
    """The credit note's page, the same for the API (`GET .../pos/returns/:id/receipt`) and the admin; `paper` is
    "80mm" (the default) or "a4"."""
    return render_to_string("pos/credit_note.html", credit_note_context(pos_return, paper))
