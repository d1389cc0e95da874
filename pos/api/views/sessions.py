"""The business day and the workspace's order statuses (PRODUCT.md section 5)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from pos import day_figures, selectors, services
from pos.api.order_status_serializers import OrderStatusInputSerializer, OrderStatusOutputSerializer
from pos.api.serializers import (
    DayReportOutputSerializer,
    SessionCloseInputSerializer,
    SessionOpenInputSerializer,
    SessionOutputSerializer,
    summary_output,
)
from pos.api.views.common import PosView
from pos.models import BusinessSession
from workspaces import codes
from workspaces.api import docs
from workspaces.api.base import created, no_content, ok, page
from workspaces.api.fields import ChoiceField, IdField
from workspaces.api.filtering import QueryFilter, QueryFilterSet, query_serializer
from workspaces.api.pagination import paginate
from workspaces.api.replica import replica_reads
from workspaces.errors import NotFoundError
from workspaces.tenancy import get_object_or_404, not_found


class SessionFilterSet(QueryFilterSet):
    """The business days' filters (section 5); `/current` takes the same query and uses its `storeId`."""

    status = QueryFilter(
        ChoiceField(choices=BusinessSession.Status.values, required=False),
        description="Only the open days, or only the closed ones.",
    )
    storeId = QueryFilter(
        IdField(required=False), field_name="store_id", description="Only this store's days."
    )

    class Meta:
        model = BusinessSession
        fields: list[str] = []


SessionQuerySerializer = query_serializer(SessionFilterSet)


class SessionListView(PosView):
    required_permissions = {"POST": codes.POS_SESSIONS_MANAGE}

    @extend_schema(parameters=[SessionQuerySerializer], responses={200: SessionOutputSerializer(many=True)})
    @replica_reads
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the business days

        Filter by `status` and `storeId`; newest first."""
        filters = SessionFilterSet.parse(request.query_params)
        sessions = selectors.session_list(workspace=self.workspace, **filters)
        rows, next_cursor = paginate(sessions, request)
        return page("sessions", SessionOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(request=SessionOpenInputSerializer, responses={201: SessionOutputSerializer})
    def post(self, request: Request, workspace_id: int) -> Response:
        """Open the day

        Opens a store's business session. With several stores, `storeId` is needed (400 `store_required`); a
        store with an open session is a 409. Needs `pos.sessions.manage`."""
        data = self.validated(SessionOpenInputSerializer, request.data)
        session = services.session_open(
            workspace=self.workspace,
            access=self.access,
            store=self.store_named(data.get("store_id")),
            opening_cash=data["opening_cash"],
            business_date=data.get("business_date"),
        )
        return created("session", SessionOutputSerializer(session).data)


class SessionCurrentView(PosView):
    @extend_schema(
        parameters=[docs.id_parameter("storeId", "The store; else the only one, or the member's own.")],
        responses={200: SessionOutputSerializer},
    )
    def get(self, request: Request, workspace_id: int) -> Response:
        """Get the open day

        The store's open session, or a 404."""
        filters = SessionFilterSet.parse(request.query_params)
        store = self.store_named(filters.get("store_id")) or services.default_store(
            workspace=self.workspace, access=self.access
        )
        session = selectors.session_current(workspace=self.workspace, store=store)
        if session is None:
            raise NotFoundError(_("No open business session for this store."))
        return ok("session", SessionOutputSerializer(session).data)


class SessionDetailView(PosView):
    @extend_schema(responses={200: SessionOutputSerializer})
    def get(self, request: Request, workspace_id: int, session_id: int) -> Response:
        """Get a business day

        While the day is open, `summary` is null (its live figures are the X-report); once closed, `summary` is
        its Z-report."""
        session = get_object_or_404(selectors.session_list(workspace=self.workspace), pk=session_id)
        return ok("session", SessionOutputSerializer(session).data)


class SessionReportView(PosView):
    @extend_schema(
        responses={200: DayReportOutputSerializer},
        examples=[
            OpenApiExample(
                "An open day (X-report)",
                value={
                    "report": {
                        "invoiceCounts": {"draft": 1, "completed": 12, "cancelled": 1},
                        "grossSales": 480,
                        "discountTotal": 12.5,
                        "taxTotal": 70.13,
                        "netSales": 537.63,
                        "payments": {"cash": 310, "card": 227.63, "transfer": 0, "cheque": 0, "other": 0},
                        "returnCounts": {"returns": 1, "invoices": 1},
                        "returnTotal": 23,
                        "refunds": {"cash": 23, "card": 0, "transfer": 0, "cheque": 0, "other": 0},
                        "expectedCash": 482.5,
                        "countedCash": None,
                        "cashDifference": None,
                    },
                    "final": False,
                },
                response_only=True,
            )
        ],
    )
    @replica_reads
    def get(self, request: Request, workspace_id: int, session_id: int) -> Response:
        """Get a day's report

        The live X-report of an open day (`final` false), or the Z-report stored when it closed (`final`
        true): invoice counts by status, sales, discounts, tax, payments by method, the day's returns and refunds
        by method (section 8a: a return counts in the day whose drawer refunded it), expected cash (less cash
        refunds) and counted cash."""
        session = day_figures.day_session(workspace_id=self.workspace.pk, session_id=session_id)
        if session is None:
            raise not_found(BusinessSession)
        session.workspace = self.workspace  # its currency, without reading it again
        report, final = selectors.session_day_report(session=session)
        return Response({"report": summary_output(report), "final": final})


class SessionCloseView(PosView):
    required_permissions = {"POST": codes.POS_SESSIONS_MANAGE}

    @extend_schema(request=SessionCloseInputSerializer, responses={200: SessionOutputSerializer})
    def post(self, request: Request, workspace_id: int, session_id: int) -> Response:
        """Close the day

        Stores the Z-report in `summary`. Open drafts are a 422 `drafts_open` naming them, unless
        `cancelDrafts` is true. Needs `pos.sessions.manage`."""
        session = get_object_or_404(selectors.session_list(workspace=self.workspace), pk=session_id)
        data = self.validated(SessionCloseInputSerializer, request.data)
        session = services.session_close(
            session=session,
            access=self.access,
            closing_cash=data.get("closing_cash"),
            cancel_drafts=data["cancel_drafts"],
        )
        session = selectors.session_list(workspace=self.workspace).get(pk=session.pk)
        return ok("session", SessionOutputSerializer(session).data)


class OrderStatusListView(PosView):
    required_permissions = {"POST": codes.OWNER}

    @extend_schema(responses={200: OrderStatusOutputSerializer(many=True)})
    def get(self, request: Request, workspace_id: int) -> Response:
        """List the order statuses

        The workspace's own kitchen statuses, in their order."""
        rows, next_cursor = paginate(selectors.order_status_list(workspace=self.workspace), request)
        return page("orderStatuses", OrderStatusOutputSerializer(rows, many=True).data, next_cursor)

    @extend_schema(
        request=OrderStatusInputSerializer,
        responses={201: OrderStatusOutputSerializer},
        examples=[
            OpenApiExample(
                "Preparing",
                value={"labelAr": "قيد التحضير", "labelEn": "Preparing", "isDefault": True},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request, workspace_id: int) -> Response:
        """Create an order status

        Making one the default unsets the previous default. Owner only."""
        data = self.validated(OrderStatusInputSerializer, request.data)
        status = services.order_status_save(
            workspace=self.workspace, access=self.access, status=None, data=data
        )
        return created("orderStatus", OrderStatusOutputSerializer(status).data)


class OrderStatusDetailView(PosView):
    required_permissions = {"PATCH": codes.OWNER, "DELETE": codes.OWNER}

    def status_of(self, status_id: int):
        return get_object_or_404(selectors.order_status_list(workspace=self.workspace), pk=status_id)

    @extend_schema(request=OrderStatusInputSerializer, responses={200: OrderStatusOutputSerializer})
    def patch(self, request: Request, workspace_id: int, status_id: int) -> Response:
        """Update an order status

        Owner only."""
        status = self.status_of(status_id)
        data = self.validated(OrderStatusInputSerializer, request.data, partial=True)
        status = services.order_status_save(
            workspace=self.workspace, access=self.access, status=status, data=data
        )
        return ok("orderStatus", OrderStatusOutputSerializer(status).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, workspace_id: int, status_id: int) -> Response:
        """Delete an order status

        Invoices that showed it keep no status. Owner only."""
        services.order_status_delete(status=self.status_of(status_id), access=self.access)
        return no_content()
