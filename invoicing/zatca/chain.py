"""Signing a document into its device's chain (PRODUCT.md section 8b), inside the transaction that issues it.

The caller (a POS sale's completion, a return, an api2 or order invoice) has locked the document; `sign_next` locks
the device row (`FOR UPDATE`: the chain is serial per store; lock order: the document, then the device, then the
counters and the stock), gives the document ICV = the last + 1 and PIH = the last hash, writes and signs its XML,
records it (its `ZatcaDocument`, which is also the reporting outbox) and moves the chain on. Nothing signed is ever
changed: the unique (device, ICV) forbids a fork, the unique (source) a second signature.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone

from invoicing.zatca import secrets
from invoicing.zatca.csr import load_private_key
from invoicing.zatca.documents import Address, Buyer, Document, Kind, PaymentMeans, Seller, TypeCode
from invoicing.zatca.mapping import SourceLine, lines_and_totals
from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.signing import sign

ADDRESS_FIELDS = ("street", "buildingNumber", "district", "city", "postalCode")
# Payment words of the product (`workspaces.payment_methods`) as ZATCA's UNCL4461 codes.
PAYMENT_MEANS = {
    "cash": PaymentMeans.CASH,
    "card": PaymentMeans.CARD,
    "transfer": PaymentMeans.CREDIT,
    "cheque": PaymentMeans.OTHER,
    "other": PaymentMeans.OTHER,
}


@lru_cache(maxsize=1)
def _key() -> bytes:
    return secrets.derive_key(settings.ZATCA_SECRET_KEY)


def encrypt(text: str) -> str:
    return secrets.encrypt(text, _key())


def decrypt(token: str) -> str:
    return secrets.decrypt(token, _key()).decode()


@lru_cache(maxsize=256)
def _private_key(token: str) -> ec.EllipticCurvePrivateKey:
    """A device key, decrypted and loaded once per process (keyed by its ciphertext: a new onboarding, a new key)."""
    return load_private_key(decrypt(token).encode())


@lru_cache(maxsize=256)
def _certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def device_certificate(device: ZatcaDevice) -> x509.Certificate:
    return _certificate(device.certificate)


def seller_of(device: ZatcaDevice) -> Seller:
    """The seller as the device's store and workspace say it (read with the device: `lock_device`)."""
    workspace, address = device.store.workspace, device.store.national_address or {}
    return Seller(
        name=workspace.legal_name or workspace.name,
        vat_number=workspace.vat_number,
        cr_number=workspace.cr_number,
        address=Address(
            street=address.get("street", ""),
            building_number=address.get("buildingNumber", ""),
            district=address.get("district", ""),
            city=address.get("city", ""),
            postal_code=address.get("postalCode", ""),
        ),
    )


def lock_device(*, store_id: int) -> ZatcaDevice | None:
    """The store's active device `FOR UPDATE` (alone: its store and workspace are read in the same query, not
    locked); None when the store has none."""
    return (
        ZatcaDevice.objects.select_for_update(of=("self",))
        .select_related("store__workspace")
        .filter(store_id=store_id, status=ZatcaDevice.Status.ACTIVE)
        .first()
    )


@dataclass(frozen=True)
class Issued:
    """What a document says of itself to be signed."""

    source_type: str
    source_id: int
    number: str
    moment: dt.datetime  # aware: the issue date and time, written in the workspace's time zone
    type_code: TypeCode
    lines: Sequence[SourceLine]
    calculation: Any  # the calculator's figures: `DocumentTotals` or `ReturnTotals` (lines, taxes, total)
    payment_method: str = "cash"
    billing_reference: str | None = None
    instruction_note: str | None = None
    buyer: Buyer | None = None
    kind: Kind = Kind.SIMPLIFIED
    supply_date: dt.date | None = None
    order_reference: str | None = None


def sign_next(device: ZatcaDevice, issued: Issued) -> ZatcaDocument:
    """Signs `issued` as the next document of `device` (locked by the caller: `lock_device`), records it pending
    (the outbox) and moves the chain on: two writes."""
    local = issued.moment.astimezone(zoneinfo.ZoneInfo(device.store.workspace.timezone))
    lines, totals = lines_and_totals(issued.lines, issued.calculation)
    document = Document(
        uuid=str(uuid.uuid4()),
        number=issued.number,
        issue_date=local.date(),
        issue_time=local.time().replace(microsecond=0, tzinfo=None),
        kind=issued.kind,
        type_code=issued.type_code,
        icv=device.icv + 1,
        pih=device.previous_hash,
        seller=seller_of(device),
        lines=lines,
        totals=totals,
        payment_means=PAYMENT_MEANS.get(issued.payment_method, PaymentMeans.OTHER),
        buyer=issued.buyer,
        billing_reference=issued.billing_reference,
        instruction_note=issued.instruction_note,
        supply_date=issued.supply_date,
        order_reference=issued.order_reference,
    )
    signed = sign(document, _private_key(device.private_key), device_certificate(device), timezone.now())
    record = ZatcaDocument.objects.create(
        workspace_id=device.workspace_id,
        device=device,
        source_type=issued.source_type,
        source_id=issued.source_id,
        number=issued.number,
        kind=issued.kind.value,
        uuid=document.uuid,
        icv=document.icv,
        hash=signed.invoice_hash,
        previous_hash=document.pih,
        qr=signed.qr,
        xml=signed.xml,
        next_attempt_at=timezone.now(),
    )
    device.icv, device.previous_hash = document.icv, signed.invoice_hash
    device.save(update_fields=["icv", "previous_hash", "updated_at"])
    return record
