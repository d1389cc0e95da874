"""The printed receipt (PRODUCT.md section 5, "Receipts"): 80 mm, in the workspace's `receipt_language` (`ar`,
`en`, or `ar-en`, both on one receipt as Saudi shops print them) whatever the browser's language; right-to-left
in Arabic, each product's Arabic name where it has one; times in the workspace's time zone; amounts with the
currency's minor digits and `.` as the decimal point; the ZATCA phase 1 QR code when the workspace has a VAT
number."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.template.loader import render_to_string

from invoicing.money import minor_unit
from invoicing.zatca.phase1 import workspace_qr
from pos.calculations import invoice_totals
from pos.einvoicing import SALE, qr_of
from pos.models import PosInvoice, PosInvoiceDiscount, PosInvoiceItem, PosReturnItem
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
    # The credit note (PRODUCT.md section 8a).
    "credit_note": ("إشعار دائن", "Credit note"),
    "credit_note_number": ("رقم الإشعار", "Credit note no."),
    "billing_reference": ("مرجع الفاتورة", "Billing reference"),
    "reason": ("السبب", "Reason"),
    "discounts": ("الخصومات", "Discounts"),
    "tax": ("الضريبة", "Tax"),
    "tax_included": ("الضريبة (شاملة)", "Tax (included)"),
    "paper_80mm": ("إيصال 80 مم", "80 mm receipt"),
    "paper_a4": ("صفحة A4", "A4 page"),
}


ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


@dataclass(frozen=True)
class ReceiptLabel:
    """A label as the receipt prints it: in the receipt's language, or, on a bilingual receipt, Arabic and English
    as two aligned columns of their own (Arabic on the right, English on the left, each in its direction), never
    run together in one string whose punctuation the bidirectional algorithm would move ("POS-005.Invoice no")."""

    arabic: str
    english: str
    language: str

    def __str__(self) -> str:
        if self.language == Workspace.ReceiptLanguage.ARABIC:
            return self.arabic
        if self.language == Workspace.ReceiptLanguage.ENGLISH:
            return self.english
        return self.arabic if self.arabic == self.english else f"{self.arabic} / {self.english}"

    def _shared_is_arabic(self) -> bool | None:
        """One text for both languages (a discount's reason, a tax's own name) prints once, in the column of its
        script: True (Arabic), False (English), None when the two differ."""
        if self.arabic != self.english:
            return None
        return ARABIC_LETTER.search(self.arabic) is not None

    @property
    def arabic_column(self) -> str:
        return "" if self._shared_is_arabic() is False else self.arabic

    @property
    def english_column(self) -> str:
        return "" if self._shared_is_arabic() is True else self.english


def label(key: str, language: str) -> ReceiptLabel:
    arabic, english = LABELS[key]
    return ReceiptLabel(arabic, english, language)


def money_text(value: Decimal, places: int) -> str:
    """An amount as printed: `places` minor digits, `.` as the decimal point, `,` grouping (`1,234.50`)."""
    return f"{value:,.{places}f}"


def refund_label(method: str, language: str) -> ReceiptLabel:
    """A refund by its method: "استرداد نقداً" / "Cash refund"."""
    arabic, english = LABELS[method]
    return ReceiptLabel(f"استرداد {arabic}", f"{english} refund", language)


def document_frame(workspace: Workspace, store: Any) -> dict[str, Any]:
    """What every printed document of a store shares (a receipt, a credit note): its language and direction (the
    workspace's `receipt_language`, whatever the browser's), the labels, the shop and the store."""
    language = workspace.receipt_language
    return {
        "language": "en" if language == Workspace.ReceiptLanguage.ENGLISH else "ar",
        "direction": "ltr" if language == Workspace.ReceiptLanguage.ENGLISH else "rtl",
        "bilingual": language == Workspace.ReceiptLanguage.BOTH,
        "labels": {key: label(key, language) for key in LABELS},
        "workspace": workspace,
        "legal_name": workspace.legal_name if workspace.legal_name != workspace.name else "",
        "store": store,
    }


def local_time(moment: dt.datetime, workspace: Workspace) -> str:
    """A moment as printed, in the workspace's time zone (the template's date filter would use the request's)."""
    return moment.astimezone(zoneinfo.ZoneInfo(workspace.timezone)).strftime("%Y-%m-%d %H:%M")


def item_names(item: PosInvoiceItem | PosReturnItem, language: str) -> list[tuple[str, str]]:
    """The line's name as (text, language) pairs: its Arabic name where it has one, its name in English; both, one
    under the other, on a bilingual receipt."""
    arabic = (item.product.name_ar if item.product_id else "") or ""
    if language == Workspace.ReceiptLanguage.ENGLISH or not arabic:
        return [(item.name, "en" if not ARABIC_LETTER.search(item.name) else "ar")]
    if language == Workspace.ReceiptLanguage.ARABIC or arabic == item.name:
        return [(arabic, "ar")]
    return [(arabic, "ar"), (item.name, "en")]


def _discount_label(discount: PosInvoiceDiscount, language: str) -> ReceiptLabel:
    key = "client_discount" if discount.source == PosInvoiceDiscount.Source.CLIENT else "discount"
    arabic, english = (discount.reason, discount.reason) if discount.reason else LABELS[key]
    if discount.type == PosInvoiceDiscount.Type.PERCENT:
        percent = f"{decimal_literal(discount.value)}%"
        arabic, english = f"{arabic} {percent}", f"{english} {percent}"
    return ReceiptLabel(arabic, english, language)


def _tax_label(name: str, rate: Decimal, inclusive: bool, language: str) -> ReceiptLabel:
    """`VAT 15%` once, whether or not the tax's own name already carries its rate."""
    percent = f"{decimal_literal(rate)}%"
    text = name if percent in name else f"{name} {percent}".strip()
    if not inclusive:
        return ReceiptLabel(text, text, language)
    arabic, english = LABELS["inclusive"]
    return ReceiptLabel(f"{text} ({arabic})", f"{text} ({english})", language)


def receipt_row(
    label: ReceiptLabel, value: str, *, number: bool = True, total: bool = False
) -> dict[str, Any]:
    """A line of label and value; `number` sets the value as a figure (left to right, lined up on the right)."""
    return {"label": label, "value": value, "number": number, "total": total}


def client_rows(invoice: PosInvoice, labels: dict[str, ReceiptLabel]) -> list[dict[str, Any]]:
    """The client's line, or none: a sale a till made offline may have no client (section 8d)."""
    if invoice.client is None:
        return []
    return [receipt_row(labels["client"], invoice.client.name, number=False)]


def zatca_payload(invoice: PosInvoice) -> str | None:
    """The QR's text: the signed document's 9-tag QR where the store signs (phase 2, section 8b), else the phase-1
    QR (tags 1-5) where the workspace has a VAT number."""
    signed = (
        qr_of(SALE, invoice.pk, invoice.workspace_id)
        if invoice.status == PosInvoice.Status.COMPLETED
        else None
    )
    if signed:
        return signed
    return workspace_qr(
        invoice.workspace,
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
    currency = invoice.currency
    frame = document_frame(workspace, invoice.store)
    labels = frame["labels"]
    details = [
        receipt_row(labels["number"], invoice.public_id),
        receipt_row(labels["date"], local_time(invoice.completed_at or invoice.created_at, workspace)),
        *client_rows(invoice, labels),
    ]
    if invoice.status != PosInvoice.Status.COMPLETED:
        details.append(receipt_row(labels["status"], str(label(invoice.status, language)), number=False))
    payments = [
        receipt_row(label(payment.method, language), money_text(payment.amount, places))
        for payment in invoice.payments.all()
    ]
    if invoice.change_due > 0:
        payments.append(receipt_row(labels["change"], money_text(invoice.change_due, places)))
    return {
        **frame,
        "title": label("simplified_tax_invoice" if workspace.vat_number else "invoice", language),
        "invoice": invoice,
        "details": details,
        "items": [
            {
                "names": item_names(item, language),
                "quantity": decimal_literal(item.quantity),
                "unit_price": money_text(item.unit_price, places),
                "total": money_text(item.subtotal, places),
                "note": item.note,
            }
            for item in items
        ],
        "totals": [
            receipt_row(labels["subtotal"], f"{money_text(invoice.subtotal, places)} {currency}"),
            *(
                receipt_row(_discount_label(discount, language), f"-{money_text(discount.amount, places)}")
                for discount in discounts
            ),
            *(
                receipt_row(
                    _tax_label(tax_names.get(tax.key, ""), tax.rate, tax.inclusive, language),
                    money_text(tax.amount, places),
                )
                for tax in totals.taxes
            ),
            receipt_row(labels["total"], f"{money_text(invoice.total, places)} {currency}", total=True),
        ],
        "payments": payments,
        "zatca_payload": payload,
        "zatca_qr_svg": segno.make(payload, error="m").svg_data_uri(scale=3, border=2) if payload else None,
    }


def render_receipt(invoice: PosInvoice) -> str:
    """The receipt page, the same for the API and the admin."""
    return render_to_string("pos/receipt.html", receipt_context(invoice))
