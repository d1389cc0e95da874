"""Storing a scanned supplier invoice through Django's storage API (local MEDIA_ROOT, S3 or GCS)."""

from __future__ import annotations

import secrets
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from suppliers.images import process_invoice_file
from suppliers.models import Supplier
from suppliers.services.common import require_same_workspace
from workspaces.files import store_file
from workspaces.models import Workspace
from workspaces.tenancy import Access


def invoice_image_store(
    *, workspace: Workspace, access: Access, supplier: Supplier, upload: BinaryIO, size: int
) -> str:
    """Checks and re-encodes the file (`suppliers.images`), then stores it under a workspace-scoped name with
    192 random bits, so a URL cannot be guessed from another. Returns the storage URL (relative for local storage).

    Nothing is written before every check has passed, so a refused file leaves nothing behind; a file stored by
    work that then fails (its transaction rolled back) is removed again (`workspaces.files`)."""
    require_same_workspace(workspace, supplier)
    processed = process_invoice_file(upload, size)
    name = f"supplier-invoices/{workspace.pk}/{secrets.token_urlsafe(24)}.{processed.extension}"
    stored = store_file(name, ContentFile(processed.content))
    return default_storage.url(stored)
