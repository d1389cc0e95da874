"""Which ZATCA document an invoice to a client is, and its buyer (PRODUCT.md section 8c): the kind is decided here
and only here, for api2 and order invoices alike.

A client with a VAT number (15 digits, starting and ending with 3) buying from a store whose device is onboarded for
standard invoices (`1000`, `1100`) gets a standard tax invoice (388, `0100000`, its buyer party, the supply date),
cleared by ZATCA after the issuing transaction commits (`reporting.settle_now`); anyone else a simplified one,
reported by the worker. A standard invoice needs the buyer's complete address: what is missing is named before
anything is numbered or stock moves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.calculation_types import TaxInput
from invoicing.zatca.chain import Issued, lock_device, sign_next
from invoicing.zatca.documents import Address, Buyer, Kind, VatCategory
from invoicing.zatca.mapping import SourceLine
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.reporting import settle_now
from workspaces.errors import ApplicationError, ValidationFailed
from workspaces.models import Client

VAT_NUMBER = re.compile(r"^3[0-9]{13}3$")
BUYER_ADDRESS = ("street", "buildingNumber", "district", "city", "postalCode")
SAUDI_DIGITS = {"buildingNumber": 4, "postalCode": 5}
STANDARD_TYPES = (ZatcaDevice.InvoiceType.STANDARD, ZatcaDevice.InvoiceType.BOTH)
OUT_OF_SCOPE = {
    "category": VatCategory.OUT_OF_SCOPE,
    "exemption_reason_code": "VATEX-SA-OOS",
    "exemption_reason": "Not subject to VAT",
}


def active_device(store_id: int) -> ZatcaDevice | None:
    """The store's onboarded device, read without a lock (the issuing transaction locks it later, in order)."""
    return ZatcaDevice.objects.filter(store_id=store_id, status=ZatcaDevice.Status.ACTIVE).first()


def kind_for(device: ZatcaDevice, client: Client | None) -> Kind:
    """The one place the kind is decided."""
    registered = client is not None and VAT_NUMBER.match(client.tax_number or "") is not None
    return Kind.STANDARD if registered and device.invoice_type in STANDARD_TYPES else Kind.SIMPLIFIED


def buyer_missing(client: Client) -> list[str]:
    """The parts of the buyer a standard invoice lacks, as the client's API names them (`address.city`, ...)."""
    address = client.address or {}
    country = (address.get("countryCode") or "SA").upper()
    missing = [] if (client.name or "").strip() else ["name"]
    for name in BUYER_ADDRESS:
        value = str(address.get(name) or "").strip()
        digits = SAUDI_DIGITS.get(name) if country == "SA" else None
        if not value or (digits and not (value.isascii() and value.isdigit() and len(value) == digits)):
            missing.append(f"address.{name}")
    return missing


def buyer_of(client: Client) -> Buyer:
    address = client.address or {}
    return Buyer(
        name=client.name,
        vat_number=client.tax_number or None,
        cr_number=client.cr_number or None,
        address=Address(
            street=address.get("street", ""),
            building_number=address.get("buildingNumber", ""),
            district=address.get("district", ""),
            city=address.get("city", ""),
            postal_code=address.get("postalCode", ""),
            country=(address.get("countryCode") or "SA").upper(),
        ),
    )


def source_line(
    *, name: str, quantity: Decimal, unit_price: Decimal, taxes: Sequence[TaxInput]
) -> SourceLine:
    """A line as sold, for any invoice kind: its one VAT (ZATCA states one VAT per line: two are a 422
    `zatca_unsignable`); without VAT, or at a rate of 0, out of scope (category O)."""
    if len(taxes) > 1:
        raise ApplicationError(
            _("“%(name)s” carries two taxes; a ZATCA document states one VAT per line.") % {"name": name},
            code="zatca_unsignable",
            status=422,
        )
    tax = taxes[0] if taxes else None
    if tax is None or tax.rate == 0:
        return SourceLine(name=name, quantity=quantity, unit_price=unit_price, tax=tax, **OUT_OF_SCOPE)
    return SourceLine(name=name, quantity=quantity, unit_price=unit_price, tax=tax)


@dataclass(frozen=True)
class Signing:
    """What an issuing transaction signs with: the store's device (locked) and the document's kind."""

    device: ZatcaDevice
    kind: Kind


def signing_for(*, store_id: int, client: Client | None) -> Signing | None:
    """The device and kind of an invoice about to be issued (api2 or order), the device locked after the
    document and before the counter (the house's lock order); None when the store signs nothing. A standard
    invoice's incomplete buyer is a 400 naming the client's missing fields (`client.address.city`, ...), raised
    before any lock and before anything is numbered or written."""
    device = active_device(store_id)
    if device is None:
        return None
    kind = kind_for(device, client)
    if kind is Kind.STANDARD and client is not None:  # standard: always a VAT-registered client
        missing = buyer_missing(client)
        if missing:
            raise ValidationFailed(
                {f"client.{name}": [_("Required for a standard tax invoice (ZATCA).")] for name in missing}
            )
    locked = lock_device(store_id=store_id)
    return Signing(locked, kind) if locked is not None else None


def sign_issued(device: ZatcaDevice, issued: Issued) -> ZatcaDocument:
    """`chain.sign_next` for any invoice kind, what the XML cannot state refused whole (422 `zatca_unsignable`: the
    issuing transaction rolls back, nothing is numbered or written); a standard document goes to clearance once
    the transaction commits."""
    try:
        document = sign_next(device, issued)
    except ValueError as exc:
        raise ApplicationError(
            _("This document cannot be signed for ZATCA: %(reason)s") % {"reason": str(exc)[:200]},
            code="zatca_unsignable",
            status=422,
        ) from exc
    clear_after_commit(document)
    return document


def clear_after_commit(document: ZatcaDocument) -> None:
    """A standard invoice is sent to clearance once its issuing transaction has committed (never under a lock);
    an error leaves it pending for the worker: logged, never the request's answer (`robust`: the invoice is
    issued whatever ZATCA or the network does)."""
    if document.kind == ZatcaDocument.Kind.STANDARD:
        transaction.on_commit(lambda: settle_now(document.pk), robust=True)
