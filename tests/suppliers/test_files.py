"""Stored supplier invoice files (issue 15): served only to the workspace's members by an authenticated view, with
DEBUG on or off; uploads tracked, attached by the invoice that names them, removed by `cleanup_uploads` when never
attached; a per-workspace quota."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from django.test import override_settings
from django.urls import clear_url_caches
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from suppliers.models import InvoiceFile, Supplier
from tests.conftest import client_for, make_staff
from tests.suppliers.test_images import picture, post, stored_files
from workspaces import codes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def upload(accountant_client, base_url, supplier):
    """Uploads through the API; returns the path of the URL it answered."""

    def send(content: bytes | None = None, name: str = "scan.png", client=None) -> str:
        response = post(
            client or accountant_client,
            f"{base_url}/suppliers/{supplier.pk}/invoice-image",
            picture("PNG") if content is None else content,
            name,
        )
        assert response.status_code == 201, response.content
        return urlsplit(response.json()["url"]).path

    return send


@pytest.fixture
def foreign_file(other_workspace, other_owner, media):
    """A file another workspace uploaded: (its path under that workspace, its storage name)."""
    supplier = Supplier.objects.create(workspace=other_workspace, name="x")
    response = post(
        client_for(other_owner),
        f"/v1/workspace/{other_workspace.pk}/suppliers/{supplier.pk}/invoice-image",
        picture("PNG"),
        "a.png",
    )
    assert response.status_code == 201, response.content
    path = urlsplit(response.json()["url"]).path
    return path, path.rsplit("/", 1)[1]


def storage_name(path: str) -> str:
    """`/v1/workspace/<id>/files/<file>` is stored as `supplier-invoices/<id>/<file>`."""
    parts = path.split("/")
    return f"supplier-invoices/{parts[-3]}/{parts[-1]}"


# --- Serving -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])
def test_the_owner_gets_the_webp_with_nosniff(debug, upload, owner_client, media):
    path = upload()
    (name,) = stored_files(media)
    with override_settings(DEBUG=debug):
        response = owner_client.get(path)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == (media / name).read_bytes()
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "private, max-age=300"
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "WEBP"


@pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])
def test_a_pdf_is_an_attachment_under_a_sandbox(debug, upload, owner_client):
    path = upload(PDF, "invoice.pdf")
    assert path.endswith(".pdf")
    with override_settings(DEBUG=debug):
        response = owner_client.get(path)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{path.rsplit("/", 1)[1]}"'
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_same_file_under_api_v1(upload, viewer_client):
    """A member who may only read suppliers reads it too, under either prefix."""
    path = upload()
    assert viewer_client.get(path).status_code == 200
    assert viewer_client.get(f"/api{path}").status_code == 200


@pytest.mark.parametrize("debug", [True, False], ids=["debug-on", "debug-off"])
def test_no_credentials_is_401(debug, upload):
    path = upload()
    with override_settings(DEBUG=debug):
        response = APIClient().get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_member_without_suppliers_view_is_403(upload, workspace, store):
    path = upload()
    cashier = client_for(make_staff(workspace, codes.STORE_ORDERS_MANAGE, store=store))
    for method in ("get", "head"):
        response = getattr(cashier, method)(path)
        assert response.status_code == 403, method
    response = cashier.get(path)
    assert response.json()["details"] == {"permission": "suppliers.view"}


def test_the_suppliers_section_turned_off_is_403(upload, owner_client, workspace):
    path = upload()
    workspace.suppliers_enabled = False
    workspace.save()
    response = owner_client.get(path)
    assert response.status_code == 403
    assert response.json()["code"] == "suppliers_disabled"


def test_another_workspaces_file_is_404_and_its_own_url_403(foreign_file, owner_client, workspace):
    foreign_path, foreign_name = foreign_file
    # Named under this workspace's URL: not one of its files.
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/files/{foreign_name}")
    assert response.status_code == 404
    assert response.json() == {"message": "File not found.", "code": "not_found"}
    # Its own URL: this owner is not a member there.
    assert owner_client.get(foreign_path).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "never-stored-AAAAAAAAAAAAAAAAAAAAAAAAAAAA.webp",
        "supplier-invoices/{ws}/{file}",
        "..%2F{ws}%2F{file}",
        "{stem}.png",
        "..",
        "%00.webp",
        "x" * 3000 + ".webp",
    ],
    ids=["unknown", "storage-name", "encoded-traversal", "other-extension", "dot-dot", "nul", "long"],
)
def test_an_unknown_or_malformed_name_is_404(name, owner_client, workspace, upload):
    file = upload().rsplit("/", 1)[1]
    name = name.format(ws=workspace.pk, file=file, stem=file.rsplit(".", 1)[0])
    response = owner_client.get(f"/v1/workspace/{workspace.pk}/files/{name}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_file_gone_from_storage_is_404(upload, owner_client, media):
    path = upload()
    (name,) = stored_files(media)
    (media / name).unlink()
    assert owner_client.get(path).status_code == 404


# Rebuilding the URLconf registers its path converter again (deprecated, still allowed by Django 5.2).
@pytest.mark.filterwarnings("ignore::django.utils.deprecation.RemovedInDjango60Warning")
def test_media_url_serves_nothing_with_debug_on(upload, owner_client, media):
    """The URLconf as built under DEBUG (the old `static()` route) serves nothing under MEDIA_URL."""
    upload()
    (name,) = stored_files(media)
    import config.urls

    try:
        with override_settings(DEBUG=True):
            clear_url_caches()
            importlib.reload(config.urls)
            for client in (APIClient(), owner_client):
                response = client.get(f"/media/{name}")
                assert response.status_code == 404
                assert b"RIFF" not in response.content
    finally:
        importlib.reload(config.urls)
        clear_url_caches()


def test_serving_a_file_costs_two_queries(upload, owner_client, django_assert_num_queries):
    """The caller with their membership and workspace, the file's row."""
    path = upload()
    with django_assert_num_queries(2):
        assert owner_client.get(path).status_code == 200


class PresigningStorage(FileSystemStorage):
    """Stands for django-storages' S3 storage: `url(name, parameters=..., expire=...)` signs a URL."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        query = "&".join(f"{key}={value}" for key, value in sorted((parameters or {}).items()))
        return f"https://bucket.example/{name}?X-Amz-Expires={expire}&{query}"


def test_presigned_urls_on_a_storage_that_signs(upload, owner_client, settings, media):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.suppliers.test_files.PresigningStorage",
            "OPTIONS": {"location": media},
        },
    }
    settings.UPLOAD_PRESIGNED_URL_SECONDS = 120
    pdf_path = upload(PDF, "invoice.pdf")
    response = owner_client.get(pdf_path)
    assert response.status_code == 302
    name = storage_name(pdf_path)
    # The disposition names the file as the streamed answer does (quoted by the redirect).
    assert response["Location"] == (
        f"https://bucket.example/{name}?X-Amz-Expires=120"
        f"&ResponseContentDisposition=attachment;%20filename=%22{name.rsplit('/', 1)[1]}%22"
        "&ResponseContentType=application/pdf"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Turned off (the default): streamed through the view, whatever the storage.
    settings.UPLOAD_PRESIGNED_URL_SECONDS = 0
    assert owner_client.get(pdf_path).status_code == 200


# --- Tracking, attaching -------------------------------------------------------------------------------------


def test_an_upload_is_recorded_under_its_workspace(upload, workspace, media):
    path = upload()
    (name,) = stored_files(media)
    stored = InvoiceFile.objects.get()
    assert storage_name(path) == stored.name
    assert path == f"/v1/workspace/{workspace.pk}/files/{stored.name.rsplit('/', 1)[1]}"
    assert (stored.workspace_id, stored.name, stored.content_type, stored.attached_at) == (
        workspace.pk,
        name,
        "image/webp",
        None,
    )
    assert stored.size == (media / name).stat().st_size
    assert stored.name.startswith(f"supplier-invoices/{workspace.pk}/")


def test_an_invoice_naming_the_upload_attaches_it(upload, new_invoice, accountant_client, invoices_url):
    first, second = upload(), upload(picture("GIF"))
    invoice = new_invoice(imageUrl=f"https://shop.example{first}")
    assert invoice["imageUrl"] == f"https://shop.example{first}"  # returned as sent
    attached = {f.name: f.attached_at for f in InvoiceFile.objects.all()}
    assert attached[storage_name(first)] is not None
    assert attached[storage_name(second)] is None
    # A change of image attaches the new one (an /api/v1 URL names it as well).
    response = accountant_client.patch(
        f"{invoices_url}/{invoice['id']}", {"imageUrl": f"http://testserver/api{second}"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert not InvoiceFile.objects.filter(attached_at__isnull=True).exists()


def test_other_urls_attach_nothing(upload, new_invoice, foreign_file, workspace):
    mine = upload()
    foreign_path, foreign_name = foreign_file
    new_invoice(invoiceNumber="A", imageUrl=f"https://shop.example{foreign_path}")
    new_invoice(
        invoiceNumber="B", imageUrl=f"https://shop.example/v1/workspace/{workspace.pk}/files/{foreign_name}"
    )
    new_invoice(invoiceNumber="C", imageUrl=f"https://elsewhere.example/media{mine.split('/files', 1)[1]}")
    assert not InvoiceFile.objects.filter(attached_at__isnull=False).exists()


# --- cleanup_uploads -----------------------------------------------------------------------------------------


def _age(name_path: str, hours: float) -> InvoiceFile:
    stored = InvoiceFile.objects.get(name=storage_name(name_path))
    InvoiceFile.objects.filter(pk=stored.pk).update(created_at=timezone.now() - dt.timedelta(hours=hours))
    return stored


def test_cleanup_removes_only_old_unattached_uploads(upload, new_invoice, media, capsys):
    old, fresh, kept = upload(), upload(picture("GIF")), upload(PDF, "a.pdf")
    new_invoice(imageUrl=f"https://shop.example{kept}")
    old_file, fresh_file, kept_file = _age(old, 25), _age(fresh, 23), _age(kept, 48)

    call_command("cleanup_uploads", "--dry-run")
    assert "Would remove " + old_file.name in capsys.readouterr().out
    assert InvoiceFile.objects.count() == 3 and len(stored_files(media)) == 3

    call_command("cleanup_uploads")
    out = capsys.readouterr().out
    assert f"Removed {old_file.name} (workspace {old_file.workspace_id}, {old_file.size} bytes" in out
    assert f"Removed 1 unattached upload(s), {old_file.size} bytes, older than 24 hours." in out
    assert set(InvoiceFile.objects.values_list("name", flat=True)) == {fresh_file.name, kept_file.name}
    assert stored_files(media) == sorted([fresh_file.name, kept_file.name])

    call_command("cleanup_uploads", "--older-than", "1")
    assert set(InvoiceFile.objects.values_list("name", flat=True)) == {kept_file.name}
    assert stored_files(media) == [kept_file.name]


def test_cleanup_finishes_what_a_stopped_run_left(upload, media, capsys):
    """A row whose file is already gone (a run that stopped between the two) is removed all the same."""
    path = upload()
    stored = _age(path, 30)
    (media / stored.name).unlink()
    call_command("cleanup_uploads")
    assert not InvoiceFile.objects.exists()


def test_cleanup_refuses_a_negative_age():
    with pytest.raises(CommandError):
        call_command("cleanup_uploads", "--older-than", "-1")


# --- Quota ---------------------------------------------------------------------------------------------------


def test_over_the_quota_is_413_and_nothing_is_stored(
    upload, foreign_file, accountant_client, base_url, supplier, settings, media
):
    first = upload()
    used = InvoiceFile.objects.get(
        workspace=supplier.workspace
    ).size  # the other workspace's file is not counted
    second = picture("PNG", size=(300, 300))
    settings.UPLOAD_QUOTA_BYTES = used + len(images_of(second)) - 1
    url = f"{base_url}/suppliers/{supplier.pk}/invoice-image"
    response = post(accountant_client, url, second, "b.png", HTTP_IDEMPOTENCY_KEY="q-1")
    assert response.status_code == 413, response.content
    assert response.json() == {
        "message": f"This workspace's stored files would exceed its quota of {filesizeformat(settings.UPLOAD_QUOTA_BYTES)}.",
        "code": "quota_exceeded",
        "details": {
            "quotaBytes": settings.UPLOAD_QUOTA_BYTES,
            "usedBytes": used,
            "fileBytes": len(images_of(second)),
        },
    }
    assert InvoiceFile.objects.filter(workspace=supplier.workspace).count() == 1
    assert stored_files(media) == sorted([storage_name(first), storage_name(foreign_file[0])])
    # Refused, the key was not spent: once the first file is gone, the same request is stored.
    InvoiceFile.objects.filter(workspace=supplier.workspace).delete()
    retried = post(accountant_client, url, second, "b.png", HTTP_IDEMPOTENCY_KEY="q-1")
    assert retried.status_code == 201


def test_a_quota_of_zero_refuses_everything(accountant_client, base_url, supplier, settings, media):
    settings.UPLOAD_QUOTA_BYTES = 0
    response = post(accountant_client, f"{base_url}/suppliers/{supplier.pk}/invoice-image", PDF, "a.pdf")
    assert response.status_code == 413
    assert stored_files(media) == [] and not InvoiceFile.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_cannot_both_pass_the_quota(accountant, base_url, supplier, settings, media):
    from tests.concurrency import run_together, values_of

    content = picture("PNG", size=(200, 200))
    settings.UPLOAD_QUOTA_BYTES = 1  # measured below: room for exactly one file
    url = f"{base_url}/suppliers/{supplier.pk}/invoice-image"
    single = post(client_for(accountant), url, content, "a.png")
    assert single.status_code == 413
    size = len(images_of(content))
    settings.UPLOAD_QUOTA_BYTES = size * 3 + size // 2

    def send(index):
        return post(client_for(accountant), url, content, f"{index}.png").status_code

    statuses = values_of(run_together(6, send))
    assert sorted(statuses) == [201] * 3 + [413] * 3
    assert InvoiceFile.objects.count() == 3 and len(stored_files(media)) == 3


def images_of(content: bytes) -> bytes:
    from suppliers import images

    return images.process_invoice_file(io.BytesIO(content), len(content)).content
