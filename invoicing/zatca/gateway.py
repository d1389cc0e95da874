"""ZATCA's e-invoicing APIs as the product calls them (PRODUCT.md sections 8b, 8c): the compliance CSID, the
compliance checks, the production CSID, reporting and clearance.

`HttpGateway` talks to a base URL (`simulation`, `production`; any URL in tests: a local fake on loopback).
`SandboxGateway` never leaves the process: a built-in test CA issues both CSIDs copying the CSR's subject and
subjectAltName, and the checks, reporting and clearance verify the document's hash and signature and answer as
ZATCA does. Both answer `Answer(status, body)`; what an answer means is the callers' (onboarding, the worker).
No call is ever made while the caller holds a row lock.
"""

from __future__ import annotations

import base64
import http.client
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from lxml import etree

from invoicing.zatca import sandbox_ca
from invoicing.zatca.csr import certificate_from_token
from invoicing.zatca.hashing import invoice_hash
from invoicing.zatca.signing import verify

SANDBOX_OTPS = "any six digits"  # the developer portal's own is 123345
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    status: int  # 0: no answer (a network error)
    body: dict[str, Any]

    @property
    def retryable(self) -> bool:
        return self.status == 0 or self.status in RETRY_STATUSES


@dataclass(frozen=True)
class Credentials:
    """A CSID's `binarySecurityToken` and `secret`: HTTP Basic on every call after the compliance CSID."""

    token: str
    secret: str

    def header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.token}:{self.secret}".encode()).decode("ascii")


def submission(xml: bytes, *, uuid: str, hash_b64: str) -> dict[str, str]:
    """The body of a check, a report or a clearance: `{"invoiceHash", "uuid", "invoice": base64 XML}`."""
    return {"invoiceHash": hash_b64, "uuid": uuid, "invoice": base64.b64encode(xml).decode("ascii")}


class Gateway(Protocol):
    def compliance_csid(self, *, otp: str, csr_b64: str) -> Answer: ...
    def compliance_check(self, credentials: Credentials, body: dict[str, str]) -> Answer: ...
    def production_csid(self, credentials: Credentials, *, request_id: str) -> Answer: ...
    def report(self, credentials: Credentials, body: dict[str, str]) -> Answer: ...
    def clear(self, credentials: Credentials, body: dict[str, str]) -> Answer: ...


class HttpGateway:
    """ZATCA's REST APIs under `base_url` (`Accept-Version: V2`, JSON), with a timeout; a network error is
    `Answer(0, {"error": ...})`, never an exception."""

    def __init__(self, base_url: str, *, timeout: float = 20.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Answer:
        request = urllib.request.Request(
            f"{self.base_url}{path}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Accept": "application/json",
                "Accept-Version": "V2",
                "Accept-Language": "en",
                "Content-Type": "application/json",
                **headers,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return Answer(response.status, _json(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _json(error.read()))
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as error:
            return Answer(0, {"error": str(error)[:300]})

    def compliance_csid(self, *, otp: str, csr_b64: str) -> Answer:
        return self._post("/compliance", {"csr": csr_b64}, {"OTP": otp})

    def compliance_check(self, credentials: Credentials, body: dict[str, str]) -> Answer:
        return self._post("/compliance/invoices", body, {"Authorization": credentials.header()})

    def production_csid(self, credentials: Credentials, *, request_id: str) -> Answer:
        return self._post(
            "/production/csids",
            {"compliance_request_id": request_id},
            {"Authorization": credentials.header()},
        )

    def report(self, credentials: Credentials, body: dict[str, str]) -> Answer:
        return self._post(
            "/invoices/reporting/single",
            body,
            {"Authorization": credentials.header(), "Clearance-Status": "0"},
        )

    def clear(self, credentials: Credentials, body: dict[str, str]) -> Answer:
        return self._post(
            "/invoices/clearance/single",
            body,
            {"Authorization": credentials.header(), "Clearance-Status": "1"},
        )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {"error": raw[:300].decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {"value": value}


@lru_cache(maxsize=1)
def _sandbox_ca() -> sandbox_ca.TestCa:
    """The process's test CA (sandbox only: its certificates prove nothing outside this machine)."""
    return sandbox_ca.create_test_ca(now=datetime.now(UTC))


def _validation(errors: list[str]) -> dict[str, Any]:
    return {
        "infoMessages": [],
        "warningMessages": [],
        "errorMessages": [
            {"type": "ERROR", "code": "invalid", "category": "signature", "message": m} for m in errors
        ],
        "status": "ERROR" if errors else "PASS",
    }


@dataclass
class SandboxGateway:
    """The local fake of `sandbox`: what ZATCA answers, decided here. Any six-digit OTP; the reported hashes are
    remembered, so a second report of a document answers ZATCA's 409 `REPORTED_SUCCESSFULLY_EARLIER`."""

    reported: set[str] = field(default_factory=set)
    requests: dict[str, str] = field(default_factory=dict)  # compliance request id: the CSR it answered
    retried: set[str] = field(default_factory=set)  # documents (uuid) answered 503 once already
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def compliance_csid(self, *, otp: str, csr_b64: str) -> Answer:
        if not (len(otp) == 6 and otp.isdigit()):
            return Answer(400, {"errorCode": "Invalid-OTP", "errorMessage": "The OTP is six digits."})
        try:
            issued = sandbox_ca.issue_csid(_sandbox_ca(), csr_b64, now=datetime.now(UTC))
        except ValueError as error:
            return Answer(400, {"errorCode": "Invalid-CSR", "errorMessage": str(error)})
        with self._lock:
            self.requests[str(issued.request_id)] = csr_b64
        return Answer(200, issued.as_json())

    def _checked(self, credentials: Credentials, body: dict[str, str]) -> list[str]:
        xml = base64.b64decode(body["invoice"])
        errors = []
        if invoice_hash(xml) != body["invoiceHash"]:
            errors.append("The invoice hash is not the hash of the invoice.")
        if not verify(xml, certificate_from_token(credentials.token)):
            errors.append("The signature does not verify with the certificate.")
        return errors

    def compliance_check(self, credentials: Credentials, body: dict[str, str]) -> Answer:
        errors = self._checked(credentials, body)
        return Answer(
            400 if errors else 200,
            {
                "validationResults": _validation(errors),
                "reportingStatus": "NOT_REPORTED" if errors else "REPORTED",
            },
        )

    def production_csid(self, credentials: Credentials, *, request_id: str) -> Answer:
        # The production CSID of the same CSR, issued again by the test CA.
        with self._lock:
            csr_b64 = self.requests.pop(str(request_id), None)
        if csr_b64 is None:
            return Answer(
                400, {"errorCode": "Invalid-Request-ID", "errorMessage": "No such compliance request."}
            )
        return Answer(200, sandbox_ca.issue_csid(_sandbox_ca(), csr_b64, now=datetime.now(UTC)).as_json())

    def report(self, credentials: Credentials, body: dict[str, str]) -> Answer:
        errors = self._checked(credentials, body)
        if errors:
            return Answer(400, {"validationResults": _validation(errors), "reportingStatus": "NOT_REPORTED"})
        with self._lock:
            if body["invoiceHash"] in self.reported:
                return Answer(
                    409,
                    {
                        "message": "Invoice Hash Previously Submitted",
                        "reportingStatus": "REPORTED_SUCCESSFULLY_EARLIER",
                    },
                )
            self.reported.add(body["invoiceHash"])
        return Answer(200, {"validationResults": _validation([]), "reportingStatus": "REPORTED"})

    def clear(self, credentials: Credentials, body: dict[str, str]) -> Answer:
        """Clears; refuses a buyer whose VAT number is `REJECTED_BUYER`; answers 503 once for a document whose
        order reference (api2's `po_number`) is `RETRY`, so every path runs offline (section 8c)."""
        errors = self._checked(credentials, body)
        root = etree.fromstring(base64.b64decode(body["invoice"]), _PARSER)
        if _text(root, _BUYER_VAT) == REJECTED_BUYER:
            errors.append("BR-KSA-40: the buyer's VAT number is not registered (sandbox's rejected buyer).")
        if errors:
            return Answer(400, {"validationResults": _validation(errors), "clearanceStatus": "NOT_CLEARED"})
        if _text(root, _ORDER_REFERENCE) == "RETRY":
            with self._lock:
                first = body["uuid"] not in self.retried
                self.retried.add(body["uuid"])
            if first:
                return Answer(503, {"message": "Service unavailable (sandbox: RETRY answers 503 once)"})
        return Answer(
            200,
            {
                "validationResults": _validation([]),
                "clearanceStatus": "CLEARED",
                "clearedInvoice": body["invoice"],
            },
        )


REJECTED_BUYER = "300000000000003"
_NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_BUYER_VAT = "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID/text()"
_ORDER_REFERENCE = "cac:OrderReference/cbc:ID/text()"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def _text(root: etree._Element, path: str) -> str:
    found = root.xpath(path, namespaces=_NS)
    return str(found[0]) if found else ""


_SANDBOX = SandboxGateway()


def gateway_for(environment: str, base_url: str, *, timeout: float = 20.0) -> Gateway:
    """The sandbox's local fake (one per process), or ZATCA's APIs at `base_url`."""
    if environment == "sandbox":
        return _SANDBOX
    return HttpGateway(base_url, timeout=timeout)
