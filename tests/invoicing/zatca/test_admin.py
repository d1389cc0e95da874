"""ZATCA phase 2 in the back office (PRODUCT.md sections 8b and 9): the devices' pages and the "Onboard" page (the
API's own `zatca_onboard`, owner only, refusals as messages with nothing written), the documents' list and read-only
pages with their QR and signed XML, the Today panel's counts, the store's national address and the workspace's CR
number; in Arabic and English; scoped to the workspace; and never a key or a secret in any page."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from invoicing.zatca.chain import decrypt
from invoicing.zatca.dashboard import today_panel
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.onboarding import zatca_onboard
from tests.browser.backoffice_data import ADDRESS, sign_sample
from tests.conftest import make_staff
from tests.factories import StoreFactory
from tests.invoicing.zatca.sellers import make_seller
from tests.pos.conftest import owner_access
from workspaces import codes

pytestmark = pytest.mark.django_db

DEVICES, DOCUMENTS = "/admin/invoicing/zatcadevice/", "/admin/invoicing/zatcadocument/"


@pytest.fixture
def seller(workspace, store):
    return make_seller(workspace, store)


@pytest.fixture
def device(seller, workspace, owner) -> ZatcaDevice:
    return zatca_onboard(
        store=seller, access=owner_access(workspace, owner), otp="123345", environment="sandbox"
    )


@pytest.fixture
def document(device) -> ZatcaDocument:
    return sign_sample(device.store, number="INV-0001", source_id=1)


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    client.cookies["django_language"] = "en"
    return client


def in_language(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def page(client, url: str, language: str = "en") -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Pages, in both languages --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_zatca_page_reads_in_the_language(admin_client, device, document, language):
    rejected = sign_sample(device.store, number="INV-0002", source_id=2)
    rejected.status, rejected.errors = (
        ZatcaDocument.Status.REJECTED,
        [
            {
                "type": "ERROR",
                "code": "BR-KSA-37",
                "category": "KSA",
                "message": "The seller's address is wrong.",
            }
        ],
    )
    rejected.save()
    urls = {
        "devices": DEVICES,
        "device": f"{DEVICES}{device.pk}/change/",
        "onboard": f"{DEVICES}onboard/{device.store_id}/",
        "documents": DOCUMENTS,
        "document": f"{DOCUMENTS}{rejected.pk}/change/",
        "index": "/admin/",
        "store": f"/admin/workspaces/store/{device.store_id}/change/",
    }
    html = {name: page(admin_client, url, language) for name, url in urls.items()}
    direction = 'dir="rtl"' if language == "ar" else 'dir="ltr"'
    assert all(direction in text for text in html.values())
    expected = {
        "devices": ["Sandbox (offline)", "Active", "Simplified only", "certificate expires"],
        "device": ["Onboard again", "This device's documents", "last ICV"],
        "onboard": ["One-time password (OTP)", "Onboard"],
        "documents": ["POS sale", "Pending", "Rejected", "urgency"],
        "document": ["Download the XML", "Rejected", "ZATCA QR code"],
        "index": ["ZATCA e-invoicing", "Not yet reported to ZATCA", "Rejected by ZATCA"],
        "store": ["National address (ZATCA)", "building number", "ZATCA device", "Onboard again"],
    }
    for name, labels in expected.items():
        for label in labels:
            translated = in_language(label, language)
            text = unescape(html[name])
            assert translated in text or translated[:1].upper() + translated[1:] in text, (name, label)
            if language == "ar":
                assert translated != label, f"untranslated: {label}"
    # ZATCA's errors read as lines, not JSON; the QR is an image; the XML a link.
    assert "BR-KSA-37: The seller&#x27;s address is wrong." in html["document"]
    assert '{"' not in html["document"] and "data:image/svg+xml" in html["document"]
    assert f'href="{DOCUMENTS}{rejected.pk}/xml/"' in html["document"]
    assert f'href="/admin/pos/posinvoice/{rejected.source_id}/change/"' in html["documents"]
    assert rejected.hash in html["document"] and str(rejected.uuid) in html["document"]
    assert "EGS-" in html["devices"]  # the certificate's subject CN


def test_the_signed_xml_downloads_as_it_was_hashed(admin_client, document):
    response = admin_client.get(f"{DOCUMENTS}{document.pk}/xml/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == 'attachment; filename="INV-0001.xml"'
    assert response.content == bytes(document.xml)


def test_a_pending_document_over_20_hours_old_is_urgent(admin_client, document, device):
    fresh = sign_sample(device.store, number="INV-0002", source_id=2)
    ZatcaDocument.objects.filter(pk=document.pk).update(created_at=timezone.now() - dt.timedelta(hours=21))
    html = page(admin_client, DOCUMENTS)
    assert html.count('class="zatca-urgent"') == 1
    urgent = page(admin_client, f"{DOCUMENTS}?urgent=yes")
    assert "INV-0001" in urgent and fresh.number not in urgent
    assert fresh.number in page(admin_client, f"{DOCUMENTS}?q=INV-0002")
    assert "INV-0001" not in page(admin_client, f"{DOCUMENTS}?q=INV-0002")


def test_the_lists_and_pages_read_as_many_queries_with_20_rows_as_with_1(admin_client, document, device):
    pages = [
        DEVICES,
        f"{DEVICES}{device.pk}/change/",
        DOCUMENTS,
        f"{DOCUMENTS}?status__exact=pending&device__id__exact={device.pk}",
        f"{DOCUMENTS}{document.pk}/change/",
    ]
    counts = []
    for url in pages:
        admin_client.get(url)  # the first request reads what the session and the caches then keep
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        counts.append(len(captured))
    assert max(counts) <= 12, counts
    for number in range(2, 21):
        sign_sample(device.store, number=f"INV-{number:04d}", source_id=number)
    other = make_seller(device.workspace, StoreFactory(workspace=device.workspace, name="الفرع الثاني"))
    zatca_onboard(
        store=other,
        access=owner_access(device.workspace, _owner(device)),
        otp="123345",
        environment="sandbox",
    )
    for url, count in zip(pages, counts, strict=True):
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        assert len(captured) == count, (url, count, [q["sql"] for q in captured])
    assert ZatcaDocument.objects.count() == 20


def _owner(device: ZatcaDevice):
    return device.workspace.memberships.get(role="owner").user


# --- Onboarding from the admin -------------------------------------------------------------------------------


def test_the_devices_list_offers_the_stores_not_yet_onboarded(
    admin_client, device, workspace, other_workspace
):
    waiting = StoreFactory(workspace=workspace, name="فرع جدة")
    StoreFactory(workspace=other_workspace, name="Their store")
    html = page(admin_client, DEVICES)
    assert f'href="{DEVICES}onboard/{waiting.pk}/"' in html
    assert f'href="{DEVICES}onboard/{device.store_id}/"' not in html and "Their store" not in html


def test_the_owner_onboards_a_store_from_its_page_in_sandbox(admin_client, seller):
    store_page = page(admin_client, f"/admin/workspaces/store/{seller.pk}/change/")
    assert f'href="{DEVICES}onboard/{seller.pk}/"' in store_page and "Onboard with ZATCA" in store_page
    response = admin_client.post(
        f"{DEVICES}onboard/{seller.pk}/", {"otp": "123345", "environment": "sandbox", "invoice_type": "0100"}
    )
    device = ZatcaDevice.objects.get(store=seller)
    assert response.status_code == 302 and response["Location"] == f"{DEVICES}{device.pk}/change/"
    assert (device.status, device.environment, device.invoice_type) == ("active", "sandbox", "0100")
    assert messages_of(response) == ["الفرع الرئيسي is onboarded with ZATCA (Sandbox (offline))."]
    # Onboarding again (a button on the device's page) keeps the chain and the row.
    assert f'href="{DEVICES}onboard/{seller.pk}/"' in page(admin_client, f"{DEVICES}{device.pk}/change/")
    admin_client.post(
        f"{DEVICES}onboard/{seller.pk}/", {"otp": "111111", "environment": "sandbox", "invoice_type": "1100"}
    )
    assert ZatcaDevice.objects.get().invoice_type == "1100"


def test_an_incomplete_seller_is_told_what_is_missing_with_links_and_nothing_is_written(admin_client, store):
    store.national_address = {**ADDRESS, "postalCode": "123"}
    store.save()
    response = admin_client.post(
        f"{DEVICES}onboard/{store.pk}/", {"otp": "123345", "environment": "sandbox", "invoice_type": "0100"}
    )
    assert response.status_code == 200 and not ZatcaDevice.objects.exists()
    (message,) = messages_of(response)
    assert f'<a href="/admin/workspaces/workspace/{store.workspace_id}/change/">VAT number</a>' in message
    assert f'<a href="/admin/workspaces/workspace/{store.workspace_id}/change/">CR number</a>' in message
    assert f'<a href="/admin/workspaces/store/{store.pk}/change/">postal code</a>' in message
    assert "street" not in message
    assert (
        f'<a href="/admin/workspaces/store/{store.pk}/change/">postal code</a>' in response.content.decode()
    )


def test_a_bad_otp_and_a_refusal_of_zatca_are_shown_and_nothing_is_written(admin_client, seller, settings):
    response = admin_client.post(
        f"{DEVICES}onboard/{seller.pk}/", {"otp": "12a", "environment": "sandbox", "invoice_type": "0100"}
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = admin_client.post(
        f"{DEVICES}onboard/{seller.pk}/", {"otp": "12345a", "environment": "sandbox", "invoice_type": "0100"}
    )
    assert messages_of(response) == ["The one-time password is six digits."]
    # The simulation portal cannot be reached (a closed local port): ZATCA's refusal is a message.
    settings.ZATCA_BASE_URLS = {**settings.ZATCA_BASE_URLS, "simulation": "http://127.0.0.1:9"}
    response = admin_client.post(
        f"{DEVICES}onboard/{seller.pk}/",
        {"otp": "123456", "environment": "simulation", "invoice_type": "0100"},
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith("ZATCA refused the compliance CSID (no answer)")
    assert not ZatcaDevice.objects.exists()


# --- Permissions and scoping ---------------------------------------------------------------------------------


def test_devices_are_the_owners_and_documents_whoever_reads_the_pos_invoices(
    client, workspace, device, document
):
    cashier = make_staff(workspace, codes.STORE_ORDERS_MANAGE, admin_access=True)
    nobody = make_staff(workspace, admin_access=True)
    client.force_login(cashier)
    for url in (DEVICES, f"{DEVICES}{device.pk}/change/", f"{DEVICES}onboard/{device.store_id}/"):
        assert client.get(url).status_code == 403, url
    before = ZatcaDevice.objects.values().get()
    response = client.post(
        f"{DEVICES}onboard/{device.store_id}/",
        {"otp": "123345", "environment": "sandbox", "invoice_type": "1100"},
    )
    assert response.status_code == 403 and ZatcaDevice.objects.values().get() == before
    for url in (DOCUMENTS, f"{DOCUMENTS}{document.pk}/change/", f"{DOCUMENTS}{document.pk}/xml/"):
        assert client.get(url).status_code == 200, url
    html = page(client, f"{DOCUMENTS}{document.pk}/change/")
    assert 'name="_save"' not in html and "/delete/" not in html
    assert "ZATCA e-invoicing" in page(client, "/admin/")
    client.force_login(nobody)
    for url in (DOCUMENTS, f"{DOCUMENTS}{document.pk}/change/", f"{DOCUMENTS}{document.pk}/xml/", DEVICES):
        assert client.get(url).status_code == 403, url
    assert "ZATCA e-invoicing" not in page(client, "/admin/")


def test_another_workspaces_device_and_documents_are_absent(
    admin_client, other_workspace, other_owner, device
):
    theirs = make_seller(other_workspace, other_workspace.stores.get())
    their_device = zatca_onboard(
        store=theirs, access=owner_access(other_workspace, other_owner), otp="123345", environment="sandbox"
    )
    their_document = sign_sample(theirs, number="THEIRS-1", source_id=99)
    assert theirs.name not in page(admin_client, DEVICES)
    assert "THEIRS-1" not in page(admin_client, DOCUMENTS)
    assert "THEIRS-1" not in page(admin_client, f"{DOCUMENTS}?device__id__exact={their_device.pk}")
    for url in (f"{DEVICES}{their_device.pk}/change/", f"{DOCUMENTS}{their_document.pk}/change/"):
        assert admin_client.get(url)["Location"] == "/admin/", url  # Django's "does not exist"
    assert admin_client.get(f"{DOCUMENTS}{their_document.pk}/xml/").status_code == 404
    assert admin_client.get(f"{DEVICES}onboard/{theirs.pk}/").status_code == 404
    response = admin_client.post(
        f"{DEVICES}onboard/{theirs.pk}/", {"otp": "123345", "environment": "sandbox", "invoice_type": "1100"}
    )
    assert response.status_code == 404 and ZatcaDevice.objects.get(pk=their_device.pk).invoice_type == "0100"
    # The device filter offers our devices only.
    assert f"device__id__exact={their_device.pk}" not in page(admin_client, DOCUMENTS)


def test_no_key_or_secret_appears_on_any_page(admin_client, device, document):
    device.refresh_from_db()
    private_key = decrypt(device.private_key)
    body = "".join(line for line in private_key.splitlines() if "PRIVATE KEY" not in line)
    secrets = {
        "private key (encrypted)": device.private_key,
        "compliance secret": decrypt(device.compliance_secret),
        "compliance secret (encrypted)": device.compliance_secret,
        "production secret": decrypt(device.production_secret),
        "production secret (encrypted)": device.production_secret,
        "production token": device.production_token,
        "compliance token": device.compliance_token,
        "CSR": device.csr,
    }
    secrets |= {
        f"private key line {n}": line for n, line in enumerate(private_key.splitlines()) if len(line) > 20
    }
    urls = [
        DEVICES,
        f"{DEVICES}{device.pk}/change/",
        f"{DEVICES}{device.pk}/history/",
        f"{DEVICES}onboard/{device.store_id}/",
        DOCUMENTS,
        f"{DOCUMENTS}{document.pk}/change/",
        f"{DOCUMENTS}{document.pk}/history/",
        f"/admin/workspaces/store/{device.store_id}/change/",
        "/admin/",
    ]
    for language in ("en", "ar"):
        for url in urls:
            html = page(admin_client, url, language)
            assert body[:40] not in html, url
            for name, secret in secrets.items():
                assert secret and secret not in html, f"{name} on {url}"
            assert not re.search(
                r"PRIVATE KEY|CERTIFICATE REQUEST|name=\"(private_key|csr|\w+_secret|\w+_token)\"", html
            )


# --- Today -----------------------------------------------------------------------------------------------------


def test_today_counts_the_unreported_the_urgent_and_the_rejected(
    workspace, owner, device, document, django_assert_max_num_queries
):
    access = owner_access(workspace, owner)
    second = sign_sample(device.store, number="INV-0002", source_id=2)
    third = sign_sample(device.store, number="INV-0003", source_id=3)
    ZatcaDocument.objects.filter(pk=document.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=20, minutes=1)
    )
    ZatcaDocument.objects.filter(pk=second.pk).update(status=ZatcaDocument.Status.REJECTED)
    ZatcaDocument.objects.filter(pk=third.pk).update(status=ZatcaDocument.Status.REPORTED)
    with django_assert_max_num_queries(2):
        panel = today_panel(workspace=workspace, access=access)
    rows = {row["key"]: (row["count"], row["alarm"], row["url"]) for row in panel["rows"]}
    assert rows == {
        "pending": (1, False, f"{DOCUMENTS}?status__exact=pending"),
        "urgent": (1, True, f"{DOCUMENTS}?urgent=yes"),
        "rejected": (1, True, f"{DOCUMENTS}?status__exact=rejected"),
    }


def test_today_shows_nothing_without_a_device(workspace, owner, store):
    assert today_panel(workspace=workspace, access=owner_access(workspace, owner)) is None


# --- The seller's details in the workspace's and the store's pages --------------------------------------------


def test_the_store_page_saves_the_national_address_through_the_service(admin_client, store):
    form = {
        "name": store.name,
        "code": "",
        "address": "",
        "national_street": "طريق الملك فهد",
        "national_building_number": "1234",
        "national_district": "العليا",
        "national_city": "الرياض",
        "national_postal_code": "12345",
        "national_short_address": "RRRD2929",
    }
    response = admin_client.post(f"/admin/workspaces/store/{store.pk}/change/", form)
    assert response.status_code == 302
    store.refresh_from_db()
    assert store.national_address == {
        "street": "طريق الملك فهد",
        "buildingNumber": "1234",
        "district": "العليا",
        "city": "الرياض",
        "postalCode": "12345",
        "shortAddress": "RRRD2929",
    }
    html = page(admin_client, f"/admin/workspaces/store/{store.pk}/change/")
    assert 'name="national_city"' in html and 'value="الرياض"' in html and "<textarea" not in html
    refused = admin_client.post(
        f"/admin/workspaces/store/{store.pk}/change/",
        {**form, "national_building_number": "12", "national_postal_code": "abcde"},
    )
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "The building number is 4 digits." in text and "The postal code is 5 digits." in text
    store.refresh_from_db()
    assert store.national_address["buildingNumber"] == "1234"


def test_the_workspace_page_takes_the_cr_number(admin_client, workspace):
    html = page(admin_client, f"/admin/workspaces/workspace/{workspace.pk}/change/")
    assert 'name="cr_number"' in html
    fields = {
        "name": workspace.name,
        "currency": workspace.currency,
        "timezone": workspace.timezone,
        "receipt_language": workspace.receipt_language,
        "suppliers_enabled": "on",
    }
    url = f"/admin/workspaces/workspace/{workspace.pk}/change/"
    response = admin_client.post(url, {**fields, "cr_number": "12345"})
    assert response.status_code == 200 and "The CR number is 10 digits." in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.cr_number == ""
    assert admin_client.post(url, {**fields, "cr_number": "1010010000"}).status_code == 302
    workspace.refresh_from_db()
    assert workspace.cr_number == "1010010000"
