"""A standard (B2B) invoice cleared by ZATCA in the owner's back office, in Chromium, in Arabic and in English
(PRODUCT.md section 8c): the invoice's page shows its kind and clearance state, a rejected one ZATCA's error, and the
cleared document's page its QR and the cleared XML to download. Screenshots go to /tmp/shots/clearance_*.png."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

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


def in_language(label: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(label)


def look(page, name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"clearance_{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    return page.inner_text("body")


@pytest.fixture
def invoices(shop):
    """The shop's store onboarded for both kinds; an api2 invoice cleared and one rejected (the sandbox's
    rejected buyer)."""
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
    for name, number in (("مطعم النخيل", "399999999900003"), ("Rejected buyer", "300000000000003")):
        buyer = ClientFactory(workspace=workspace, name=name, tax_number=number, address=BUYER_ADDRESS)
        made.append(
            sales_invoice_create(
                workspace=workspace,
                access=access,
                client_id=buyer.pk,
                store_id=store.pk,
                currency="SAR",
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
    return made


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_cleared_and_a_rejected_invoice_in_the_back_office(page, live_server, shop, invoices, language):
    from invoicing.zatca.models import ZatcaDocument

    cleared, rejected = invoices
    document = ZatcaDocument.objects.get(source_id=cleared.pk, source_type="api2_invoice")
    assert document.status == "cleared" and document.cleared_xml
    open_as = signed_in(page, live_server, shop.owner_email)
    page = open_as(language)

    page.goto(f"{live_server.url}/admin/invoicing/invoice/{cleared.pk}/change/")
    text = look(page, f"invoice_{language}")
    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    assert f"{in_language('Standard', language)} — {in_language('Cleared', language)}" in text

    page.goto(f"{live_server.url}/admin/invoicing/invoice/{rejected.pk}/change/")
    text = look(page, f"rejected_{language}")
    assert in_language("Rejected", language) in text and "BR-KSA-40" in text

    page.goto(f"{live_server.url}/admin/invoicing/invoice/{cleared.pk}/change/")
    page.click(f"a[href='/admin/invoicing/zatcadocument/{document.pk}/change/']")
    page.wait_for_url(re.compile(rf".*/admin/invoicing/zatcadocument/{document.pk}/change/$"))
    look(page, f"document_{language}")
    assert page.locator("img.zatca-qr").evaluate("img => img.naturalWidth") > 0
    with page.expect_download() as download:
        page.click("a.zatca-xml")
    assert Path(download.value.path()).read_bytes() == bytes(document.cleared_xml)  # what the buyer gets
    assert open_as.errors == []
