"""ZATCA phase 2 endpoints of a store (PRODUCT.md section 8b): its device's state, onboarding. Never a key or a
secret in an answer."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from invoicing.zatca.models import ZatcaDevice, ZatcaDocument
from invoicing.zatca.onboarding import zatca_onboard
from invoicing.zatca.reads import xml_of
from workspaces import codes
from workspaces.api.base import WorkspaceView, ok
from workspaces.api.fields import ChoiceField, DateTimeField, StrictCharField
from workspaces.api.openapi import envelope_names
from workspaces.errors import NotFoundError
from workspaces.models import Store

NOT_ONBOARDED = "not_onboarded"


class OnboardInputSerializer(serializers.Serializer):
    otp = StrictCharField(
        min_length=6, max_length=6, help_text="ZATCA's one-time password (any 6 digits in sandbox)."
    )
    environment = ChoiceField(choices=ZatcaDevice.Environment.values)
    invoiceType = ChoiceField(
        choices=ZatcaDevice.InvoiceType.values,
        required=False,
        default=ZatcaDevice.InvoiceType.SIMPLIFIED,
        source="invoice_type",
        help_text="0100 simplified only (the default), 1000 standard only, 1100 both.",
    )


@envelope_names("zatca", "zatca")
class DeviceOutputSerializer(serializers.Serializer):
    environment = ChoiceField(choices=ZatcaDevice.Environment.values, allow_null=True)
    status = ChoiceField(choices=[NOT_ONBOARDED, *ZatcaDevice.Status.values])
    invoiceType = ChoiceField(choices=ZatcaDevice.InvoiceType.values, allow_null=True)
    certificate = serializers.CharField(
        allow_null=True, help_text="The production certificate (PEM): public."
    )
    icv = serializers.IntegerField(help_text="The last document's counter value (0: none yet).")
    onboardedAt = DateTimeField(allow_null=True)


def device_output(device: ZatcaDevice | None) -> dict[str, Any]:
    if device is None:
        return {
            "environment": None,
            "status": NOT_ONBOARDED,
            "invoiceType": None,
            "certificate": None,
            "icv": 0,
            "onboardedAt": None,
        }
    return {
        "environment": device.environment,
        "status": device.status,
        "invoiceType": device.invoice_type,
        "certificate": device.certificate or None,
        "icv": device.icv,
        "onboardedAt": device.onboarded_at,
    }


class _StoreZatcaView(WorkspaceView):
    def store_of(self, store_id: int) -> Store:
        store = (
            Store.objects.select_related("workspace").filter(workspace=self.workspace, pk=store_id).first()
        )
        if store is None:
            raise NotFoundError(_("Store not found."))
        return store


class DeviceView(_StoreZatcaView):
    required_permissions = {"GET": codes.OWNER}

    @extend_schema(responses={200: DeviceOutputSerializer})
    def get(self, request: Request, workspace_id: int, store_id: int) -> Response:
        """Get the store's ZATCA device

        Its environment, status, invoice types, certificate and last ICV (`not_onboarded` before onboarding).
        Owner only."""
        store = self.store_of(store_id)
        return ok("zatca", device_output(ZatcaDevice.objects.filter(store=store).first()))


class OnboardView(_StoreZatcaView):
    required_permissions = {"POST": codes.OWNER}

    @extend_schema(
        request=OnboardInputSerializer,
        responses={200: DeviceOutputSerializer},
        examples=[
            OpenApiExample("Sandbox", value={"otp": "123345", "environment": "sandbox"}, request_only=True)
        ],
    )
    def post(self, request: Request, workspace_id: int, store_id: int) -> Response:
        """Onboard the store with ZATCA

        A key and a CSR, the compliance CSID, the compliance checks and the production CSID; `sandbox` never
        leaves the machine. 422 `zatca_seller_incomplete` names what the workspace (`vatNumber`, `crNumber`) or the
        store (`nationalAddress`) lacks; 422 `zatca_refused` or 502 `zatca_unavailable` carry ZATCA's answer.
        Onboarding again keeps the chain. Owner only."""
        data = self.validated(OnboardInputSerializer, request.data)
        device = zatca_onboard(
            store=self.store_of(store_id),
            access=self.access,
            otp=data["otp"],
            environment=data["environment"],
            invoice_type=data["invoice_type"],
        )
        return ok("zatca", device_output(device))


class ZatcaMessageSerializer(serializers.Serializer):
    """One of ZATCA's validation messages, as it answered it."""

    type = ChoiceField(choices=["ERROR", "WARNING", "INFO"], required=False)
    code = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    message = serializers.CharField(required=False)
    status = ChoiceField(choices=["ERROR", "WARNING", "PASS"], required=False)


class ZatcaSummarySerializer(serializers.Serializer):
    """An api2 or order invoice's ZATCA document (section 8c); null when the store signs nothing."""

    kind = ChoiceField(choices=["simplified", "standard"])
    status = ChoiceField(choices=ZatcaDocument.Status.values)
    uuid = serializers.UUIDField()
    icv = serializers.IntegerField()
    hash = serializers.CharField()
    qr = serializers.CharField()
    errors = ZatcaMessageSerializer(many=True)
    warnings = ZatcaMessageSerializer(many=True)


def xml_response(document: ZatcaDocument) -> HttpResponse:
    """The XML the buyer gets (ZATCA's cleared XML once cleared), as a file."""
    response = HttpResponse(xml_of(document), content_type="application/xml")
    response["Content-Disposition"] = f'inline; filename="{document.number}.xml"'
    return response
