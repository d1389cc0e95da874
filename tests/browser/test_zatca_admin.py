"""ZATCA phase 2 in the owner's back office, in Chromium, in Arabic and in English (PRODUCT.md sections 8b and 9): the
owner opens the store's page, clicks "Onboard with ZATCA", onboards it in the sandbox, lands on the device's page,
finds the signed sale among the documents with its QR and its XML, and reads the Today panel's counts (one of them
urgent). Screenshots go to /tmp/shots/zatca_*.png for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from tests.browser.conftest import needs_chromium, signed_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def in_language(label: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(label)


def look(page, name: str) -> str:
    """A full-page screenshot to /tmp/shots, and the page's text; nothing wider than the window."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"zatca_{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    return page.inner_text("body")


@pytest.fixture
def seller(shop):
    """The café's VAT and CR numbers and its store's national address: what ZATCA needs of the seller."""
    from pos.models import PosInvoice
    from tests.browser.backoffice_data import ADDRESS

    invoice = PosInvoice.objects.select_related("workspace", "store").get(pk=shop.invoice_id)
    workspace, store = invoice.workspace, invoice.store
    workspace.vat_number, workspace.cr_number = "310122393500003", "1010010000"
    workspace.save(update_fields=["vat_number", "cr_number"])
    store.national_address = ADDRESS
    store.save(update_fields=["national_address"])
    return invoice


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_owner_onboards_the_store_and_reads_its_documents(page, live_server, shop, seller, language):
    from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
    from tests.browser.backoffice_data import sign_sample

    open_as = signed_in(page, live_server, shop.owner_email)
    page = open_as(language)
    direction = "rtl" if language == "ar" else "ltr"
    store = seller.store

    # The devices' list offers the store, not yet onboarded.
    page.goto(f"{live_server.url}/admin/invoicing/zatcadevice/")
    look(page, f"devices_empty_{language}")
    assert page.locator("a.zatca-onboard-store").count() == 1

    # The store's page offers "Onboard with ZATCA", and its national address as plain fields.
    page.goto(f"{live_server.url}/admin/workspaces/store/{store.pk}/change/")
    text = look(page, f"store_{language}")
    assert page.get_attribute("html", "dir") == direction
    assert page.input_value("#id_national_postal_code") == "12345"
    assert in_language("National address (ZATCA)", language) in text
    page.click("a.zatca-onboard-link")

    # The onboarding page: a one-time password, the sandbox, simplified invoices.
    page.wait_for_url(re.compile(rf".*/admin/invoicing/zatcadevice/onboard/{store.pk}/$"))
    page.fill("#id_otp", "123345")
    assert page.input_value("#id_environment") == "sandbox"
    text = look(page, f"onboard_{language}")
    assert in_language("One-time password (OTP)", language) in text
    if language == "ar":
        assert "One-time password" not in text and "Onboard" not in text
    page.click("input[type=submit]")

    # The device's page: active, in the sandbox, its certificate read from the PEM; never a key or a secret.
    page.wait_for_url(re.compile(r".*/admin/invoicing/zatcadevice/\d+/change/$"))
    device = ZatcaDevice.objects.get(store=store)
    text = look(page, f"device_{language}")
    assert page.get_attribute("html", "dir") == direction
    assert device.status == "active"
    made = in_language("%(store)s is onboarded with ZATCA (%(environment)s).", language)
    with translation.override(language):
        environment = device.get_environment_display()
    assert made % {"store": store.name, "environment": environment} in text
    assert in_language("Active", language) in text and device.common_name in text
    html = page.content()
    assert "PRIVATE KEY" not in html and device.production_token not in html

    # The devices' list: the store, its environment, its certificate's name and expiry.
    page.goto(f"{live_server.url}/admin/invoicing/zatcadevice/")
    text = look(page, f"devices_{language}")
    assert device.common_name in text and in_language("Simplified only", language) in text

    # A sale signed into the chain (as the till signs it), one over 20 hours old: urgent.
    document = sign_sample(store, number=seller.public_id, source_id=seller.pk)
    old = sign_sample(store, number="INV-OLD", source_id=seller.pk + 1000)
    ZatcaDocument.objects.filter(pk=old.pk).update(created_at=document.created_at - dt.timedelta(hours=21))

    # The documents' list: the sale linked, its status, the old one urgent.
    page.goto(f"{live_server.url}/admin/invoicing/zatcadocument/")
    text = look(page, f"documents_{language}")
    assert seller.public_id in text and "INV-OLD" in text
    assert in_language("Urgent", language) in text and in_language("POS sale", language) in text
    assert page.locator(".zatca-urgent").count() == 1
    page.click(f"a[href='/admin/invoicing/zatcadocument/{document.pk}/change/']")

    # The document's page: its QR as an image, its hash, its XML to download.
    page.wait_for_url(re.compile(rf".*/admin/invoicing/zatcadocument/{document.pk}/change/$"))
    text = look(page, f"document_{language}")
    assert document.hash in text and str(document.uuid) in text
    assert page.locator("img.zatca-qr").evaluate("img => img.naturalWidth") > 0
    with page.expect_download() as download:
        page.click("a.zatca-xml")
    assert Path(download.value.path()).read_bytes() == bytes(document.xml)

    # Today: two not yet reported, one of them urgent, none rejected.
    page.goto(f"{live_server.url}/admin/")
    look(page, f"index_{language}")
    panel = page.locator(".zatca-panel")
    assert in_language("ZATCA e-invoicing", language).casefold() in panel.inner_text().casefold()
    assert panel.locator("tr.zatca-pending td").inner_text() == "2"
    assert panel.locator("tr.zatca-urgent td").inner_text() == "1"
    assert panel.locator("tr.zatca-urgent td strong").count() == 1  # shown in red
    assert panel.locator("tr.zatca-rejected td").inner_text() == "0"
    panel.locator("tr.zatca-urgent a").click()
    page.wait_for_url(re.compile(r".*/admin/invoicing/zatcadocument/\?urgent=yes$"))
    text = look(page, f"urgent_{language}")
    assert "INV-OLD" in text and seller.public_id not in text
    assert open_as.errors == []
