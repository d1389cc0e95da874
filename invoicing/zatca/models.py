"""ZATCA phase 2 rows (PRODUCT.md section 8b): a store's device (its EGS unit, keys and chain) and each signed
document with its reporting state (the outbox). Imported by `invoicing.models`."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import Store, TimeStamped, Workspace


class ZatcaDevice(TimeStamped):
    """A store's EGS unit. Its private key and secrets are stored encrypted (`invoicing.zatca.secrets`, with the
    key of `settings.ZATCA_SECRET_KEY`); the chain (`icv`, `previous_hash`) moves under the row's lock only."""

    class Environment(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (offline)")
        SIMULATION = "simulation", _("Simulation")
        PRODUCTION = "production", _("Production")

    class Status(models.TextChoices):
        COMPLIANCE = "compliance", _("Compliance checks")
        ACTIVE = "active", _("Active")
        FAILED = "failed", _("Onboarding failed")

    class InvoiceType(models.TextChoices):
        SIMPLIFIED = "0100", _("Simplified only")
        STANDARD = "1000", _("Standard only")
        BOTH = "1100", _("Simplified and standard")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    store = models.OneToOneField(Store, on_delete=models.PROTECT, related_name="zatca_device")
    environment = models.CharField(_("environment"), max_length=12, choices=Environment.choices)
    base_url = models.URLField(_("base URL"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.COMPLIANCE)
    invoice_type = models.CharField(
        _("invoice types"), max_length=4, choices=InvoiceType.choices, default=InvoiceType.SIMPLIFIED
    )
    device_uuid = models.UUIDField(_("device id"), default=uuid.uuid4, editable=False)
    common_name = models.CharField(_("common name"), max_length=100)
    private_key = models.TextField(editable=False)  # encrypted PEM
    csr = models.TextField(_("CSR"), editable=False)
    compliance_request_id = models.CharField(max_length=100, blank=True, default="", editable=False)
    compliance_token = models.TextField(blank=True, default="", editable=False)
    compliance_secret = models.TextField(blank=True, default="", editable=False)  # encrypted
    production_token = models.TextField(blank=True, default="", editable=False)
    production_secret = models.TextField(blank=True, default="", editable=False)  # encrypted
    certificate = models.TextField(_("certificate"), blank=True, default="", editable=False)  # PEM, public
    icv = models.PositiveBigIntegerField(_("last ICV"), default=0)
    previous_hash = models.CharField(_("last hash"), max_length=100)
    onboarded_at = models.DateTimeField(_("onboarded"), null=True, blank=True)

    class Meta:
        verbose_name = _("ZATCA device")
        verbose_name_plural = _("ZATCA devices")

    def __str__(self) -> str:
        return f"{self.store} ({self.get_environment_display()})"


class ZatcaDocument(models.Model):
    """A signed document (a POS sale or return; an api2 or order invoice), its place in its device's chain, the
    exact XML that was hashed, and its reporting or clearance state. Written in the transaction that issues the
    document; only the reporting fields change afterwards."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        REPORTED = "reported", _("Reported")
        REPORTED_WITH_WARNINGS = "reported_with_warnings", _("Reported with warnings")
        CLEARED = "cleared", _("Cleared")
        CLEARED_WITH_WARNINGS = "cleared_with_warnings", _("Cleared with warnings")
        REJECTED = "rejected", _("Rejected")

    class Kind(models.TextChoices):
        SIMPLIFIED = "simplified", _("Simplified")
        STANDARD = "standard", _("Standard")

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(ZatcaDevice, on_delete=models.PROTECT, related_name="documents")
    source_type = models.CharField(_("document type"), max_length=20)  # pos_invoice, pos_return, ...
    source_id = models.BigIntegerField(_("document id"))
    number = models.CharField(_("number"), max_length=32)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SIMPLIFIED)
    uuid = models.UUIDField(_("UUID"))
    icv = models.PositiveBigIntegerField(_("ICV"))
    hash = models.CharField(_("hash"), max_length=100)
    previous_hash = models.CharField(_("previous hash"), max_length=100)
    qr = models.TextField(_("QR"))
    xml = models.BinaryField(_("signed XML"))
    # A standard invoice once cleared: ZATCA's XML (its stamp and QR), what the buyer gets (section 8c).
    cleared_xml = models.BinaryField(_("cleared XML"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.PENDING)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed"), auto_now_add=True)

    class Meta:
        verbose_name = _("ZATCA document")
        verbose_name_plural = _("ZATCA documents")
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id"], name="zatca_document_once"),
            # One document per place in a device's chain: no fork.
            models.UniqueConstraint(fields=["device", "icv"], name="zatca_document_chain_unique"),
        ]
        indexes = [
            # The worker's queue: the pending documents, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="zatca_document_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["workspace", "status", "created_at"], name="zatca_document_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} #{self.icv}"
