"""A workspace's own order statuses ("قيد التحضير", "جاهز"), at most one of them the default."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pos.models import OrderStatus
from workspaces import codes
from workspaces.models import Workspace
from workspaces.tenancy import Access

ORDER_STATUS_FIELDS = ("label_ar", "label_en", "color", "position")


@transaction.atomic
def order_status_save(
    *, workspace: Workspace, access: Access, status: OrderStatus | None, data: dict[str, Any]
) -> OrderStatus:
    """Creates or updates a status (the owner's); making one the default unsets the previous default in the same
    transaction."""
    access.require(codes.OWNER)
    status = status or OrderStatus(workspace=workspace)
    for name in ORDER_STATUS_FIELDS:
        if name in data:
            setattr(status, name, data[name])
    if "is_default" in data:
        if data["is_default"]:
            OrderStatus.objects.filter(workspace=workspace, is_default=True).exclude(pk=status.pk).update(
                is_default=False
            )
        status.is_default = data["is_default"]
    status.save()
    return status


def order_status_delete(*, status: OrderStatus, access: Access) -> None:
    """The owner's; invoices that showed it keep no status (SET_NULL)."""
    access.require(codes.OWNER)
    status.delete()
