"""Suppliers: create, update, delete (a supplier with invoices is `in_use`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from suppliers import error_codes
from suppliers.models import Supplier
from suppliers.services.common import require_manage, require_same_workspace
from workspaces.errors import ConflictError, ValidationFailed
from workspaces.models import Workspace
from workspaces.tenancy import Access

SUPPLIER_FIELDS = ("name", "phone", "email", "tax_number", "notes")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: data[key] for key in SUPPLIER_FIELDS if key in data}
    if "name" in cleaned and not (cleaned["name"] or "").strip():
        raise ValidationFailed({"name": [_("This field may not be blank.")]})
    for key in ("phone", "email", "tax_number", "notes"):
        if key in cleaned and cleaned[key] is not None:
            cleaned[key] = cleaned[key].strip() or None  # an empty optional field is written null
    if "name" in cleaned:
        cleaned["name"] = cleaned["name"].strip()
    return cleaned


@transaction.atomic
def supplier_create(*, workspace: Workspace, access: Access, data: dict[str, Any]) -> Supplier:
    require_manage(workspace, access)
    return Supplier.objects.create(workspace=workspace, **_clean(data))


@transaction.atomic
def supplier_update(
    *, workspace: Workspace, access: Access, supplier: Supplier, data: dict[str, Any]
) -> Supplier:
    require_manage(workspace, access)
    require_same_workspace(workspace, supplier)
    for key, value in _clean(data).items():
        setattr(supplier, key, value)
    supplier.save()
    return supplier


@transaction.atomic
def supplier_delete(*, workspace: Workspace, access: Access, supplier: Supplier) -> None:
    """A supplier that invoices refer to is kept: 409 `in_use`."""
    require_manage(workspace, access)
    require_same_workspace(workspace, supplier)
    if supplier.invoices.exists():
        raise ConflictError(_("This supplier has invoices and cannot be deleted."), code=error_codes.IN_USE)
    supplier.delete()
