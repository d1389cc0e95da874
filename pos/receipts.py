"""The printable receipt: an 80 mm, right-to-left page with the ZATCA phase 1 QR code when the workspace has a
VAT number."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

import segno
from django.template.loader import render_to_string

from invoicing.money import minor_unit
from pos.calculations import invoice_totals
from pos.models import PosInvoice
from pos.zatca import zatca_tlv_base64
from workspaces.numbers import decimal_literal


def _money(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def zatca_payload(invoice: PosInvoice) -> str | None:
    workspace = invoice.workspace
    if not workspace.vat_number:
        return None
    return zatca_tlv_base64(
        seller_name=workspace.legal_name or workspace.name,
        vat_number=workspace.vat_number,
        timestamp=invoice.completed_at or invoice.created_at,
        total_with_vat=invoice.total,
        vat_total=invoice.tax_total,
    )


def receipt_context(invoice: PosInvoice) -> dict[str, Any]:
    workspace = invoice.workspace
    places = minor_unit(invoice.currency)
    items = list(invoice.items.all())
    discounts = list(invoice.discounts.all())
    # The per-tax lines come from the one calculator, over the lines as stored.
    totals = invoice_totals(items=items, discounts=discounts, currency=invoice.currency)
    tax_names = {tax["id"]: tax["name"] for item in items for tax in item.taxes}
    payload = zatca_payload(invoice)
    local = zoneinfo.ZoneInfo(workspace.timezone)
    return {
        "invoice": invoice,
        "workspace": workspace,
        "store": invoice.store,
        "client": invoice.client,
        "issued_at": (invoice.completed_at or invoice.created_at).astimezone(local),
        "items": [
            {
                "name": item.name,
                "quantity": decimal_literal(item.quantity),
                "unit_price": _money(item.unit_price, places),
                "total": _money(item.subtotal, places),
                "note": item.note,
            }
            for item in items
        ],
        "discounts": [
            {
                "label": d.reason or d.get_source_display(),
                "type": d.type,
                "value": decimal_literal(d.value),
                "amount": _money(d.amount, places),
            }
            for d in discounts
        ],
        "taxes": [
            {
                "name": tax_names.get(tax.key, ""),
                "rate": decimal_literal(tax.rate),
                "inclusive": tax.inclusive,
                "amount": _money(tax.amount, places),
            }
            for tax in totals.taxes
        ],
        "subtotal": _money(invoice.subtotal, places),
        "discount_total": _money(invoice.discount_total, places),
        "tax_total": _money(invoice.tax_total, places),
        "total": _money(invoice.total, places),
        "payments": [
            {"method": p.get_method_display(), "amount": _money(p.amount, places)}
            for p in invoice.payments.all()
        ],
        "change_due": _money(invoice.change_due, places),
        "has_change": invoice.change_due > 0,
        "currency": invoice.currency,
        "zatca_payload": payload,
        "zatca_qr_svg": segno.make(payload, error="m").svg_data_uri(scale=3, border=2) if payload else None,
    }


def render_receipt(invoice: PosInvoice) -> str:
    """The receipt page, the same for the API and the admin."""
    return render_to_string("pos/receipt.html", receipt_context(invoice))
