"""Payments of a supplier invoice: paid, remaining and status follow them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from suppliers import services
from suppliers.api.serializers import (
    SupplierInvoiceOutputSerializer,
    SupplierPaymentCreatedSerializer,
    SupplierPaymentInputSerializer,
    SupplierPaymentOutputSerializer,
)
from suppliers.api.views.common import (
    INVOICE_EXAMPLE,
    PAID_PART,
    PAYMENT_EXAMPLE,
    TAGS,
    SuppliersView,
)
from workspaces.api.base import ok
from workspaces.api.docs import envelope, errors


class SupplierPaymentListView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Record a payment",
        description=(
            "Pays part or all of what remains. More than `remainingAmount` is 422 `overpayment` and records "
            "nothing. Answers the payment and the invoice with its new balance and status."
        ),
        request=SupplierPaymentInputSerializer,
        responses={201: SupplierPaymentCreatedSerializer, **errors(400, 404, 409, 415, 422)},
        examples=[
            OpenApiExample(
                "Transfer",
                value={"amount": 2000, "method": "transfer", "reference": "TRX-5531"},
                request_only=True,
            ),
            OpenApiExample(
                "Recorded", value={"payment": PAYMENT_EXAMPLE, "invoice": PAID_PART}, response_only=True
            ),
        ],
    )
    def post(self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int) -> Response:
        invoice = self.invoice_of(supplier_id, invoice_id)
        data = self.validated(SupplierPaymentInputSerializer, request.data)
        payment, invoice = services.supplier_payment_add(
            workspace=self.workspace, access=self.access, invoice=invoice, **data
        )
        return Response(
            {"payment": SupplierPaymentOutputSerializer(payment).data, "invoice": self.invoice_data(invoice)},
            status=201,
        )


class SupplierPaymentDetailView(SuppliersView):
    @extend_schema(
        tags=TAGS,
        summary="Remove a payment",
        description="Removes a payment recorded by mistake; answers the invoice with its new balance.",
        responses={200: envelope("invoice", SupplierInvoiceOutputSerializer), **errors(404)},
        examples=[OpenApiExample("Invoice", value={"invoice": INVOICE_EXAMPLE}, response_only=True)],
    )
    def delete(
        self, request: Request, workspace_id: int, supplier_id: int, invoice_id: int, payment_id: int
    ) -> Response:
        invoice = services.supplier_payment_remove(
            workspace=self.workspace,
            access=self.access,
            invoice=self.invoice_of(supplier_id, invoice_id),
            payment_id=payment_id,
        )
        return ok("invoice", self.invoice_data(invoice))
