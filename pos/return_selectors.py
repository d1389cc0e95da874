"""Reads of returns (credit notes, PRODUCT.md section 8a), scoped to one workspace."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from django.db.models import Prefetch, QuerySet

from pos.models import PosReturn, PosReturnItem
from workspaces.models import Workspace


class ReturnFilters(TypedDict, total=False):
    invoice_id: int
    session_id: int
    created_from: dt.datetime
    created_to: dt.datetime


RETURN_FILTER_LOOKUPS = {
    "invoice_id": "invoice_id",
    "session_id": "session_id",
    "created_from": "created_at__gte",
    "created_to": "created_at__lte",
}


def return_list(*, workspace: Workspace, filters: ReturnFilters | None = None) -> QuerySet[PosReturn]:
    """The workspace's returns with what their answer shows (their items, the creator): three queries a page."""
    filters = filters or {}
    return (
        PosReturn.objects.filter(workspace=workspace)
        .filter(**{RETURN_FILTER_LOOKUPS[name]: value for name, value in filters.items()})
        .select_related("created_by", "created_by_api_key")
        .prefetch_related(Prefetch("items", queryset=PosReturnItem.objects.order_by("pk")))
    )


def return_get(*, workspace: Workspace, return_id: int) -> PosReturn | None:
    return return_list(workspace=workspace).filter(pk=return_id).first()


def return_for_print(*, workspace: Workspace, return_id: int) -> PosReturn | None:
    """A return with what its printed credit note shows: the workspace, the store, the sale and its client, each
    line's product (its Arabic name)."""
    return (
        return_list(workspace=workspace)
        .select_related("workspace", "store", "invoice", "invoice__client")
        .prefetch_related(None)
        .prefetch_related(
            Prefetch("items", queryset=PosReturnItem.objects.select_related("product").order_by("pk"))
        )
        .filter(pk=return_id)
        .first()
    )
