"""The printed receipt (PRODUCT.md section 5, "Receipts"): 80 mm, in the workspace's `receipt_language` (`ar`,
`en`, or `ar-en`, both on one receipt as Saudi shops print them) whatever the browser's language; right-to-left
in Arabic, each product's Arabic name where it has one; times in the workspace's time zone; amounts with the
currency's minor digits and `.` as the decimal point; the ZATCA phase 1 QR code when the workspace has a VAT
number."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from typing import Any

import segno
from django.template.loader import render_to_string

from invoicing.money import minor_unit
from pos.calculations import invoice_totals
from pos.models import PosInvoice, PosInvoiceDiscount, PosInvoiceItem
from pos.zatca import zatca_tlv_base64
from workspaces.models import Workspace
from workspaces.numbers import decimal_literal

# Each label in Arabic and English: the receipt's language is the workspace's, never the request's.
LABELS: dict[str, tuple[str, str]] = {
    "simplified_tax_invoice": ("فاتورة ضريبية مبسطة", "Simplified tax invoice"),
    "invoice": ("فاتورة", "Invoice"),
    "vat_number": ("الرقم الضريبي", "VAT number"),
    "number": ("رقم الفاتورة", "Invoice no."),
    "date": ("التاريخ", "Date"),
    "client": ("العميل", "Client"),
    "status": ("الحالة", "Status"),
    "item": ("الصنف", "Item"),
    "quantity": ("الكمية", "Qty"),
    "price": ("السعر", "Price"),
    "amount": ("المجموع", "Amount"),
    "subtotal": ("المجموع الفرعي", "Subtotal"),
    "discount": ("خصم", "Discount"),
    "client_discount": ("خصم العميل", "Client discount"),
    "inclusive": ("شامل", "included"),
    "total": ("الإجمالي", "Total"),
    "change": ("الباقي للعميل", "Change"),
    "thanks": ("شكراً لزيارتكم", "Thank you for your visit"),
    "print": ("طباعة", "Print"),
    "cash": ("نقداً", "Cash"),
    "card": ("بطاقة", "Card"),
    "transfer": ("تحويل", "Transfer"),
    "cheque": ("شيك", "Cheque"),
    "other": ("أخرى", "Other"),
    "draft": ("مسودة", "Draft"),
    "completed": ("مكتملة", "Completed"),
    "cancelled": ("ملغاة", "Cancelled"),
}


def label(key: str, language: str) -> str:
    arabic, english = LABELS[key]
    if language == Workspace.ReceiptLanguage.ARABIC:
        return arabic
    if language == Workspace.ReceiptLanguage.ENGLISH:
        return english
    return f"{arabic} / {english}"


def _money(value: Decimal, places: int) -> str:
    return f"{value:,.{places}f}"


def _item_name(item: PosInvoiceItem, language: str) -> str:
    arabic = (item.product.name_ar if item.product_id else "") or ""
    if language == Workspace.ReceiptLanguage.ENGLISH or not arabic:
        return item.name
    if language == Workspace.ReceiptLanguage.ARABIC or arabic == item.name:
        return arabic
    return f"{arabic} / {item.name}"


def _discount_label(discount: PosInvoiceDiscount, language: str) -> str:
    name = discount.reason or label(
        "client_discount" if discount.source == PosInvoiceDiscount.Source.CLIENT else "discount", language
    )
    if discount.type == PosInvoiceDiscount.Type.PERCENT:
        return f"{name} {decimal_literal(discount.value)}%"
    return name


def _tax_label(name: str, rate: Decimal, inclusive: bool, language: str) -> str:
    """`VAT 15%` once, whether or not the tax's own name already carries its rate."""
    percent = f"{decimal_literal(rate)}%"
    text = name if percent in name else f"{name} {percent}".strip()
    return f"{text} ({label('inclusive', language)})" if inclusive else text


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
    language = workspace.receipt_language
    places = minor_unit(invoice.currency)
    items = list(invoice.items.all())
    discounts = list(invoice.discounts.all())
    # The per-tax lines come from the one calculator, over the lines as stored.
    totals = invoice_totals(items=items, discounts=discounts, currency=invoice.currency)
    tax_names = {tax["id"]: tax["name"] for item in items for tax in item.taxes}
    payload = zatca_payload(invoice)
    local = zoneinfo.ZoneInfo(workspace.timezone)
    return {
        "language": "en" if language == Workspace.ReceiptLanguage.ENGLISH else "ar",
        "direction": "ltr" if language == Workspace.ReceiptLanguage.ENGLISH else "rtl",
        "labels": {key: label(key, language) for key in LABELS},
        "title": label("simplified_tax_invoice" if workspace.vat_number else "invoice", language),
        "status": label(invoice.status, language),
        "invoice": invoice,
        "workspace": workspace,
        "legal_name": workspace.legal_name if workspace.legal_name != workspace.name else "",
        "store": invoice.store,
        "client": invoice.client,
        # Formatted here: the template's date filter would turn it back into the request's time zone.
        "issued_at": (invoice.completed_at or invoice.created_at)
        .astimezone(local)
        .strftime("%Y-%m-%d %H:%M"),
        "items": [
            {
                "name": _item_name(item, language),
                "quantity": decimal_literal(item.quantity),
                "unit_price": _money(item.unit_price, places),
                "total": _money(item.subtotal, places),
                "note": item.note,
            }
            for item in items
        ],
        "discounts": [
            {"label": _discount_label(discount, language), "amount": _money(discount.amount, places)}
            for discount in discounts
        ],
        "taxes": [
            {
                "label": _tax_label(tax_names.get(tax.key, ""), tax.rate, tax.inclusive, language),
                "amount": _money(tax.amount, places),
            }
            for tax in totals.taxes
        ],
        "subtotal": _money(invoice.subtotal, places),
        "total": _money(invoice.total, places),
        "payments": [
            {"method": label(payment.method, language), "amount": _money(payment.amount, places)}
            for payment in invoice.payments.all()
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
