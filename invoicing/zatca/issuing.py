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

from django.db import transaction

from invoicing.zatca.documents import Address, Buyer, Kind
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.reporting import settle_now
from workspaces.models import Client

VAT_NUMBER = re.compile(r"^3[0-9]{13}3$")
BUYER_ADDRESS = ("street", "buildingNumber", "district", "city", "postalCode")
SAUDI_DIGITS = {"buildingNumber": 4, "postalCode": 5}
STANDARD_TYPES = (ZatcaDevice.InvoiceType.STANDARD, ZatcaDevice.InvoiceType.BOTH)


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


def clear_after_commit(document: ZatcaDocument) -> None:
    """A standard invoice is sent to clearance once its issuing transaction has committed (never under a lock);
    an error leaves it pending for the worker."""
    if document.kind == ZatcaDocument.Kind.STANDARD:
        transaction.on_commit(lambda: settle_now(document.pk))
