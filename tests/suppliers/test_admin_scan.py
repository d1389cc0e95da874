"""The scanned invoice in the back office (issue 17): the file chosen on the invoice's page goes through the API's
upload service (checked by content, WebP without metadata, the quota, the upload record), becomes the invoice's
image URL, and shows as a thumbnail served to the member's admin session. A refused file is said beside the field
and leaves nothing stored."""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from suppliers.models import InvoiceFile, SupplierInvoice
from tests.conftest import make_staff
from tests.suppliers.test_admin import invoice_form, shown
from tests.suppliers.test_images import picture, stored_files
from workspaces import codes

pytestmark = pytest.mark.django_db

ADD = "/admin/suppliers/supplierinvoice/add/"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
NOT_AN_IMAGE = "Upload a JPEG, PNG, WebP or GIF image, or a PDF."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


def with_scan(supplier, content: bytes, name: str, **fields):
    return {**invoice_form(supplier, **fields), "scan": SimpleUploadedFile(name, content, "image/png")}


def test_a_scan_uploaded_in_the_admin_is_stored_as_webp_and_shown(admin_client, supplier, workspace, media):
    # A photo with its camera's metadata.
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    photo = picture("JPEG", size=(300, 200), exif=exif)
    response = admin_client.post(ADD, with_scan(supplier, photo, "فاتورة.jpg"))
    assert response.status_code == 302, response.content.decode()[:3000]

    invoice = SupplierInvoice.objects.get()
    stored = InvoiceFile.objects.get()
    name = stored.name.rsplit("/", 1)[1]
    # The invoice carries the upload's URL, as the API's client would pass it; the upload is attached.
    assert invoice.image_url == f"http://testserver/v1/workspace/{workspace.pk}/files/{name}"
    assert (stored.content_type, stored.attached_at is not None) == ("image/webp", True)
    assert stored_files(media) == [stored.name]

    # The invoice's page shows it as a thumbnail that opens the image, for the admin's session.
    page = admin_client.get(f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/").content.decode()
    thumbnail = f"/admin/suppliers/supplierinvoice/files/{name}/"
    assert (
        f'<a href="{thumbnail}" target="_blank" rel="noopener" class="scan-thumbnail"><img src="{thumbnail}"'
        in page
    )
    image = admin_client.get(thumbnail)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"
    assert (image["X-Content-Type-Options"], image["Content-Security-Policy"]) == ("nosniff", "sandbox")
    served = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    assert (served.format, served.size, dict(served.getexif())) == ("WEBP", (300, 200), {})


def test_a_text_file_is_refused_beside_the_field_and_nothing_is_stored(admin_client, supplier, media):
    response = admin_client.post(ADD, with_scan(supplier, b"not an invoice\n", "invoice.png"))
    assert response.status_code == 200
    page = response.content.decode()
    assert shown(page, css_class="field-scan").startswith(f"{NOT_AN_IMAGE} Scanned invoice:")
    # What was typed is kept; nothing is stored, no invoice made.
    assert shown(page, css_class="field-invoice_number") == "Invoice number: INV-١٠"
    assert not SupplierInvoice.objects.exists()
    assert not InvoiceFile.objects.exists()
    assert stored_files(media) == []


def test_a_file_over_10_mb_is_refused(admin_client, supplier, media):
    big = b"%PDF-" + b"0" * (10 * 1024 * 1024)
    response = admin_client.post(ADD, with_scan(supplier, big, "big.pdf"))
    assert response.status_code == 200
    assert shown(response.content.decode(), css_class="field-scan").startswith(
        "The file is larger than 10 MB."
    )
    assert not InvoiceFile.objects.exists() and stored_files(media) == []


def test_the_quota_is_the_api_one(admin_client, supplier, media, settings):
    settings.UPLOAD_QUOTA_BYTES = 10
    response = admin_client.post(ADD, with_scan(supplier, picture("PNG"), "scan.png"))
    assert response.status_code == 200
    assert "would exceed its quota of 10 bytes." in shown(response.content.decode(), css_class="field-scan")
    assert not InvoiceFile.objects.exists() and stored_files(media) == []


def test_a_scan_with_a_refused_invoice_leaves_nothing_behind(admin_client, supplier, workspace, media):
    from tests.suppliers.conftest import make_invoice

    make_invoice(workspace, supplier, "inv-10")
    response = admin_client.post(ADD, with_scan(supplier, picture("PNG"), "scan.png"))
    assert response.status_code == 200
    assert shown(response.content.decode(), css_class="field-invoice_number").startswith(
        "An invoice with this number already exists in this workspace."
    )
    assert not InvoiceFile.objects.exists()
    assert stored_files(media) == []


def test_a_pdf_is_a_link_downloaded_as_an_attachment(admin_client, supplier, workspace):
    response = admin_client.post(ADD, with_scan(supplier, PDF, "invoice.pdf"))
    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = SupplierInvoice.objects.get()
    name = urlsplit(invoice.image_url).path.rsplit("/", 1)[1]
    assert name.endswith(".pdf")
    page = admin_client.get(f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/").content.decode()
    link = f"/admin/suppliers/supplierinvoice/files/{name}/"
    assert shown(page, css_class="field-scan_preview") == "Scan: Download the PDF"
    assert f'href="{link}"' in page and "<img" not in shown_html(page, "field-scan_preview")
    download = admin_client.get(link)
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF


def shown_html(page: str, css_class: str) -> str:
    start = page.index(css_class)
    return page[start : page.index('<div class="form-row', start)]


def test_a_scan_replaces_the_one_of_an_invoice(admin_client, supplier, workspace):
    admin_client.post(ADD, with_scan(supplier, picture("PNG"), "first.png"))
    invoice = SupplierInvoice.objects.get()
    first = invoice.image_url
    form = with_scan(supplier, picture("GIF"), "second.gif", image_url=first)
    response = admin_client.post(f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/", form)
    assert response.status_code == 302, response.context["errors"]
    invoice.refresh_from_db()
    assert invoice.image_url != first and invoice.image_url.endswith(".webp")
    assert InvoiceFile.objects.filter(attached_at__isnull=False).count() == 2


def test_another_address_is_a_link_not_an_image(admin_client, supplier, workspace):
    form = invoice_form(supplier, image_url="https://storage.example/scan.webp")
    assert admin_client.post(ADD, form).status_code == 302
    invoice = SupplierInvoice.objects.get()
    page = admin_client.get(f"/admin/suppliers/supplierinvoice/{invoice.pk}/change/").content.decode()
    assert shown(page, css_class="field-scan_preview") == "Scan: Open the image"
    assert "<img" not in shown_html(page, "field-scan_preview")  # the page loads no third-party image


def test_the_file_url_is_for_members_of_its_workspace_only(
    client, admin_client, owner, supplier, workspace, store, other_workspace, other_owner
):
    admin_client.post(ADD, with_scan(supplier, picture("PNG"), "scan.png"))
    name = urlsplit(SupplierInvoice.objects.get().image_url).path.rsplit("/", 1)[1]
    url = f"/admin/suppliers/supplierinvoice/files/{name}/"
    assert admin_client.get(url).status_code == 200

    # Another workspace's owner with admin access: not their file.
    other_owner.memberships.update(admin_access=True)
    client.force_login(other_owner)
    assert client.get(url).status_code == 404
    # A member without `suppliers.view`.
    client.force_login(make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store, admin_access=True))
    assert client.get(url).status_code == 403
    # A member who may read suppliers.
    client.force_login(make_staff(workspace, codes.SUPPLIERS_VIEW, store=store, admin_access=True))
    assert client.get(url).status_code == 200
    # Nobody logged in: the admin's login page.
    client.logout()
    assert client.get(url)["Location"].startswith("/admin/login/")
    # A name that is not a stored file.
    admin_client.force_login(owner)
    assert admin_client.get("/admin/suppliers/supplierinvoice/files/nothing.webp/").status_code == 404
    assert admin_client.get("/admin/suppliers/supplierinvoice/files/scan.exe/").status_code == 404
