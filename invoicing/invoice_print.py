"""The printed api2 sales invoice (PRODUCT.md sections 8, 8b, 8c), an A4 tax invoice in the receipt's language.

The page is in the workspace's `receipt_language` (`ar`, `en`, or `ar-en`, both on one page), whatever the browser's;
right-to-left in Arabic; amounts with the currency's minor digits, `.` as the decimal point and `,` grouping. It is
titled "Tax invoice" when its ZATCA document is a standard one (a VAT-registered buyer, section 8c) and names the
buyer; else "Simplified tax invoice" (or "Invoice" where the workspace has no VAT number).

What prints depends on the invoice's ZATCA document:
- a standard invoice prints only once ZATCA cleared it, with the QR of ZATCA's cleared XML (its
  `cac:AdditionalDocumentReference[cbc:ID='QR']`, else the signed QR); until then (pending, rejected) the page
  prints nothing of the invoice and says why;
- a simplified one prints at once with its signed 9-tag QR (it is reported afterwards);
- a store that signs nothing prints the invoice with the phase-1 QR (tags 1-5) where the workspace has a VAT
  number, else without a QR;
- a draft is not an invoice yet: the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from lxml import etree

from invoicing.models import Invoice, InvoiceItem
from invoicing.money import minor_unit
from invoicing.zatca.issuing import VAT_NUMBER
from invoicing.zatca.models import ZatcaDocument
from invoicing.zatca.phase1 import workspace_qr
from workspaces.models import Workspace
from workspaces.numbers import decimal_literal

# Each label in Arabic and English: the page's language is the workspace's, never the request's.
LABELS: dict[str, tuple[str, str]] = {
    "tax_invoice": ("فاتورة ضريبية", "Tax invoice"),
    "simplified_tax_invoice": ("فاتورة ضريبية مبسطة", "Simplified tax invoice"),
    "invoice": ("فاتورة", "Invoice"),
    "seller": ("البائع", "Seller"),
    "buyer": ("المشتري", "Buyer"),
    "client": ("العميل", "Client"),
    "name": ("الاسم", "Name"),
    "vat_number": ("الرقم الضريبي", "VAT number"),
    "cr_number": ("السجل التجاري", "CR number"),
    "address": ("العنوان", "Address"),
    "store": ("الفرع", "Store"),
    "number": ("رقم الفاتورة", "Invoice no."),
    "date": ("تاريخ الإصدار", "Issue date"),
    "supply_date": ("تاريخ التوريد", "Supply date"),
    "po_number": ("رقم أمر الشراء", "PO number"),
    "line": ("#", "#"),
    "item": ("الصنف", "Item"),
    "quantity": ("الكمية", "Qty"),
    "unit_price": ("سعر الوحدة", "Unit price"),
    "discount": ("الخصم", "Discount"),
    "net_amount": ("المبلغ قبل الضريبة", "Amount excl. VAT"),
    "net_amount_included": ("المبلغ شامل الضريبة", "Amount incl. VAT"),
    "vat_rate": ("نسبة الضريبة", "VAT rate"),
    "vat": ("ضريبة القيمة المضافة", "VAT"),
    "vat_included": ("ضريبة القيمة المضافة (شاملة)", "VAT (included)"),
    "line_total": ("الإجمالي شامل الضريبة", "Total incl. VAT"),
    "subtotal": ("المجموع قبل الخصم", "Subtotal"),
    "discounts": ("الخصومات", "Discounts"),
    "total": ("الإجمالي المستحق", "Total due"),
    "paid": ("المدفوع", "Paid"),
    "unpaid": ("المتبقي", "Balance due"),
    "notes": ("ملاحظات", "Notes"),
    "print": ("طباعة", "Print"),
    "not_printable": ("لا يمكن طباعة هذه الفاتورة", "This invoice cannot be printed"),
    "pending": (
        "لم تعتمد هيئة الزكاة والضريبة والجمارك هذه الفاتورة بعد: لا يجوز تسليمها للمشتري",
        "ZATCA has not cleared this invoice yet: it cannot be given to the buyer",
    ),
    "rejected": (
        "رفضت هيئة الزكاة والضريبة والجمارك هذه الفاتورة: صحّحها بإشعار دائن وفاتورة جديدة",
        "ZATCA rejected this invoice: correct it by a credit note and a new invoice",
    ),
    "draft": (
        "هذه الفاتورة مسودة: تُطبع بعد إصدارها",
        "This invoice is a draft: it prints once it is issued",
    ),
    "last_error": ("آخر خطأ", "Last error"),
    "zatca_errors": ("أخطاء الهيئة", "ZATCA's errors"),
}

UBL_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
QR_XPATH = (
    "/*/cac:AdditionalDocumentReference[cbc:ID='QR']/cac:Attachment/cbc:EmbeddedDocumentBinaryObject/text()"
)
CLEARED = (ZatcaDocument.Status.CLEARED, ZatcaDocument.Status.CLEARED_WITH_WARNINGS)


@dataclass(frozen=True)
class PrintLabel:
    """A label as printed: in the page's language, or on a bilingual page Arabic and English each in its own
    element and direction (never run together in one string the bidirectional algorithm would reorder)."""

    arabic: str
    english: str
    language: str

    def __str__(self) -> str:
        if self.language == Workspace.ReceiptLanguage.ARABIC:
            return self.arabic
        if self.language == Workspace.ReceiptLanguage.ENGLISH:
            return self.english
        return self.arabic if self.same else f"{self.arabic} / {self.english}"

    @property
    def same(self) -> bool:
        """One text for both languages (`#`): printed once."""
        return self.arabic == self.english

    @property
    def html(self) -> SafeString:
        """The label's markup: its text, or on a bilingual page Arabic above English, each in its direction."""
        if self.language != Workspace.ReceiptLanguage.BOTH or self.same:
            return format_html("{}", str(self))
        return format_html(
            '<span class="both"><span lang="ar" dir="rtl">{}</span> <span lang="en" dir="ltr">{}</span></span>',
            self.arabic,
            self.english,
        )


def label(key: str, language: str) -> PrintLabel:
    arabic, english = LABELS[key]
    return PrintLabel(arabic, english, language)


def money_text(value: Decimal, places: int) -> str:
    """An amount as printed: `places` minor digits, `.` as the decimal point, `,` grouping (`1,234.50`)."""
    return f"{value:,.{places}f}"


def price_text(value: Decimal, places: int) -> str:
    """A unit price as printed: the currency's minor digits, more where the price has them (`0.3333`)."""
    exponent = value.normalize().as_tuple().exponent
    digits = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return money_text(value, max(places, digits))


def address_text(address: dict[str, Any] | None) -> str:
    """A national address on one line: `2322 Prince Sultan, Al-Murabba, Riyadh 23333` (the country outside SA)."""
    address = address or {}
    street = " ".join(str(address.get(key) or "").strip() for key in ("buildingNumber", "street")).strip()
    city = " ".join(str(address.get(key) or "").strip() for key in ("city", "postalCode")).strip()
    parts = [street, str(address.get("district") or "").strip(), city]
    country = str(address.get("countryCode") or "").strip().upper()
    if country and country != "SA":
        parts.append(country)
    return ", ".join(part for part in parts if part)


def cleared_qr(document: ZatcaDocument) -> str:
    """The QR the buyer's invoice carries: the one ZATCA stamped into its cleared XML, else the signed one."""
    if document.cleared_xml:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(bytes(document.cleared_xml), parser)
        found = root.xpath(QR_XPATH, namespaces=UBL_NS)
        if found and found[0].strip():
            return found[0].strip()
    return document.qr


def phase1_qr(invoice: Invoice) -> str | None:
    """The phase-1 QR (tags 1-5: seller, VAT number, time, total, VAT) of a store that signs nothing; None where
    the workspace has no VAT number."""
    return workspace_qr(
        invoice.workspace,
        timestamp=invoice.created_at,
        total_with_vat=invoice.summary_total,
        vat_total=invoice.summary_tax,
    )


def invoice_for_print(*, workspace: Workspace, invoice_id: int) -> Invoice | None:
    """One invoice of this workspace with all the page reads: the invoice with its workspace, client and store
    (one query), its items with their products and taxes (one more), whatever the number of lines."""
    return (
        Invoice.objects.filter(workspace=workspace, pk=invoice_id)
        .select_related("workspace", "client", "store")
        .prefetch_related(
            Prefetch(
                "items", queryset=InvoiceItem.objects.select_related("product", "tax1", "tax2").order_by("pk")
            )
        )
        .first()
    )


def _refusal(invoice: Invoice, document: ZatcaDocument | None) -> tuple[str, list[str]] | None:
    """Why the invoice cannot be printed (a label key and the details to show), or None: it prints."""
    if invoice.draft:
        return "draft", []
    if document is None or document.kind != ZatcaDocument.Kind.STANDARD or document.status in CLEARED:
        return None
    if document.status == ZatcaDocument.Status.REJECTED:
        return "rejected", _messages(document.errors)
    return "pending", [document.last_error] if document.last_error else []


def _messages(entries: list[Any]) -> list[str]:
    """ZATCA's errors as it wrote them (`code: message`)."""
    lines = []
    for entry in entries or []:
        if isinstance(entry, dict):
            code, text = entry.get("code") or "", entry.get("message") or ""
            lines.append(f"{code}: {text}" if code and text else code or text)
        else:
            lines.append(str(entry))
    return [line for line in lines if line]


def _title(invoice: Invoice, document: ZatcaDocument | None) -> str:
    if document is not None:
        return "tax_invoice" if document.kind == ZatcaDocument.Kind.STANDARD else "simplified_tax_invoice"
    if not invoice.workspace.vat_number:
        return "invoice"
    return "tax_invoice" if VAT_NUMBER.match(invoice.client.tax_number or "") else "simplified_tax_invoice"


def _item_name(item: InvoiceItem, language: str) -> list[tuple[str, str]]:
    """The line's name as (text, language) pairs: the product's Arabic name where it has one, its name in English;
    both, one under the other, on a bilingual page."""
    name, arabic = item.product.name, item.product.name_ar or ""
    if language == Workspace.ReceiptLanguage.ENGLISH or not arabic:
        return [(name, "")]
    if language == Workspace.ReceiptLanguage.ARABIC or arabic == name:
        return [(arabic, "ar")]
    return [(arabic, "ar"), (name, "en")]


def _with_vat(item: InvoiceItem) -> Decimal:
    """The line's amount with its VAT: its total where its prices carry the tax, else its total plus its tax."""
    taxes = [tax for tax in (item.tax1, item.tax2) if tax is not None]
    return item.total if any(tax.inclusive for tax in taxes) else item.total + item.tax_amount


def _rate_text(item: InvoiceItem) -> str:
    rates = [tax.rate for tax in (item.tax1, item.tax2) if tax is not None]
    return " + ".join(f"{decimal_literal(rate)}%" for rate in rates) or "0%"


def _row(key: str, language: str, value: str, *, number: bool = False, total: bool = False) -> dict[str, Any]:
    """A line of label and value; `number` sets the value as a figure (left to right)."""
    return {"label": label(key, language), "value": value, "number": number, "total": total}


def _party_rows(language: str, rows: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    """The rows of a party that have a value (`key`, `value`, `number`)."""
    return [_row(key, language, value, number=number) for key, value, number in rows if value]


def invoice_print_context(invoice: Invoice, document: ZatcaDocument | None) -> dict[str, Any]:
    """The page's context, from an invoice loaded by `invoice_for_print` and its ZATCA document (None: the store
    signs nothing); no query of its own."""
    workspace = invoice.workspace
    language = workspace.receipt_language
    places = minor_unit(invoice.currency)
    currency = invoice.currency
    title = _title(invoice, document)
    frame = {
        "language": "en" if language == Workspace.ReceiptLanguage.ENGLISH else "ar",
        "direction": "ltr" if language == Workspace.ReceiptLanguage.ENGLISH else "rtl",
        "bilingual": language == Workspace.ReceiptLanguage.BOTH,
        "labels": {key: label(key, language) for key in LABELS},
        "workspace": workspace,
        "invoice": invoice,
        "title": label(title, language),
    }
    refusal = _refusal(invoice, document)
    if refusal is not None:
        reason, details = refusal
        return {**frame, "refused": label(reason, language), "refusal": reason, "details": details}
    if document is None:
        payload = phase1_qr(invoice)
    elif document.kind == ZatcaDocument.Kind.STANDARD:
        payload = cleared_qr(document)
    else:
        payload = document.qr
    store, client = invoice.store, invoice.client
    seller = _party_rows(
        language,
        [
            ("name", workspace.legal_name or workspace.name, False),
            ("vat_number", workspace.vat_number, True),
            ("cr_number", workspace.cr_number, True),
            ("store", store.name, False),
            ("address", address_text(store.national_address) or store.address, False),
        ],
    )
    standard = title == "tax_invoice"
    buyer = _party_rows(
        language,
        [
            ("name", client.name, False),
            ("vat_number", client.tax_number if standard else "", True),
            ("cr_number", client.cr_number if standard else "", True),
            ("address", address_text(client.address) if standard else "", False),
        ],
    )
    details = [
        _row("number", language, invoice.no, number=True),
        _row("date", language, invoice.date.isoformat(), number=True),
    ]
    if standard:
        details.append(_row("supply_date", language, invoice.date.isoformat(), number=True))
    if invoice.po_number:
        details.append(_row("po_number", language, invoice.po_number, number=True))
    # Prices that carry the tax: the total is the subtotal less the discounts (as the credit note reads it).
    included = invoice.summary_tax > 0 and (
        invoice.summary_subtotal - invoice.summary_discount == invoice.summary_total
    )
    totals = [
        _row("subtotal", language, f"{money_text(invoice.summary_subtotal, places)} {currency}", number=True)
    ]
    if invoice.summary_discount:
        totals.append(
            _row("discounts", language, f"-{money_text(invoice.summary_discount, places)}", number=True)
        )
    totals.append(
        _row(
            "vat_included" if included else "vat",
            language,
            money_text(invoice.summary_tax, places),
            number=True,
        )
    )
    totals.append(
        _row(
            "total",
            language,
            f"{money_text(invoice.summary_total, places)} {currency}",
            number=True,
            total=True,
        )
    )
    if invoice.summary_paid:
        totals.append(_row("paid", language, money_text(invoice.summary_paid, places), number=True))
        totals.append(_row("unpaid", language, money_text(invoice.summary_unpaid, places), number=True))
    return {
        **frame,
        "refused": None,
        "seller": seller,
        "buyer": buyer,
        "buyer_key": "buyer" if standard else "client",
        "net_label": label("net_amount_included" if included else "net_amount", language),
        "details": details,
        "items": [
            {
                "position": position,
                "names": _item_name(item, language),
                "quantity": decimal_literal(item.quantity),
                "unit_price": price_text(item.unit_price, places),
                "discount": money_text(item.discount_amount, places),
                "vat_rate": _rate_text(item),
                "net": money_text(item.total, places),
                "vat": money_text(item.tax_amount, places),
                "total": money_text(_with_vat(item), places),
            }
            for position, item in enumerate(invoice.items.all(), start=1)
        ],
        "totals": totals,
        "notes": invoice.notes or "",
        "zatca_payload": payload,
        "zatca_qr_svg": segno.make(payload, error="m").svg_data_uri(scale=3, border=2) if payload else None,
    }


def render_sales_invoice(invoice: Invoice, document: ZatcaDocument | None) -> str:
    """The printed A4 invoice, or the page that says why it cannot be printed yet."""
    return render_to_string("invoicing/invoice_print.html", invoice_print_context(invoice, document))
