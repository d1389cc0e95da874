"""Scanned supplier invoices: the upload, and the stored files served to the workspace's members only."""

from __future__ import annotations

from django.http import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import services
from suppliers.api.serializers import (
    SupplierInvoiceImageInputSerializer,
    SupplierInvoiceImageOutputSerializer,
)
from suppliers.api.views.common import TAGS, SuppliersView
from suppliers.file_responses import file_response
from suppliers.services import images as files
from workspaces import codes
from workspaces.api.docs import errors
from workspaces.api.parsers import MultiPartParser

EXAMPLE_URL = "https://shop.example/v1/workspace/1/files/Zk3q9Xw2mYbT0vR8pL5sHa1cE4uN6jDg.webp"

FILE_ANSWER = "The file: a WebP image shown inline, or a PDF as an attachment (`Content-Disposition`)."


class SupplierInvoiceImageView(SuppliersView):
    # The shared parser refuses a body over 12 MB (413) from its declared length, before reading it.
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        summary="Upload a scanned supplier invoice",
        description=(
            "multipart/form-data with one field, `file`: a JPEG, PNG, WebP or GIF image (checked by its content, "
            "at most 10 MB; more than 40 megapixels, a side over 12,000 px or a side more than 20 times the other "
            "is refused from the header; its first frame turned upright, scaled to at most 4096 px and re-encoded "
            "to WebP without metadata) or a PDF (kept as it is). Answers the file's absolute URL, served to the "
            "workspace's members only (`GET .../files/...`), to pass as `imageUrl` when creating the invoice; an "
            "upload no invoice names within a day is removed. A refused file is a 400 and leaves nothing stored; "
            "a file that would take the workspace's files past its quota (1 GB by default) is a 413 "
            "`quota_exceeded`."
        ),
        request={"multipart/form-data": SupplierInvoiceImageInputSerializer},
        responses={201: SupplierInvoiceImageOutputSerializer, **errors(400, 404, 409, 413, 415, 422)},
        examples=[
            OpenApiExample("Stored", value={"url": EXAMPLE_URL}, response_only=True, status_codes=["201"])
        ],
    )
    def post(self, request: Request, workspace_id: int, supplier_id: int) -> Response:
        supplier = self.supplier_of(supplier_id)
        upload = self.validated(SupplierInvoiceImageInputSerializer, request.data)["file"]
        stored = services.invoice_image_store(
            workspace=self.workspace, access=self.access, supplier=supplier, upload=upload, size=upload.size
        )
        return Response({"url": request.build_absolute_uri(files.file_path(stored))}, status=201)


class SupplierFileView(SuppliersView):
    """Stored files are answered by this view alone, whatever DEBUG says: nothing serves `MEDIA_ROOT`."""

    required_permissions = {"GET": codes.SUPPLIERS_VIEW}  # HEAD needs what GET needs (WorkspaceView)

    @extend_schema(
        tags=TAGS,
        summary="Download a scanned supplier invoice",
        description=(
            "A file stored by `invoice-image`, for a member of the workspace who may read suppliers: the URL the "
            "upload answered (and an invoice's `imageUrl`). Images are WebP, shown inline; PDFs are downloaded "
            "(`Content-Disposition: attachment`); every answer is sent with `X-Content-Type-Options: nosniff` "
            "and `Content-Security-Policy: sandbox`. Another workspace's file, or one that does not exist, is a "
            "404. Where the server stores files on S3 with presigned URLs turned on, the answer is a 302 to a URL "
            "valid for a few minutes."
        ),
        parameters=[
            OpenApiParameter(
                "file_name",
                str,
                OpenApiParameter.PATH,
                pattern=f"^{files.FILE_NAME_PATTERN}$",
                description="The file's name, as in the URL the upload answered.",
            )
        ],
        responses={
            (200, "image/webp"): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_ANSWER),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_ANSWER),
            302: OpenApiResponse(
                description="Presigned storage URLs only: `Location` is valid for a few minutes."
            ),
            **errors(404),
        },
    )
    def get(self, request: Request, workspace_id: int, file_name: str) -> HttpResponseBase:
        file = files.invoice_file_get(workspace=self.workspace, access=self.access, file_name=file_name)
        return file_response(file)
