"""Scanned supplier invoices in storage (PRODUCT.md section 6, "Images"): stored under the workspace's quota,
attached to the invoice that names them, served to the workspace's members, removed when never attached.

Every stored file has an `InvoiceFile` row and a storage name under its workspace's prefix
(`supplier-invoices/<workspace id>/<192 random bits>.webp|pdf`), served at `/v1/workspace/<id>/files/<file name>`
(the URL the upload answers and an invoice's `imageUrl` carries): the URL's workspace names the prefix, so no URL
of one workspace can reach another's files. Storage is Django's storage API (local `MEDIA_ROOT`,
S3 or GCS through django-storages); nothing serves `MEDIA_ROOT` itself.
"""

from __future__ import annotations

import datetime as dt
import inspect
import posixpath
import re
import secrets
from typing import BinaryIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from suppliers import error_codes
from suppliers.images import process_invoice_file
from suppliers.locks import lock_upload_quota
from suppliers.models import InvoiceFile, Supplier, SupplierInvoice
from suppliers.services.common import require_manage, require_same_workspace
from workspaces import codes
from workspaces.errors import ApplicationError, NotFoundError
from workspaces.files import store_file
from workspaces.models import Workspace
from workspaces.tenancy import Access

PREFIX = "supplier-invoices"
FILE_NAME_PATTERN = r"[A-Za-z0-9_-]{1,100}\.(webp|pdf)"  # the last part of a storage name, in the URL
_FILE_NAME = re.compile(FILE_NAME_PATTERN)
_FILE_PATH = re.compile(
    rf"/(?:api/)?v1/workspace/(?P<workspace>[0-9]+)/files/(?P<file_name>{FILE_NAME_PATTERN})"
)
CLEANUP_BATCH = 200


def file_path(file: InvoiceFile) -> str:
    """Where the file view serves it: the path of the URL the upload answers (made absolute by the view)."""
    return f"/v1/workspace/{file.workspace_id}/files/{file.name.rsplit('/', 1)[-1]}"


def _workspace_prefix(workspace_id: int) -> str:
    return f"{PREFIX}/{workspace_id}/"


def _name_in_url(url: str | None, *, workspace_id: int) -> str | None:
    """The storage name a file URL of this workspace names (any host: the proxy in front decides it); None for
    any other URL."""
    if not url:
        return None
    match = _FILE_PATH.fullmatch(urlsplit(url).path)
    if match is None or int(match["workspace"]) != workspace_id:
        return None
    return _workspace_prefix(workspace_id) + match["file_name"]


def invoice_image_store(
    *, workspace: Workspace, access: Access, supplier: Supplier, upload: BinaryIO, size: int
) -> InvoiceFile:
    """Checks and re-encodes the file (`suppliers.images`), then stores it under the workspace's prefix with 192
    random bits, so a name cannot be guessed from another, and records it (`InvoiceFile`).

    The file is checked and decoded before any transaction or lock; then, under the workspace's quota row, a file
    that would take the workspace's files past `UPLOAD_QUOTA_BYTES` is a 413 `quota_exceeded`. Nothing is written
    before every check has passed, so a refused file leaves nothing behind; a file stored by work that then fails
    (its transaction rolled back) is removed again (`workspaces.files`)."""
    require_manage(workspace, access)
    require_same_workspace(workspace, supplier)
    processed = process_invoice_file(upload, size)
    with transaction.atomic():
        lock_upload_quota(workspace)
        used = InvoiceFile.objects.filter(workspace=workspace).aggregate(total=Sum("size"))["total"] or 0
        quota = settings.UPLOAD_QUOTA_BYTES
        if used + len(processed.content) > quota:
            raise ApplicationError(
                _("This workspace's stored files would exceed its quota of %(quota)s.")
                % {"quota": filesizeformat(quota)},
                code=error_codes.QUOTA_EXCEEDED,
                status=413,
                details={"quota_bytes": quota, "used_bytes": used, "file_bytes": len(processed.content)},
            )
        name = f"{_workspace_prefix(workspace.pk)}{secrets.token_urlsafe(24)}.{processed.extension}"
        stored = store_file(name, ContentFile(processed.content))
        return InvoiceFile.objects.create(
            workspace=workspace,
            name=stored,
            size=len(processed.content),
            content_type=processed.content_type,
        )


def invoice_file_attach(*, invoice: SupplierInvoice) -> None:
    """Marks the upload that the invoice's `image_url` names as attached, so `cleanup_uploads` keeps it. Called
    by the invoice services after each save: one UPDATE when the URL is a file URL of the invoice's own
    workspace, no query otherwise. An upload stays attached for good (another invoice may carry the same URL)."""
    name = _name_in_url(invoice.image_url, workspace_id=invoice.workspace_id)
    if name is None:
        return
    InvoiceFile.objects.filter(workspace_id=invoice.workspace_id, name=name, attached_at__isnull=True).update(
        attached_at=timezone.now()
    )


def invoice_file_get(*, workspace: Workspace, access: Access, file_name: str) -> InvoiceFile:
    """A stored file of this workspace by the last part of its name (as in its URL), for a member who may read
    suppliers; a name that is not one of this workspace's files (removed meanwhile, or never stored) is a 404, and
    a malformed one costs no query."""
    access.require(codes.SUPPLIERS_VIEW)
    if _FILE_NAME.fullmatch(file_name):
        name = _workspace_prefix(workspace.pk) + file_name
        file = InvoiceFile.objects.filter(workspace=workspace, name=name).first()
        if file is not None:
            return file
    raise NotFoundError(_("File not found."))


def invoice_file_open(file: InvoiceFile) -> File:
    """The stored bytes, to stream; a row whose file is gone from storage is a 404."""
    try:
        return default_storage.open(file.name, "rb")
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise NotFoundError(_("File not found.")) from exc


def is_attachment(file: InvoiceFile) -> bool:
    """PDFs are downloaded, never shown inline (their scripts would run in our origin); images are shown."""
    return file.content_type == "application/pdf"


def file_disposition(file: InvoiceFile) -> str:
    """`Content-Disposition` as the file view streams it (`FileResponse`) and as a presigned URL answers it: the
    same name whichever serves it."""
    return content_disposition_header(is_attachment(file), posixpath.basename(file.name))


def _storage_signs_urls() -> bool:
    """Whether `default_storage.url(name, parameters=..., expire=...)` answers a signed, expiring URL. Without
    query-string auth, or on a custom domain without a CloudFront signer, django-storages answers a plain URL: a
    private bucket would refuse it and a public one would serve anyone, so the view streams the file then."""
    accepts = inspect.signature(default_storage.url).parameters
    if "expire" not in accepts or "parameters" not in accepts:
        return False
    custom_domain = getattr(default_storage, "custom_domain", None)
    if custom_domain and not getattr(default_storage, "cloudfront_signer", None):
        return False
    return bool(getattr(default_storage, "querystring_auth", True))


def invoice_file_presigned_url(file: InvoiceFile) -> str | None:
    """With `UPLOAD_PRESIGNED_URL_SECONDS` set and a storage that signs URLs (django-storages' S3 storage), a URL
    valid that many seconds, whose answer carries the file's type and disposition (S3's `response-content-*`
    overrides, covered by the signature), whatever the object was stored with. Otherwise None and the file view
    streams the file itself."""
    if settings.UPLOAD_PRESIGNED_URL_SECONDS <= 0 or not _storage_signs_urls():
        return None
    return default_storage.url(
        file.name,
        parameters={
            "ResponseContentType": file.content_type,
            "ResponseContentDisposition": file_disposition(file),
        },
        expire=settings.UPLOAD_PRESIGNED_URL_SECONDS,
    )


def invoice_files_cleanup(*, older_than: dt.timedelta, dry_run: bool = False) -> list[InvoiceFile]:
    """Removes the uploads that no invoice named within `older_than` of being stored: the file, then its row, in
    batches, each batch's rows locked (`SKIP LOCKED`: an invoice attaching one of them meanwhile keeps it). A file
    already gone from storage costs nothing, so a run that stops halfway is finished by the next. Returns the
    uploads removed (with `dry_run`, those that would be, removing nothing)."""
    expired = InvoiceFile.objects.filter(
        attached_at__isnull=True, created_at__lt=timezone.now() - older_than
    ).order_by("pk")
    if dry_run:
        return list(expired)
    removed: list[InvoiceFile] = []
    after = 0
    while True:
        with transaction.atomic():
            batch = list(expired.filter(pk__gt=after).select_for_update(skip_locked=True)[:CLEANUP_BATCH])
            if not batch:
                return removed
            for file in batch:
                default_storage.delete(file.name)
            InvoiceFile.objects.filter(pk__in=[file.pk for file in batch]).delete()
        removed.extend(batch)
        after = batch[-1].pk
