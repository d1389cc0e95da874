"""The printed api2 invoice in the owner's back office, in Chromium, in Arabic and in English (PRODUCT.md section 8c):
from a cleared standard invoice's page the owner clicks Print and sees the A4 tax invoice with its QR; a pending one's
page says why it cannot be printed. Screenshots go to /tmp/shots/print_*.png."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser.conftest import needs_chromium, signed_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
BUYER_ADDRESS = {
    "street": "Prince Sultan",
    "buildingNumber": "2322",
    "district": "Al-Murabba",
    "city": "Riyadh",
    "postalCode": "23333",
    "countryCode": "SA",
}
A4_WIDTH_PX = round(210 * 96 / 25.4)


def look(page, name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"print_{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    return page.inner_text("body")


@pytest.fixture
def invoices(shop):
    """The shop's store onboarded for both kinds; a standard api2 invoice cleared and one left pending (the
    sandbox answers 503 once to `po_number` RETRY)."""
    from invoicing.models import Product, Tax
    from invoicing.services import SalesInvoiceLine, sales_invoice_create
    from invoicing.zatca.onboarding import zatca_onboard
    from pos.models import PosInvoice
    from tests.browser.backoffice_data import ADDRESS
    from tests.factories import ClientFactory, owner_access

    sale = PosInvoice.objects.select_related("workspace", "store").get(pk=shop.invoice_id)
    workspace, store = sale.workspace, sale.store
    workspace.vat_number, workspace.cr_number = "310122393500003", "1010010000"
    workspace.save(update_fields=["vat_number", "cr_number"])
    store.national_address = ADDRESS
    store.save(update_fields=["national_address"])
    access = owner_access(workspace)
    zatca_onboard(store=store, access=access, otp="123345", environment="sandbox", invoice_type="1100")
    vat = Tax.objects.filter(workspace=workspace, rate=Decimal(15)).first() or Tax.objects.create(
        workspace=workspace, name="VAT", rate=Decimal(15)
    )
    product = Product.objects.filter(workspace=workspace).first()
    made = []
    for name, po_number in (("مطعم النخيل", None), ("Palm trading", "RETRY")):
        buyer = ClientFactory(
            workspace=workspace,
            name=name,
            tax_number="399999999900003",
            address=BUYER_ADDRESS,
            cr_number="1010101010",
        )
        made.append(
            sales_invoice_create(
                workspace=workspace,
                access=access,
                client_id=buyer.pk,
                store_id=store.pk,
                currency="SAR",
                po_number=po_number,
                lines=[
                    SalesInvoiceLine(
                        product_id=product.pk,
                        quantity=Decimal(2),
                        unit_price=Decimal("40.00"),
                        tax1_id=vat.pk,
                    )
                ],
            )
        )
    return workspace, made


@pytest.mark.parametrize("language", ["ar", "en", "ar-en"])
def test_the_owner_prints_a_cleared_invoice_and_a_pending_one_says_why(
    page, live_server, shop, invoices, language
):
    """The back office in Arabic or English, the invoice in the workspace's receipt language (ar-en: both, the
    back office in Arabic)."""
    from invoicing.zatca.models import ZatcaDocument

    workspace, (cleared, pending) = invoices
    workspace.receipt_language = language
    workspace.save(update_fields=["receipt_language"])
    states = {
        invoice.pk: ZatcaDocument.objects.get(source_type="api2_invoice", source_id=invoice.pk).status
        for invoice in (cleared, pending)
    }
    assert states == {cleared.pk: "cleared", pending.pk: "pending"}
    open_as = signed_in(page, live_server, shop.owner_email)
    page = open_as("en" if language == "en" else "ar")

    page.goto(f"{live_server.url}/admin/invoicing/invoice/{cleared.pk}/change/")
    text = look(page, f"invoice_page_{language}")
    if language != "en":
        assert "Printed invoice" not in text and "Print" not in text  # the link's label is translated
    with page.context.expect_page() as opened:
        page.click("a.invoice-print")
    printed = opened.value
    printed.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    text = look(printed, f"cleared_{language}")
    assert printed.get_attribute("html", "dir") == ("ltr" if language == "en" else "rtl")
    assert ("Tax invoice" if language == "en" else "فاتورة ضريبية") in text
    assert ("Tax invoice" in text) == (language != "ar")
    assert "80.00" in text and "92.00" in text and "12.00" in text  # 2 × 40.00, VAT 12.00, total 92.00
    assert "399999999900003" in text and "310122393500003" in text
    assert printed.locator(".qr img").evaluate("img => img.naturalWidth") > 0
    assert printed.locator("tr.line").count() == 1
    printed.close()

    page.goto(f"{live_server.url}/admin/invoicing/invoice/{pending.pk}/print/")
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    text = look(page, f"pending_{language}")
    reasons = {
        "ar": "لم تعتمد هيئة الزكاة والضريبة والجمارك هذه الفاتورة بعد",
        "en": "ZATCA has not cleared this invoice yet: it cannot be given to the buyer",
    }
    assert all(reasons[part] in text for part in language.split("-")) and "503" in text
    assert page.locator("tr.line").count() == 0 and page.locator(".qr").count() == 0
    assert open_as.errors == []
