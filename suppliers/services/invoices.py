"""Supplier invoices: create, update, delete.

Invariants: the invoice number is unique per workspace on its normalised form, enforced by the database
(`supplier_invoice_number_unique`), so a race between two creates ends in one row and one 409; `total_amount`
is at least 0 and has no more decimals than the currency's minor unit; `due_date` is never before `issue_date`;
`paid_amount + remaining_amount == total_amount` always, computed in Decimal by `apply_balance` (no database check:
SQLite would compare binary floats), changed only under the invoice's lock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from invoicing.money import quantize_money
from suppliers import error_codes
from suppliers.models import Supplier, SupplierInvoice, normalise_invoice_number
from suppliers.services.common import (
    amount_check,
    apply_balance,
    locked_invoice,
    require_manage,
    require_same_workspace,
)
from suppliers.services.images import invoice_file_attach
from workspaces.errors import ApplicationError, ConflictError, ValidationFailed
from workspaces.models import Workspace
from workspaces.tenancy import Access

INVOICE_FIELDS = (
    "invoice_number",
    "total_amount",
    "issue_date",
    "due_date",
    "description",
    "notes",
    "image_url",
)
MAX_IMAGE_URL = 2048


def _duplicate() -> ConflictError:
    return ConflictError(
        _("An invoice with this number already exists in this workspace."),
        code=error_codes.DUPLICATE_INVOICE_NUMBER,
    )


def _check(invoice: SupplierInvoice) -> None:
    """The rules on the fields as they will be stored, shared by create, update and the admin."""
    number = (invoice.invoice_number or "").strip()
    if not number:
        raise ValidationFailed({"invoice_number": [_("This field may not be blank.")]})
    if len(number) > 100:
        raise ValidationFailed({"invoice_number": [_("The invoice number can have at most 100 characters.")]})
    invoice.invoice_number = number
    invoice.invoice_number_normalised = normalise_invoice_number(number)
    if invoice.total_amount is None:
        raise ValidationFailed({"total_amount": [_("This field is required.")]})
    amount_check(invoice.currency, invoice.total_amount, "total_amount")
    if invoice.issue_date is None:
        raise ValidationFailed({"issue_date": [_("This field is required.")]})
    if invoice.due_date is not None and invoice.due_date < invoice.issue_date:
        raise ValidationFailed({"due_date": [_("The due date cannot be before the issue date.")]})
    if invoice.image_url is not None:
        url = invoice.image_url.strip()
        parts = urlsplit(url)
        if len(url) > MAX_IMAGE_URL or parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationFailed(
                {"image_url": [_("An absolute http(s) URL of at most 2048 characters is required.")]}
            )
        invoice.image_url = url
    for key in ("description", "notes"):
        value = getattr(invoice, key)
        if value is not None and not value.strip():
            setattr(invoice, key, None)


def _number_taken(invoice: SupplierInvoice) -> bool:
    return (
        SupplierInvoice.objects.filter(
            workspace_id=invoice.workspace_id, invoice_number_normalised=invoice.invoice_number_normalised
        )
        .exclude(pk=invoice.pk)
        .exists()
    )


def _save(invoice: SupplierInvoice) -> None:
    """Saves in a savepoint: a concurrent insert of the same number surfaces as an IntegrityError here (after
    PostgreSQL has waited for the other transaction), answered as the same 409 as the pre-check."""
    if _number_taken(invoice):
        raise _duplicate()
    try:
        with transaction.atomic():
            invoice.save()
    except IntegrityError as exc:
        raise _duplicate() from exc
    invoice_file_attach(invoice=invoice)  # an upload its `image_url` names is kept (cleanup_uploads)


@transaction.atomic
def supplier_invoice_create(
    *,
    workspace: Workspace,
    access: Access,
    supplier: Supplier,
    invoice_number: str,
    total_amount: Decimal,
    issue_date: dt.date,
    due_date: dt.date | None = None,
    description: str | None = None,
    notes: str | None = None,
    image_url: str | None = None,
) -> SupplierInvoice:
    """A new invoice, nothing paid yet: `pending`, or `paid` when its total is 0."""
    require_manage(workspace, access)
    require_same_workspace(workspace, supplier)
    invoice = SupplierInvoice(
        workspace=workspace,
        supplier=supplier,
        invoice_number=invoice_number,
        currency=workspace.currency,
        total_amount=total_amount,
        issue_date=issue_date,
        due_date=due_date,
        description=description,
        notes=notes,
        image_url=image_url,
        created_by=access.user,
        created_by_api_key=access.api_key,
    )
    _check(invoice)
    apply_balance(invoice, Decimal(0))
    _save(invoice)
    return invoice


@transaction.atomic
def supplier_invoice_update(
    *, workspace: Workspace, access: Access, invoice: SupplierInvoice, data: dict[str, Any]
) -> SupplierInvoice:
    """Changes the given fields under the invoice's lock; a total below what is already paid is 422
    `overpayment` and changes nothing."""
    require_manage(workspace, access)
    require_same_workspace(workspace, invoice)
    invoice = locked_invoice(invoice)
    for key in INVOICE_FIELDS:
        if key in data:
            setattr(invoice, key, data[key])
    _check(invoice)
    if invoice.total_amount < invoice.paid_amount:
        raise ApplicationError(
            _("The total cannot be less than the %(paid)s already paid.")
            % {"paid": quantize_money(invoice.paid_amount, invoice.currency)},
            code=error_codes.OVERPAYMENT,
            details={"paid_amount": invoice.paid_amount},
        )
    apply_balance(invoice, invoice.paid_amount)
    _save(invoice)
    return invoice


@transaction.atomic
def supplier_invoice_delete(*, workspace: Workspace, access: Access, invoice: SupplierInvoice) -> None:
    """Only an invoice without payments can be deleted (409 `invoice_has_payments`), checked under its lock so
    a payment arriving at the same time cannot be lost."""
    require_manage(workspace, access)
    require_same_workspace(workspace, invoice)
    invoice = locked_invoice(invoice)
    if invoice.payments.exists():
        raise ConflictError(
            _("This invoice has payments: remove them before deleting it."),
            code=error_codes.INVOICE_HAS_PAYMENTS,
        )
    invoice.delete()
