"""A sale's or a return's ZATCA document (PRODUCT.md section 8b): its chain, its QR, its reporting state, and the
signed XML (the bytes that were hashed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.api.zatca import ZatcaMessageSerializer
from invoicing.zatca.models import ZatcaDocument
from invoicing.zatca.reads import document_of, xml_of
from pos.api.views.common import PosView
from pos.einvoicing import RETURN, SALE
from workspaces import codes
from workspaces.api.base import ok
from workspaces.api.fields import ChoiceField, DateTimeField
from workspaces.api.openapi import envelope_names
from workspaces.errors import NotFoundError


@envelope_names("zatca", "zatca")
class ZatcaDocumentOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    icv = serializers.IntegerField(help_text="Its place in the store's chain (1, 2, ...).")
    hash = serializers.CharField(help_text="base64 of the SHA-256 of the canonical XML.")
    previousHash = serializers.CharField(help_text="The hash of the document before it (PIH).")
    qr = serializers.CharField(help_text="The 9-tag QR's base64 TLV, as printed.")
    status = ChoiceField(choices=ZatcaDocument.Status.values)
    errors = ZatcaMessageSerializer(many=True)
    warnings = ZatcaMessageSerializer(many=True)
    reportedAt = DateTimeField(allow_null=True)


def zatca_output(document: ZatcaDocument) -> dict[str, Any]:
    return {
        "uuid": str(document.uuid),
        "icv": document.icv,
        "hash": document.hash,
        "previousHash": document.previous_hash,
        "qr": document.qr,
        "status": document.status,
        "errors": document.errors,
        "warnings": document.warnings,
        "reportedAt": document.reported_at,
    }


class _DocumentView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE}
    source_type = SALE

    def document(self, source_id: int) -> ZatcaDocument:
        document = document_of(self.source_type, source_id, self.workspace.pk)
        if document is None:
            raise NotFoundError(_("No ZATCA document: the store signs nothing, or this one is not issued."))
        return document


class InvoiceZatcaView(_DocumentView):
    @extend_schema(responses={200: ZatcaDocumentOutputSerializer})
    def get(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Get a sale's ZATCA document

        Its UUID, ICV, hash and previous hash, the 9-tag QR, the reporting status with ZATCA's errors and warnings.
        404 when the store has no onboarded device or the sale is not completed. Needs `store.orders.manage`."""
        return ok("zatca", zatca_output(self.document(invoice_id)))


class InvoiceZatcaXmlView(_DocumentView):
    @extend_schema(
        operation_id="v1_workspace_pos_invoices_zatca_xml_retrieve", responses={(200, "application/xml"): str}
    )
    def get(self, request: Request, workspace_id: int, invoice_id: int) -> HttpResponse:
        """Get a sale's signed XML

        The UBL 2.1 document as signed: the bytes whose hash is `hash`. Needs `store.orders.manage`."""
        return _xml(self.document(invoice_id))


class ReturnZatcaView(_DocumentView):
    source_type = RETURN

    @extend_schema(responses={200: ZatcaDocumentOutputSerializer})
    def get(self, request: Request, workspace_id: int, return_id: int) -> Response:
        """Get a return's ZATCA document

        The credit note's chain, QR and reporting status. Needs `store.orders.manage`."""
        return ok("zatca", zatca_output(self.document(return_id)))


class ReturnZatcaXmlView(_DocumentView):
    source_type = RETURN

    @extend_schema(
        operation_id="v1_workspace_pos_returns_zatca_xml_retrieve", responses={(200, "application/xml"): str}
    )
    def get(self, request: Request, workspace_id: int, return_id: int) -> HttpResponse:
        """Get a return's signed XML

        The credit note (381) as signed. Needs `store.orders.manage`."""
        return _xml(self.document(return_id))


def _xml(document: ZatcaDocument) -> HttpResponse:
    response = HttpResponse(xml_of(document), content_type="application/xml")
    response["Content-Disposition"] = f'inline; filename="{document.number}.xml"'
    return response
