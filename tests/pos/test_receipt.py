import base64
import re

import pytest

from tests.pos.conftest import stocked_product

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
    assert "size: 80mm auto" in html
    for text in (
        "شركة الياسمين للتجارة",
        "POS-001",
        "قهوة عربية",
        "30.00",
        "VAT 15%",
        "4.50",
        "34.50",
        "5.50",
        "فاتورة ضريبية مبسطة",
    ):
        assert text in html, text


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


def test_no_qr_without_a_vat_number(cashier_client, new_invoice, invoices_url):
    html = cashier_client.get(f"{invoices_url}/{new_invoice()['id']}/receipt").content.decode()
    assert "data-zatca" not in html
    assert "فاتورة" in html


def test_receipt_of_another_workspace_is_404(cashier_client, invoices_url, session):
    assert cashier_client.get(f"{invoices_url}/999999/receipt").status_code == 404
