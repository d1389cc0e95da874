"""Reading an invoice's ZATCA document (PRODUCT.md sections 8b, 8c), for any invoice kind."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from invoicing.zatca.models import ZatcaDocument


def documents_of(source_type: str, ids: Iterable[int], workspace_id: int) -> dict[int, ZatcaDocument]:
    """The signed documents of these invoices, by invoice id: one query for a page."""
    return {
        document.source_id: document
        for document in ZatcaDocument.objects.filter(
            source_type=source_type, source_id__in=list(ids), workspace_id=workspace_id
        ).defer("xml", "cleared_xml")
    }


def document_of(source_type: str, source_id: int, workspace_id: int) -> ZatcaDocument | None:
    return ZatcaDocument.objects.filter(
        source_type=source_type, source_id=source_id, workspace_id=workspace_id
    ).first()


def summary(document: ZatcaDocument | None) -> dict[str, Any] | None:
    """`{"kind", "status", "uuid", "icv", "hash", "qr", "errors", "warnings"}` (section 8c); None: not signed."""
    if document is None:
        return None
    return {
        "kind": document.kind,
        "status": document.status,
        "uuid": str(document.uuid),
        "icv": document.icv,
        "hash": document.hash,
        "qr": document.qr,
        "errors": document.errors,
        "warnings": document.warnings,
    }


def xml_of(document: ZatcaDocument) -> bytes:
    """What the buyer gets: ZATCA's cleared XML once cleared, else the signed XML (the bytes that were hashed)."""
    return bytes(document.cleared_xml) if document.cleared_xml else bytes(document.xml)
