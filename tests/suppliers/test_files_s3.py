"""Scanned invoices on S3-compatible storage (PRODUCT.md section 11), against SeaweedFS's real S3 gateway
(`tests.seaweedfs`) with the settings `AWS_STORAGE_BUCKET_NAME` selects: an upload lands in the bucket and nowhere
on the app server's disk, a member is redirected to a presigned URL valid five minutes that serves the same bytes,
everyone else gets what they get with local storage, and the clean-up removes the object."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.management import call_command
from rest_framework.test import APIClient

from suppliers.models import InvoiceFile, Supplier
from tests.conftest import client_for
from tests.seaweedfs import S3Endpoint, seaweedfs, seaweedfs_bucket  # noqa: F401 (fixtures)
from tests.suppliers.test_admin_scan import ADD, with_scan
from tests.suppliers.test_files import PDF, storage_name
from tests.suppliers.test_images import picture, post

pytestmark = pytest.mark.django_db

MEMORY_ONLY = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]


@dataclass
class Bucket:
    endpoint: S3Endpoint
    name: str
    client: Any
    disk: list[Path]  # MEDIA_ROOT, and a temporary directory nothing may even create

    def objects(self) -> dict[str, bytes]:
        listing = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            item["Key"]: self.client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read()
            for item in listing
        }

    def files_on_disk(self) -> list[str]:
        return sorted(str(path) for root in self.disk for path in root.rglob("*") if path.is_file())


@pytest.fixture
def bucket(request, settings, tmp_path, monkeypatch) -> Bucket:
    """The settings as `config/settings.py` makes them with `AWS_STORAGE_BUCKET_NAME` set, on a bucket of this
    test's own; MEDIA_ROOT points at an empty directory to watch."""
    endpoint: S3Endpoint = request.getfixturevalue("seaweedfs")
    name: str = request.getfixturevalue("seaweedfs_bucket")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": endpoint.storage_options(name)},
    }
    settings.UPLOAD_PRESIGNED_URL_SECONDS = 300
    settings.FILE_UPLOAD_HANDLERS = MEMORY_ONLY
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 13 * 1024 * 1024
    settings.MEDIA_ROOT = tmp_path / "media"
    # A temporary file is deleted when closed, so an empty directory afterwards would prove nothing: the
    # temporary directory does not exist, and creating any temporary file fails the request that tries.
    temporary = tmp_path / "no-temporary-files"
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return Bucket(endpoint, name, endpoint.client(), [settings.MEDIA_ROOT, temporary])


@pytest.fixture
def upload(accountant_client, base_url, supplier):
    """Uploads through the API; returns the path of the URL it answered."""

    def send(content: bytes | None = None, name: str = "scan.png") -> str:
        response = post(
            accountant_client,
            f"{base_url}/suppliers/{supplier.pk}/invoice-image",
            picture("PNG") if content is None else content,
            name,
        )
        assert response.status_code == 201, response.content
        return urlsplit(response.json()["url"]).path

    return send


def test_an_upload_lands_in_the_bucket_and_nowhere_on_disk(bucket, upload, workspace):
    path = upload()
    # Over Django's 2.5 MB in-memory default: the default handlers would spool it to the temporary directory.
    big_pdf = PDF + b"%" + b"0" * (3 * 1024 * 1024)
    pdf_path = upload(big_pdf, "invoice.pdf")
    stored = bucket.objects()
    assert sorted(stored) == sorted([storage_name(path), storage_name(pdf_path)])
    assert stored[storage_name(pdf_path)] == big_pdf
    assert stored[storage_name(path)].startswith(b"RIFF") and stored[storage_name(path)][8:12] == b"WEBP"
    rows = {row.name: (row.workspace_id, row.size, row.content_type) for row in InvoiceFile.objects.all()}
    assert rows == {
        storage_name(path): (workspace.pk, len(stored[storage_name(path)]), "image/webp"),
        storage_name(pdf_path): (workspace.pk, len(big_pdf), "application/pdf"),
    }
    assert bucket.files_on_disk() == []


def test_a_member_is_redirected_to_a_presigned_url_of_five_minutes(bucket, upload, viewer_client):
    path = upload()
    name = storage_name(path)
    response = viewer_client.get(path)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == bucket.endpoint.url
    assert location.path == f"/{bucket.name}/{name}"
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    # The URL works, with no credentials but its signature, and answers as the view would stream it.
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == bucket.objects()[name]
    assert fetched.headers["Content-Type"] == "image/webp"
    assert fetched.headers["Content-Disposition"] == f'inline; filename="{name.rsplit("/", 1)[1]}"'
    # Without its signature, or with another one, the object is not served.
    assert requests.get(f"{bucket.endpoint.url}/{bucket.name}/{name}", timeout=10).status_code == 403
    forged = response["Location"].replace("X-Amz-Expires=300", "X-Amz-Expires=86400")
    assert requests.get(forged, timeout=10).status_code == 403
    assert bucket.files_on_disk() == []


def test_a_pdf_is_downloaded_as_an_attachment(bucket, upload, owner_client):
    path = upload(PDF, "invoice.pdf")
    response = owner_client.get(path)
    assert response.status_code == 302
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == PDF
    assert fetched.headers["Content-Type"] == "application/pdf"
    assert fetched.headers["Content-Disposition"] == f'attachment; filename="{path.rsplit("/", 1)[1]}"'


def test_the_admin_stores_in_the_bucket_and_redirects_too(bucket, client, owner, supplier):
    """The admin's scan goes through the same upload service and its file view answers as the API's does."""
    client.force_login(owner)
    response = client.post(ADD, with_scan(supplier, picture("PNG"), "scan.png"))
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = InvoiceFile.objects.get()
    assert list(bucket.objects()) == [stored.name]
    response = client.get(f"/admin/suppliers/supplierinvoice/files/{stored.name.rsplit('/', 1)[1]}/")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["X-Amz-Expires"] == ["300"]
    fetched = requests.get(response["Location"], timeout=10)
    assert (fetched.status_code, fetched.content) == (200, bucket.objects()[stored.name])
    assert bucket.files_on_disk() == []


def test_no_credentials_is_401(bucket, upload):
    path = upload()
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert "Location" not in response


def test_another_workspaces_member_gets_what_they_get_today(
    bucket, upload, workspace, viewer_client, other_workspace, other_owner
):
    path = upload()
    file_name = path.rsplit("/", 1)[1]
    outsider = client_for(other_owner)
    # Named under their own workspace: not one of its files.
    response = outsider.get(f"/v1/workspace/{other_workspace.pk}/files/{file_name}")
    assert response.status_code == 404
    assert response.json() == {"message": "File not found.", "code": "not_found"}
    # Under this workspace's URL: they are not a member here.
    response = outsider.get(path)
    assert response.status_code == 403
    assert "Location" not in response
    # Their own upload, in the same bucket, is not this workspace's.
    supplier = Supplier.objects.create(workspace=other_workspace, name="x")
    response = post(
        outsider, f"/v1/workspace/{other_workspace.pk}/suppliers/{supplier.pk}/invoice-image", PDF, "a.pdf"
    )
    assert response.status_code == 201
    theirs = urlsplit(response.json()["url"]).path.rsplit("/", 1)[1]
    assert len(bucket.objects()) == 2
    response = viewer_client.get(f"/v1/workspace/{workspace.pk}/files/{theirs}")
    assert response.status_code == 404
    assert "Location" not in response


def test_the_clean_up_deletes_the_object(bucket, upload, owner_client, capsys):
    path = upload()
    name = storage_name(path)
    assert list(bucket.objects()) == [name]
    InvoiceFile.objects.update(created_at=InvoiceFile.objects.get().created_at - dt.timedelta(days=2))
    call_command("cleanup_uploads")
    assert bucket.objects() == {}
    assert not InvoiceFile.objects.exists()
    assert owner_client.get(path).status_code == 404
    assert f"Removed {name}" in capsys.readouterr().out
