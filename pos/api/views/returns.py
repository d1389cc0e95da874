"""Returns (credit notes, PRODUCT.md section 8a): create against a sale, list, get, print."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from pos import return_selectors, services
from pos.api.returns import (
    ReturnCreatedOutputSerializer,
    ReturnCreateInputSerializer,
    ReturnFilterSet,
    ReturnOutputSerializer,
    ReturnQuerySerializer,
    return_output,
)
from pos.api.serializers import invoice_output
from pos.api.views.common import PosView
from pos.credit_note_print import render_credit_note
from workspaces import codes
from workspaces.api.base import ok, page
from workspaces.api.pagination import paginate
from workspaces.api.replica import replica_reads
from workspaces.errors import NotFoundError, ValidationFailed


def _not_found() -> NotFoundError:
    return NotFoundError(_("Return not found."))


class InvoiceReturnListView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE, "POST": codes.POS_INVOICES_VOID}

    @extend_schema(responses={200: ReturnOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """List a sale's returns

        Newest first. Needs `store.orders.manage`."""
        self.invoice_of(invoice_id)  # 404 for another workspace's invoice
        returns = return_selectors.return_list(workspace=self.workspace, filters={"invoice_id": invoice_id})
        rows, next_cursor = paginate(returns, request)
        return page("returns", [return_output(row) for row in rows], next_cursor)

    @extend_schema(
        request=ReturnCreateInputSerializer,
        responses={201: ReturnCreatedOutputSerializer},
        examples=[
            OpenApiExample(
                "Two cups of four",
                value={"items": [{"itemId": "31", "quantity": 2}], "reason": "Damaged"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int, invoice_id: int) -> Response:
        """Return items (a credit note)

        Part or all of a completed sale comes back: `items` default to everything not yet returned, each at most
        what is left of its line (400 naming it); the figures are the sale's own, pro rata. `refunds` default to
        the total by the sale's first payment method and must add up to it (422 `refund_mismatch`). The refund
        leaves today's drawer: the store needs an open business day (422 `no_open_session`). Only a completed sale
        (422 `invoice_not_completed`); 422 `nothing_to_return` once all of it is back. The stock comes back once.
        Needs `pos.invoices.void`."""
        data = self.validated(ReturnCreateInputSerializer, request.data)
        lines = None
        if "items" in data:
            lines = [
                services.ReturnLineInput(item_id=i["item_id"], quantity=i["quantity"]) for i in data["items"]
            ]
        refunds = None
        if "refunds" in data:
            refunds = [services.RefundInput(method=r["method"], amount=r["amount"]) for r in data["refunds"]]
        credit_note = services.return_create(
            invoice=self.invoice_ref(invoice_id),
            access=self.access,
            reason=data["reason"],
            items=lines,
            refunds=refunds,
        )
        return Response(
            {"return": return_output(credit_note), "invoice": invoice_output(credit_note.invoice)}, status=201
        )


class ReturnListView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE}

    @extend_schema(parameters=[ReturnQuerySerializer], responses={200: ReturnOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        """List returns

        The workspace's returns, newest first; filters `posBusinessSessionId` (the day whose drawer refunded
        them), `startDate`, `endDate`. Needs `store.orders.manage`."""
        filters = ReturnFilterSet.parse(request.query_params, context={"time_zone": self.workspace.timezone})
        returns = return_selectors.return_list(workspace=self.workspace, filters=filters)
        rows, next_cursor = paginate(returns, request)
        return page("returns", [return_output(row) for row in rows], next_cursor)


class ReturnDetailView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE}

    @extend_schema(responses={200: ReturnOutputSerializer})
    def get(self, request: Request, workspace_id: int, return_id: int) -> Response:
        """Get a return

        Needs `store.orders.manage`."""
        credit_note = return_selectors.return_get(workspace=self.workspace, return_id=return_id)
        if credit_note is None:
            raise _not_found()
        return ok("return", return_output(credit_note))


class ReturnReceiptView(PosView):
    required_permissions = {"GET": codes.STORE_ORDERS_MANAGE}

    @extend_schema(
        parameters=[
            OpenApiParameter("paper", enum=["80mm", "a4"], required=False, description="Default: `80mm`.")
        ],
        responses={(200, "text/html"): str},
    )
    def get(self, request: Request, workspace_id: int, return_id: int) -> HttpResponse:
        """Print the credit note

        In the receipt's style and language, on an 80 mm roll or an A4 page (`paper`)."""
        paper = request.query_params.get("paper") or "80mm"
        if paper not in {"80mm", "a4"}:
            raise ValidationFailed({"paper": [_("Choose 80mm or a4.")]})
        credit_note = return_selectors.return_for_print(workspace=self.workspace, return_id=return_id)
        if credit_note is None:
            raise _not_found()
        return HttpResponse(
            render_credit_note(credit_note, paper=paper), content_type="text/html; charset=utf-8"
        )
