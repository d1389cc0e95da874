"""Onboarding a store's device (PRODUCT.md section 8b): its key and CSR, the compliance CSID, the compliance
checks, the production CSID, all before any row is locked (ZATCA is called over the network); the device is then
written in one short transaction. In `sandbox` nothing leaves the machine (`gateway.SandboxGateway`).

Onboarding again (a new key, after a certificate's renewal or a change of invoice types) keeps the chain: the
next document continues the device's ICV and PIH.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoicing.calculation_types import LineInput
from invoicing.calculations import TaxInput, calculate_document
from invoicing.zatca.chain import ADDRESS_FIELDS, encrypt, seller_of
from invoicing.zatca.csr import (
    CsrSubject,
    build_csr,
    certificate_from_token,
    csr_base64,
    generate_private_key,
    private_key_pem,
)
from invoicing.zatca.documents import Address, Buyer, Document, Kind, TypeCode
from invoicing.zatca.gateway import Answer, Credentials, gateway_for, submission
from invoicing.zatca.hashing import FIRST_PREVIOUS_HASH
from invoicing.zatca.mapping import SourceLine, lines_and_totals
from invoicing.zatca.models import ZatcaDevice
from invoicing.zatca.signing import sign
from workspaces import codes
from workspaces.errors import ApplicationError, ValidationFailed
from workspaces.models import Store
from workspaces.tenancy import Access

SOLUTION_NAME, SOLUTION_VERSION = "InvoicingBackOffice", "1.0"
VAT_NUMBER = re.compile(r"^3\d{13}3$")
CR_NUMBER = re.compile(r"^\d{10}$")
DIGITS = {"buildingNumber": 4, "postalCode": 5}
SAMPLE_BUYER = Buyer(
    name="Compliance check buyer",
    vat_number="399999999900003",
    address=Address(
        street="Prince Sultan",
        building_number="2322",
        district="Al-Murabba",
        city="Riyadh",
        postal_code="23333",
    ),
)


def seller_problems(store: Store) -> list[str]:
    """What ZATCA needs of the seller and the store and is missing or malformed, named as the API names it."""
    workspace, address = store.workspace, store.national_address or {}
    problems = []
    if not VAT_NUMBER.match(workspace.vat_number or ""):
        problems.append("workspace.vatNumber")
    if not CR_NUMBER.match(workspace.cr_number or ""):
        problems.append("workspace.crNumber")
    for name in ADDRESS_FIELDS:
        value = str(address.get(name) or "").strip()
        digits = DIGITS.get(name)
        if not value or (digits and not (value.isdigit() and len(value) == digits)):
            problems.append(f"store.nationalAddress.{name}")
    return problems


def _refused(step: str, answer: Answer) -> ApplicationError:
    """ZATCA said no (or could not be reached): 502 when it may work later, else 422, with ZATCA's words."""
    detail = answer.body.get("errorMessage") or answer.body.get("message") or answer.body.get("error") or ""
    errors = (answer.body.get("validationResults") or {}).get("errorMessages") or []
    return ApplicationError(
        _("ZATCA refused the %(step)s (%(status)s): %(detail)s")
        % {"step": step, "status": answer.status or _("no answer"), "detail": str(detail)[:200]},
        code="zatca_unavailable" if answer.retryable else "zatca_refused",
        status=502 if answer.retryable else 422,
        details={"step": step, "zatcaStatus": answer.status, "errors": errors[:20]},
    )


def _sample(store: Store, kind: Kind, type_code: TypeCode, icv: int, pih: str, now: dt.datetime) -> Document:
    """A one-line compliance sample (1 × 10.00 SAR, 15% VAT), outside the chain."""
    tax = TaxInput(key="vat", rate=Decimal(15), inclusive=False)
    source = [SourceLine(name="Compliance sample", quantity=Decimal(1), unit_price=Decimal(10), tax=tax)]
    totals = calculate_document(lines=[LineInput(Decimal(1), Decimal(10), taxes=(tax,))], currency="SAR")
    lines, document_totals = lines_and_totals(source, totals)
    note = type_code != TypeCode.INVOICE
    return Document(
        uuid=str(uuid.uuid4()),
        number=f"CHECK-{icv}",
        issue_date=now.date(),
        issue_time=now.time().replace(microsecond=0, tzinfo=None),
        kind=kind,
        type_code=type_code,
        icv=icv,
        pih=pih,
        seller=seller_of(_DeviceView(store)),
        lines=lines,
        totals=document_totals,
        buyer=SAMPLE_BUYER if kind is Kind.STANDARD else None,
        billing_reference="CHECK-1" if note else None,
        instruction_note="Compliance check" if note else None,
    )


class _DeviceView:
    """What `seller_of` reads of a device, before the device exists."""

    def __init__(self, store: Store) -> None:
        self.store = store


def _kinds(invoice_type: str) -> list[Kind]:
    return [
        kind
        for kind, flag in ((Kind.STANDARD, invoice_type[0]), (Kind.SIMPLIFIED, invoice_type[1]))
        if flag == "1"
    ]


def zatca_onboard(
    *, store: Store, access: Access, otp: str, environment: str, invoice_type: str = "0100"
) -> ZatcaDevice:
    """Onboards `store`'s device with ZATCA (owner only): 400 for a bad OTP, environment or invoice type; 422
    `zatca_seller_incomplete` naming what the seller or the store lacks; 422 `zatca_refused` or 502
    `zatca_unavailable` with ZATCA's answer. Keys and secrets are stored encrypted, never answered."""
    access.require(codes.OWNER, workspace_id=store.workspace_id)
    errors: dict[str, list[str]] = {}
    if not (isinstance(otp, str) and len(otp) == 6 and otp.isdigit()):
        errors["otp"] = [_("The one-time password is six digits.")]
    if environment not in ZatcaDevice.Environment.values:
        errors["environment"] = [_("Choose sandbox, simulation or production.")]
    if invoice_type not in ZatcaDevice.InvoiceType.values:
        errors["invoice_type"] = [_("Choose 0100, 1000 or 1100.")]
    if errors:
        raise ValidationFailed(errors)
    missing = seller_problems(store)
    if missing:
        raise ApplicationError(
            _("ZATCA needs the seller's and the store's details first: %(fields)s.")
            % {"fields": ", ".join(missing)},
            code="zatca_seller_incomplete",
            status=422,
            details={"missing": missing},
        )
    workspace = store.workspace
    base_url = settings.ZATCA_BASE_URLS[environment]
    gateway = gateway_for(environment, base_url, timeout=settings.ZATCA_TIMEOUT_SECONDS)
    key, device_uuid = generate_private_key(), uuid.uuid4()
    subject = CsrSubject(
        common_name=f"EGS-{workspace.pk}-{store.pk}",
        organization_unit=(store.name or str(store.pk))[:64],
        organization=(workspace.legal_name or workspace.name)[:64],
        vat_number=workspace.vat_number,
        solution_name=SOLUTION_NAME,
        solution_version=SOLUTION_VERSION,
        device_uuid=str(device_uuid),
        invoice_type=invoice_type,
        registered_address=(store.national_address.get("shortAddress") or store.national_address["city"])[
            :64
        ],
        business_category=(getattr(workspace, "industry", "") or "Retail")[:64],
    )
    csr = build_csr(subject, key, environment=environment)
    answer = gateway.compliance_csid(otp=otp, csr_b64=csr_base64(csr))
    if answer.status != 200:
        raise _refused(_("compliance CSID"), answer)
    compliance = Credentials(answer.body["binarySecurityToken"], answer.body["secret"])
    request_id = str(answer.body["requestID"])
    certificate = certificate_from_token(compliance.token)
    now = timezone.now()
    pih = FIRST_PREVIOUS_HASH
    checks = [(kind, code) for kind in _kinds(invoice_type) for code in TypeCode]
    for icv, (kind, type_code) in enumerate(checks, start=1):
        sample = _sample(store, kind, type_code, icv, pih, now)
        signed = sign(sample, key, certificate, now)
        checked = gateway.compliance_check(
            compliance, submission(signed.xml, uuid=sample.uuid, hash_b64=signed.invoice_hash)
        )
        if checked.status not in (200, 202):
            raise _refused(_("compliance check"), checked)
        pih = signed.invoice_hash
    answer = gateway.production_csid(compliance, request_id=request_id)
    if answer.status != 200:
        raise _refused(_("production CSID"), answer)
    production = Credentials(answer.body["binarySecurityToken"], answer.body["secret"])
    production_certificate = certificate_from_token(production.token)
    return _save(
        store=store,
        environment=environment,
        base_url=base_url,
        invoice_type=invoice_type,
        device_uuid=device_uuid,
        common_name=subject.common_name,
        private_key=encrypt(private_key_pem(key).decode()),
        csr=csr_base64(csr),
        compliance_request_id=request_id,
        compliance_token=compliance.token,
        compliance_secret=encrypt(compliance.secret),
        production_token=production.token,
        production_secret=encrypt(production.secret),
        certificate=_pem(production_certificate),
    )


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@transaction.atomic
def _save(*, store: Store, **fields: Any) -> ZatcaDevice:
    """The device written (a new one, or the store's again with its chain kept), its row locked meanwhile."""
    device = ZatcaDevice.objects.select_for_update(of=("self",)).filter(store=store).first()
    if device is None:
        device = ZatcaDevice(workspace_id=store.workspace_id, store=store, previous_hash=FIRST_PREVIOUS_HASH)
    for name, value in fields.items():
        setattr(device, name, value)
    device.status = ZatcaDevice.Status.ACTIVE
    device.onboarded_at = timezone.now()
    device.save()
    return device
