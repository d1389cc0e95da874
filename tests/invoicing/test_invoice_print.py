"""The printed api2 invoice in the back office (PRODUCT.md sections 8, 8b, 8c): an A4 tax invoice in the workspace's
receipt language whose figures are the API's; a standard one prints once ZATCA cleared it, with the cleared XML's
QR, and until then the page says why and shows no line."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import etree, html

from invoicing.invoice_print import address_text, money_text
from invoicing.models import Tax
from invoicing.zatca.models import ZatcaDocument
from invoicing.zatca.onboarding import zatca_onboard
from invoicing.zatca.qr import decode_tlv
from tests.factories import (
    ClientFactory,
    MembershipFactory,
    StoreFactory,
    UserFactory,
    WorkspaceFactory,
    owner_access,
)
from tests.invoicing.api2_helpers import key_client
from tests.invoicing.factories import ProductFactory
from tests.invoicing.helpers import body
from tests.invoicing.zatca.sellers import ADDRESS, make_seller
from tests.invoicing.zatca.test_clearance import NS, business, issue

pytestmark = pytest.mark.django_db

TITLES = {
    "ar": ("فاتورة ضريبية", "فاتورة ضريبية مبسطة"),
    "en": ("Tax invoice", "Simplified tax invoice"),
}


@pytest.fixture
def seller(workspace, store):
    make_seller(workspace, store)
    return workspace


@pytest.fixture
def device(seller, store):
    return zatca_onboard(
        store=store, access=owner_access(seller), otp="123345", environment="sandbox", invoice_type="1100"
    )


@pytest.fixture
def product(workspace):
    vat = Tax.objects.create(workspace=workspace, name="VAT", rate=Decimal(15))
    product = ProductFactory(
        workspace=workspace,
        name="Coffee beans 1 kg",
        name_ar="بن قهوة 1 كغ",
        price=Decimal("80.00"),
        track_stock=False,
    )
    product.taxes.set([vat])
    product.vat = vat
    return product


@pytest.fixture
def admin(owner):
    browser = Client()
    browser.force_login(owner)
    return browser


def print_url(invoice_id: int) -> str:
    return f"/admin/invoicing/invoice/{invoice_id}/print/"


def printed(admin, invoice_id: int) -> html.HtmlElement:
    response = admin.get(print_url(invoice_id))
    assert response.status_code == 200, response.content
    return html.fromstring(response.content.decode())


def has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def select(root, selector: str) -> list:
    """The elements of a small CSS selector (`.a`, `tag.a`, `.a tag`, `td`), read with XPath."""
    steps = []
    for part in selector.split():
        tag, _dot, name = part.partition(".")
        steps.append(f"{tag or '*'}[{has_class(name)}]" if name else tag)
    return root.xpath(".//" + "//".join(steps))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def language(workspace, value: str) -> None:
    workspace.receipt_language = value
    workspace.save(update_fields=["receipt_language"])


def api_invoice(api, invoice_id: int) -> dict:
    return body(api.get(f"/api2/invoices/{invoice_id}.json"))["data"]


def cleared_xml_qr(document: ZatcaDocument) -> str:
    root = etree.fromstring(bytes(document.cleared_xml))
    return root.xpath(
        "cac:AdditionalDocumentReference[cbc:ID='QR']/cac:Attachment/cbc:EmbeddedDocumentBinaryObject/text()",
        namespaces=NS,
    )[0]


@pytest.mark.parametrize("receipt_language", ["ar", "en", "ar-en"])
def test_a_cleared_standard_invoice_prints_the_apis_figures_and_the_cleared_qr(
    device, seller, store, product, admin, receipt_language
):
    # Given a standard invoice ZATCA cleared, in the workspace's receipt language
    api = key_client(seller)
    buyer = business(seller)
    invoice_id = body(issue(api, buyer, store, product))["id"]
    language(seller, receipt_language)
    data = api_invoice(api, invoice_id)
    document = ZatcaDocument.objects.get(source_id=invoice_id)
    assert data["Invoice"]["zatca"]["status"] == "cleared"

    # When the owner prints it
    page = printed(admin, invoice_id)

    # Then the page is the tax invoice in that language, with the API's figures to the halala
    assert page.get("dir") == ("ltr" if receipt_language == "en" else "rtl")
    title = text_of(select(page, ".title")[0])
    if receipt_language == "ar-en":
        assert title == f"{TITLES['ar'][0]} {TITLES['en'][0]}"
    else:
        assert title == TITLES[receipt_language][0]
    lines = select(page, "tr.line")
    assert len(lines) == len(data["InvoiceItem"]) == 1
    item = data["InvoiceItem"][0]
    cells = [text_of(cell) for cell in select(lines[0], "td")]
    assert cells[2:] == [
        "3",
        "80.00",
        money_text(Decimal(str(item["discount_amount"])), 2),
        money_text(Decimal(str(item["total"])), 2),
        "15%",
        money_text(Decimal(str(item["tax_amount"])), 2),
        money_text(Decimal(str(item["total"])) + Decimal(str(item["tax_amount"])), 2),
    ]
    assert cells[2:] == ["3", "80.00", "24.00", "216.00", "15%", "32.40", "248.40"]
    totals = [text_of(cell) for cell in select(page, ".totals td")]
    invoice = data["Invoice"]
    assert totals == [
        f"{money_text(Decimal(str(invoice['summary_subtotal'])), 2)} SAR",
        f"-{money_text(Decimal(str(invoice['summary_discount'])), 2)}",
        money_text(Decimal(str(invoice["summary_tax"])), 2),
        f"{money_text(Decimal(str(invoice['summary_total'])), 2)} SAR",
    ]
    assert totals == ["240.00 SAR", "-24.00", "32.40", "248.40 SAR"]
    # The seller and the buyer, as ZATCA's standard invoice names them
    seller_text, buyer_text = (text_of(section) for section in select(page, ".parties section"))
    for value in ("شركة القهوة", "310122393500003", "1010010000", address_text(ADDRESS)):
        assert value in seller_text
    for value in (
        "مطعم النخيل",
        "399999999900003",
        "1010101010",
        "2322 Prince Sultan, Al-Murabba, Riyadh 23333",
    ):
        assert value in buyer_text
    assert invoice["no"] in text_of(select(page, ".details")[0])
    # And its QR is the one ZATCA stamped into the cleared XML
    qr = select(page, ".qr img")[0]
    assert qr.get("data-zatca") == cleared_xml_qr(document)
    assert qr.get("src").startswith("data:image/svg+xml")
    assert decode_tlv(qr.get("data-zatca"))[2] == b"310122393500003"


def test_an_english_page_carries_no_arabic_label_and_an_arabic_page_no_english_one(
    device, seller, store, product, admin
):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller, name="Palm restaurant"), store, product))["id"]

    language(seller, "en")
    english = text_of(printed(admin, invoice_id))
    language(seller, "ar")
    arabic = text_of(printed(admin, invoice_id))

    assert "Coffee beans 1 kg" in english and "بن قهوة 1 كغ" not in english
    assert "Unit price" in english and "سعر الوحدة" not in english
    assert "بن قهوة 1 كغ" in arabic and "Coffee beans 1 kg" not in arabic
    assert "سعر الوحدة" in arabic and "Unit price" not in arabic


@pytest.mark.parametrize("receipt_language", ["ar", "en"])
def test_a_pending_standard_invoice_says_why_and_shows_no_line(
    device, seller, store, product, admin, receipt_language
):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller), store, product, po_number="RETRY"))["id"]
    language(seller, receipt_language)
    assert api_invoice(api, invoice_id)["Invoice"]["zatca"]["status"] == "pending"

    page = printed(admin, invoice_id)

    text = text_of(page)
    assert select(page, ".refused")[0].get("data-refusal") == "pending"
    reason = {
        "ar": "لم تعتمد هيئة الزكاة والضريبة والجمارك هذه الفاتورة بعد: لا يجوز تسليمها للمشتري",
        "en": "ZATCA has not cleared this invoice yet: it cannot be given to the buyer",
    }[receipt_language]
    assert reason in text
    assert "503" in text  # the last error
    assert not select(page, "tr.line") and not select(page, ".qr") and not select(page, ".totals")
    assert "248.40" not in text and "Coffee beans" not in text and "بن قهوة" not in text


def test_a_rejected_standard_invoice_says_why_with_zatcas_errors(device, seller, store, product, admin):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller, vat_number="300000000000003"), store, product))["id"]
    language(seller, "ar-en")

    page = printed(admin, invoice_id)

    text = text_of(page)
    assert select(page, ".refused")[0].get("data-refusal") == "rejected"
    assert "ZATCA rejected this invoice: correct it by a credit note and a new invoice" in text
    assert "رفضت هيئة الزكاة والضريبة والجمارك هذه الفاتورة" in text
    assert "BR-KSA-40" in text
    assert not select(page, "tr.line") and not select(page, ".qr") and "248.40" not in text


def test_a_simplified_invoice_prints_at_once_with_its_signed_qr(device, seller, store, product, admin):
    api = key_client(seller)
    walk_in = ClientFactory(workspace=seller, name="Walk-in")
    invoice_id = body(issue(api, walk_in, store, product))["id"]
    document = ZatcaDocument.objects.get(source_id=invoice_id)
    assert document.kind == "simplified" and document.status == "pending"  # reported afterwards
    language(seller, "en")

    page = printed(admin, invoice_id)

    assert text_of(select(page, ".title")[0]) == "Simplified tax invoice"
    assert select(page, ".qr img")[0].get("data-zatca") == document.qr
    assert len(select(page, "tr.line")) == 1
    buyer = text_of(select(page, ".parties section")[1])
    assert "Walk-in" in buyer and "VAT number" not in buyer


def test_a_store_that_signs_nothing_prints_with_the_phase_1_qr(seller, store, product, admin):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller), store, product))["id"]
    language(seller, "en")

    page = printed(admin, invoice_id)

    assert text_of(select(page, ".title")[0]) == "Tax invoice"  # a VAT-registered buyer
    tags = decode_tlv(select(page, ".qr img")[0].get("data-zatca"))
    assert sorted(tags) == [1, 2, 3, 4, 5]
    assert tags[2] == b"310122393500003" and tags[4] == b"248.40" and tags[5] == b"32.40"


def test_a_long_legal_name_prints_with_the_qr_field_cut_to_fit(seller, store, product, admin):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller), store, product))["id"]
    seller.legal_name = "ي" * 200  # 400 bytes of UTF-8: the QR's field holds 255
    seller.save()

    page = printed(admin, invoice_id)

    tags = decode_tlv(select(page, ".qr img")[0].get("data-zatca"))
    assert tags[1].decode() == "ي" * 127


def test_without_a_vat_number_the_invoice_prints_without_a_qr(workspace, store, product, admin):
    api = key_client(workspace)
    invoice_id = body(issue(api, ClientFactory(workspace=workspace, name="Walk-in"), store, product))["id"]

    page = printed(admin, invoice_id)

    assert not select(page, ".qr")
    assert text_of(select(page, ".title")[0]) == "فاتورة"


def test_the_issued_invoices_page_links_to_its_print(device, seller, store, product, admin):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller), store, product))["id"]

    page = admin.get(f"/admin/invoicing/invoice/{invoice_id}/change/").content.decode()

    assert f'href="{print_url(invoice_id)}"' in page


def test_a_draft_says_it_prints_once_issued(seller, store, product, admin):
    api = key_client(seller)
    invoice_id = body(issue(api, business(seller), store, product, draft=1))["id"]

    page = printed(admin, invoice_id)

    assert select(page, ".refused")[0].get("data-refusal") == "draft"
    assert not select(page, "tr.line")
    change = admin.get(f"/admin/invoicing/invoice/{invoice_id}/change/").content.decode()
    assert print_url(invoice_id) not in change


def test_another_workspaces_invoice_is_a_404(seller, store, product, admin):
    other = WorkspaceFactory(name="Other")
    other_store = StoreFactory(workspace=other)
    other_product = ProductFactory(workspace=other, price=Decimal(5), track_stock=False)
    other_product.vat = Tax.objects.create(workspace=other, name="VAT", rate=Decimal(15))
    other_id = body(issue(key_client(other), ClientFactory(workspace=other), other_store, other_product))[
        "id"
    ]

    assert admin.get(print_url(other_id)).status_code == 404


def test_a_member_without_invoices_manage_gets_403(seller, store, product):
    invoice_id = body(issue(key_client(seller), business(seller), store, product))["id"]
    clerk = UserFactory(name="Clerk")
    MembershipFactory(
        workspace=seller, user=clerk, permissions=["pos.sessions.manage"], store=store, admin_access=True
    )
    browser = Client()
    browser.force_login(clerk)

    assert browser.get(print_url(invoice_id)).status_code == 403


def test_the_query_count_does_not_grow_with_the_lines(device, seller, store, product, admin):
    api = key_client(seller)
    other = ProductFactory(workspace=seller, name="Cardamom", price=Decimal("12.00"), track_stock=False)
    one = body(issue(api, business(seller), store, product))["id"]
    line = {"product_id": other.pk, "quantity": 1, "unit_price": "12.00", "tax1": product.vat.pk}
    many = body(
        issue(
            api,
            business(seller, name="Other buyer"),
            store,
            product,
            InvoiceItem=[{"product_id": product.pk, "quantity": 3, "unit_price": "80.00"}, *[line] * 5],
        )
    )["id"]
    printed(admin, one)  # the session's workspace, warmed

    counts = []
    for invoice_id in (one, many):
        with CaptureQueriesContext(connection) as queries:
            page = printed(admin, invoice_id)
        counts.append(len(queries))
        assert select(page, ".qr")
    assert len(select(printed(admin, many), "tr.line")) == 6
    assert counts[0] == counts[1]
