import base64
import re
from html.parser import HTMLParser

import pytest

from pos import services
from tests.factories import ClientFactory, StoreFactory
from tests.pos.conftest import owner_access, stocked_product
from tests.pos.services_helpers import open_day

pytestmark = pytest.mark.django_db


def decode_tlv(payload: str) -> dict[int, str]:
    """ZATCA phase 1 QR: base64 of TLV records (tag byte, length byte, UTF-8 value)."""
    raw = base64.b64decode(payload)
    fields, index = {}, 0
    while index < len(raw):
        tag, length = raw[index], raw[index + 1]
        fields[tag] = raw[index + 2 : index + 2 + length].decode("utf-8")
        index += 2 + length
    return fields


class ReceiptRows(HTMLParser):
    """The receipt's table rows as the printer prints them: the text of each cell, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[tuple[str, ...]] = []
        self._cells: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._cells = []
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")

    def handle_endtag(self, tag):
        if tag == "tr" and self._cells is not None:
            self.rows.append(tuple(" ".join(cell.split()) for cell in self._cells))
            self._cells = None

    def handle_data(self, data):
        if self._cells:
            self._cells[-1] += data


@pytest.fixture
def sold(cashier_client, invoices_url, new_invoice, workspace, store, vat):
    workspace.vat_number = "310122393500003"
    workspace.legal_name = "شركة الياسمين للتجارة"
    workspace.save()
    product = stocked_product(workspace, store, price="10", taxes=[vat], name="قهوة عربية")
    url = f"{invoices_url}/{new_invoice()['id']}"
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 3}, format="json")
    cashier_client.post(f"{url}/complete", {"payments": [{"method": "cash", "amount": 40}]}, format="json")
    return url


def test_receipt_is_an_rtl_80mm_page_with_the_sale(cashier_client, sold):
    response = cashier_client.get(f"{sold}/receipt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    # A valid 80 mm page (`80mm auto` is not one), as long as the receipt once receipt.js runs (test_printing).
    assert "@page { size: 80mm 297mm; margin: 3mm; }" in html and '<div class="receipt" data-roll>' in html
    assert "شركة الياسمين للتجارة" in html and "فاتورة ضريبية مبسطة" in html
    # Every printed line, exactly: 3 × 10.00 = 30.00, VAT 15 % of 30.00 = 4.50, 34.50 paid with 40.00 cash.
    rows = ReceiptRows(html).rows
    assert ("رقم الفاتورة", "POS-001") in rows
    assert ("العميل", "عميل نقدي") in rows
    assert rows[rows.index(("الصنف", "الكمية", "السعر", "المجموع")) :] == [
        ("الصنف", "الكمية", "السعر", "المجموع"),
        ("قهوة عربية", "3", "10.00", "30.00"),
        ("المجموع الفرعي", "30.00 SAR"),
        ("VAT 15%", "4.50"),
        ("الإجمالي", "34.50 SAR"),
        ("نقداً", "40.00"),  # the receipt's language, not the browser's
        ("الباقي للعميل", "5.50"),
    ]


def test_receipt_qr_decodes_to_the_five_zatca_fields(cashier_client, sold, workspace):
    html = cashier_client.get(f"{sold}/receipt").content.decode()
    payload = re.search(r'data-zatca="([^"]+)"', html).group(1)
    fields = decode_tlv(payload)
    invoice = cashier_client.get(sold).json()["invoice"]
    assert fields[1] == "شركة الياسمين للتجارة"
    assert fields[2] == "310122393500003"
    assert fields[3] == invoice["completedAt"][:19] + "Z"
    assert fields[4] == "34.50"
    assert fields[5] == "4.50"
    assert 'src="data:image/svg+xml' in html


def test_a_legal_name_longer_than_the_qr_holds_is_cut_at_a_letter(cashier_client, sold, workspace):
    # 200 Arabic letters are 400 bytes of UTF-8; a QR field holds 255. Once a 500: now printed, the name cut.
    workspace.legal_name = "ش" * 200
    workspace.save()

    response = cashier_client.get(f"{sold}/receipt")

    assert response.status_code == 200
    fields = decode_tlv(re.search(r'data-zatca="([^"]+)"', response.content.decode()).group(1))
    assert fields[1] == "ش" * 127  # 254 bytes: the 128th letter would make 256
    assert "ش" * 200 in response.content.decode()  # the receipt's header still prints it whole


def test_no_qr_without_a_vat_number(cashier_client, new_invoice, invoices_url):
    html = cashier_client.get(f"{invoices_url}/{new_invoice()['id']}/receipt").content.decode()
    assert "data-zatca" not in html
    assert "فاتورة" in html


def test_receipt_of_another_workspace_is_404(
    cashier_client, invoices_url, session, other_workspace, other_owner
):
    # Another workspace's REAL invoice (not an id nobody has): its receipt is not found here, and says nothing.
    their_store = StoreFactory(workspace=other_workspace, name="Their store")
    access = owner_access(other_workspace, other_owner)
    open_day(other_workspace, access, their_store)
    theirs = services.invoice_create(
        workspace=other_workspace,
        access=access,
        client=ClientFactory(workspace=other_workspace, name="Their client"),
        store=their_store,
    )

    response = cashier_client.get(f"{invoices_url}/{theirs.pk}/receipt")

    assert response.status_code == 404
    # The same answer as for an id that does not exist: nothing tells that the invoice exists elsewhere.
    assert response.json() == {"message": "Invoice not found.", "code": "not_found"}
    assert cashier_client.get(f"{invoices_url}/999999/receipt").json() == response.json()


@pytest.fixture
def breakfast(cashier_client, invoices_url, new_invoice, workspace, store, vat):
    """A sale at 03:57 in Riyadh (00:57 UTC) of a product with an Arabic name, with a 10% manual discount."""
    import datetime as dt

    from pos.models import PosInvoice

    workspace.name = "مقهى الياسمين"
    workspace.legal_name = "شركة الياسمين للتجارة"
    workspace.vat_number = "310122393500003"
    workspace.save()
    vat.name = "VAT 15%"
    vat.save()
    product = stocked_product(workspace, store, price="20", taxes=[vat], name="Croissant", name_ar="كرواسون")
    url = f"{invoices_url}/{new_invoice()['id']}"
    cashier_client.post(f"{url}/items", {"productId": product.pk, "quantity": 2}, format="json")
    cashier_client.post(f"{url}/discounts", {"type": "percent", "value": 10, "reason": ""}, format="json")
    cashier_client.post(
        f"{url}/complete", {"payments": [{"method": "card", "amount": "41.40"}]}, format="json"
    )
    stamp = dt.datetime(2026, 3, 1, 0, 57, tzinfo=dt.UTC)
    PosInvoice.objects.filter(pk=url.rsplit("/", 1)[1]).update(completed_at=stamp)
    return url


def rows_of(client, url, **headers):
    html = client.get(f"{url}/receipt", **headers).content.decode()
    return html, ReceiptRows(html).rows


def test_arabic_receipt_prints_arabic_names_local_time_and_each_figure_once(cashier_client, breakfast):
    # 2 × 20.00 = 40.00; 10% discount 4.00; VAT 15% of 36.00 = 5.40; total 41.40 by card.
    html, rows = rows_of(cashier_client, breakfast)
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>مقهى الياسمين</h1>" in html and "شركة الياسمين للتجارة" in html
    assert ("التاريخ", "2026-03-01 03:57") in rows
    assert rows[rows.index(("الصنف", "الكمية", "السعر", "المجموع")) :] == [
        ("الصنف", "الكمية", "السعر", "المجموع"),
        ("كرواسون", "2", "20.00", "40.00"),
        ("المجموع الفرعي", "40.00 SAR"),
        ("خصم 10%", "-4.00"),
        ("VAT 15%", "5.40"),
        ("الإجمالي", "41.40 SAR"),
        ("بطاقة", "41.40"),
    ]


def test_english_receipt_whatever_the_browser_says(cashier_client, breakfast, workspace):
    workspace.receipt_language = "en"
    workspace.save()
    html, rows = rows_of(cashier_client, breakfast, HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="en" dir="ltr">' in html
    assert "Simplified tax invoice" in html
    assert rows[rows.index(("Item", "Qty", "Price", "Amount")) :] == [
        ("Item", "Qty", "Price", "Amount"),
        ("Croissant", "2", "20.00", "40.00"),
        ("Subtotal", "40.00 SAR"),
        ("Discount 10%", "-4.00"),
        ("VAT 15%", "5.40"),
        ("Total", "41.40 SAR"),
        ("Card", "41.40"),
    ]


def test_bilingual_receipt(cashier_client, breakfast, workspace):
    workspace.receipt_language = "ar-en"
    workspace.save()
    html, rows = rows_of(cashier_client, breakfast)
    assert '<html lang="ar" dir="rtl">' in html
    # Each label in two columns of its own, Arabic then (to its left) English, the value between them; the
    # lines' headers and names one language under the other. Where/how they land: tests/browser/test_printing.
    assert rows == [
        ("رقم الفاتورة", "POS-001", "Invoice no."),
        ("التاريخ", "2026-03-01 03:57", "Date"),
        ("العميل", "عميل نقدي", "Client"),
        ("الصنف Item", "الكمية Qty", "السعر Price", "المجموع Amount"),
        ("كرواسون Croissant", "2", "20.00", "40.00"),
        ("المجموع الفرعي", "40.00 SAR", "Subtotal"),
        ("خصم 10%", "-4.00", "Discount 10%"),
        ("", "5.40", "VAT 15%"),  # the tax's own name: once, in the column of its script
        ("الإجمالي", "41.40 SAR", "Total"),
        ("بطاقة", "41.40", "Card"),
    ]
    # The English label reads left to right on its own: its full stop stays after "no".
    assert '<th scope="row" class="en" lang="en" dir="ltr">Invoice no.</th>' in html
    assert '<td class="num"><bdi>POS-001</bdi></td>' in html
    assert (
        "فاتورة ضريبية مبسطة" in html
        and "Simplified tax invoice" in html
        and " / " not in html.split("<button")[0]
    )


def test_receipt_language_is_a_workspace_field(owner_client, workspace):
    url = f"/v1/workspace/{workspace.pk}"
    assert owner_client.get(url).json()["workspace"]["receiptLanguage"] == "ar"
    changed = owner_client.patch(url, {"receiptLanguage": "ar-en"}, format="json")
    assert changed.json()["workspace"]["receiptLanguage"] == "ar-en"
    refused = owner_client.patch(url, {"receiptLanguage": "fr"}, format="json")
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["receiptLanguage"])


def test_a_label_of_both_languages_prints_each_in_its_own_column():
    from pos.receipts import ReceiptLabel

    columns = [
        (label.arabic_column, label.english_column)
        for label in (
            ReceiptLabel("نقداً", "Cash", "ar-en"),
            ReceiptLabel(
                "VAT 15%", "VAT 15%", "ar-en"
            ),  # a tax's own name, in Latin letters: once, on the left
            ReceiptLabel(
                "عرض الافتتاح", "عرض الافتتاح", "ar-en"
            ),  # a discount's reason in Arabic: on the right
        )
    ]
    assert columns == [("نقداً", "Cash"), ("", "VAT 15%"), ("عرض الافتتاح", "")]
    assert [str(ReceiptLabel("نقداً", "Cash", language)) for language in ("ar", "en", "ar-en")] == [
        "نقداً",
        "Cash",
        "نقداً / Cash",  # where one string must do: the print button
    ]
