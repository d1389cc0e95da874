"""Input serializers check shape and types; output serializers write the v1 camelCase shapes."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from workspaces import codes
from workspaces.api.fields import (
    BuildingNumberField,
    ChoiceField,
    CountryCodeField,
    CrNumberField,
    DateTimeField,
    IdField,
    MoneyField,
    OptionalCharField,
    PostalCodeField,
    StrictBooleanField,
    StrictCharField,
)
from workspaces.api.openapi import envelope_names
from workspaces.discounts import DiscountType
from workspaces.models import Membership, Workspace, validate_currency_code, validate_time_zone


def validate_currency(value: str) -> str:
    try:
        validate_currency_code(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return value


def validate_timezone(value: str) -> str:
    try:
        validate_time_zone(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return value


# --- Output --------------------------------------------------------------------------------------------------


class TimestampsOutput(serializers.Serializer):
    createdAt = DateTimeField(source="created_at")
    updatedAt = DateTimeField(source="updated_at")


class UserOutputSerializer(serializers.Serializer):
    id = IdField()
    email = serializers.EmailField()
    name = serializers.CharField()
    emailVerified = serializers.BooleanField(
        source="email_verified", help_text="The holder of the address has opened the link sent to it."
    )


@envelope_names("workspace", "workspaces")
class WorkspaceOutputSerializer(TimestampsOutput):
    id = IdField()
    name = serializers.CharField()
    currency = serializers.CharField()
    timezone = serializers.CharField()
    legalName = OptionalCharField(source="legal_name")
    vatNumber = OptionalCharField(source="vat_number")
    crNumber = OptionalCharField(
        source="cr_number", help_text="The commercial registration number (10 digits)."
    )
    suppliersEnabled = serializers.BooleanField(source="suppliers_enabled")
    allowNegativeStock = serializers.BooleanField(source="allow_negative_stock")
    pricesIncludeTax = serializers.BooleanField(source="prices_include_tax")
    receiptLanguage = ChoiceField(choices=Workspace.ReceiptLanguage.choices, source="receipt_language")


class NationalAddressSerializer(serializers.Serializer):
    """The Saudi national address ZATCA's documents carry (section 8b); "" where not given."""

    street = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    buildingNumber = BuildingNumberField(required=False, allow_blank=True)
    district = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    city = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    postalCode = PostalCodeField(required=False, allow_blank=True)
    shortAddress = StrictCharField(
        max_length=8, required=False, allow_blank=True, default="", help_text="The 8-character short address."
    )

    def to_representation(self, instance):
        instance = instance or {}
        return {name: instance.get(name, "") for name in self.fields}


class ClientAddressSerializer(serializers.Serializer):
    """A business buyer's address on a standard tax invoice (section 8c); "" where not given. Whether it is
    complete (a Saudi one: a 4-digit building number, a 5-digit postal code) is asked when such an invoice is
    issued, which names what is missing."""

    street = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    buildingNumber = StrictCharField(max_length=20, required=False, allow_blank=True, default="")
    district = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    city = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    postalCode = StrictCharField(max_length=20, required=False, allow_blank=True, default="")
    countryCode = CountryCodeField(required=False, default="SA", help_text="ISO 3166 alpha-2; SA by default.")

    def to_representation(self, instance):
        instance = instance or {}
        return {name: instance.get(name) or ("SA" if name == "countryCode" else "") for name in self.fields}


@envelope_names("store", "stores")
class StoreOutputSerializer(TimestampsOutput):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    name = serializers.CharField()
    code = OptionalCharField()
    address = OptionalCharField()
    nationalAddress = NationalAddressSerializer(source="national_address")


class MembershipOutputSerializer(serializers.Serializer):
    workspaceId = IdField(source="workspace_id")
    role = ChoiceField(choices=Membership.Role.choices)
    permissions = serializers.SerializerMethodField()

    def get_permissions(self, membership) -> list[str]:
        return sorted(membership.granted())


@envelope_names("staff", "staff")
class StaffOutputSerializer(TimestampsOutput):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    userId = IdField(source="user_id")
    email = serializers.EmailField(source="user.email")
    name = serializers.SerializerMethodField(
        help_text="The member's name; null for an invitation (another account's name is never shown)."
    )
    status = ChoiceField(
        choices=Membership.Status.choices,
        help_text="`invited`: the e-mail already had an account; nothing is granted until its holder accepts.",
    )
    role = ChoiceField(choices=Membership.Role.choices)
    permissions = serializers.ListField(child=serializers.CharField())
    storeId = IdField(source="store_id", allow_null=True)
    adminAccess = serializers.BooleanField(source="admin_access")

    def get_name(self, membership) -> str | None:
        return membership.user.name if membership.is_active else None


@envelope_names("invitation", "invitations")
class InvitationOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    workspaceName = serializers.CharField(source="workspace.name")
    permissions = serializers.SerializerMethodField(
        help_text="The codes accepting would grant (implied ones included, as in `/v1/me`)."
    )
    invitedAt = DateTimeField(source="created_at")

    def get_permissions(self, membership) -> list[str]:
        return sorted(codes.expand(membership.permissions or []))


class PosInvoiceDiscountSerializer(serializers.Serializer):
    type = ChoiceField(choices=DiscountType.values)
    value = MoneyField(decimal_places=4)
    active = StrictBooleanField(default=True)


@envelope_names("client", "clients")
class ClientOutputSerializer(TimestampsOutput):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    name = serializers.CharField()
    phone = OptionalCharField()
    email = OptionalCharField()
    taxNumber = OptionalCharField(source="tax_number")
    crNumber = OptionalCharField(source="cr_number")
    address = ClientAddressSerializer()
    posInvoiceDiscount = serializers.SerializerMethodField()

    @extend_schema_field(PosInvoiceDiscountSerializer(allow_null=True))
    def get_posInvoiceDiscount(self, client) -> dict | None:
        if not client.pos_discount_type:
            return None
        return {
            "type": client.pos_discount_type,
            "value": client.pos_discount_value,
            "active": client.pos_discount_active,
        }


@envelope_names("apiKey", "apiKeys")
class ApiKeyOutputSerializer(serializers.Serializer):
    id = IdField()
    workspaceId = IdField(source="workspace_id")
    name = serializers.CharField()
    prefix = serializers.CharField()
    createdAt = DateTimeField(source="created_at")


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="A JWT access token (15 minutes).")
    refresh = serializers.CharField(help_text="A JWT refresh token (7 days, rotated on use).")


class RegisteredOutputSerializer(TokenPairOutputSerializer):
    user = UserOutputSerializer()
    workspace = WorkspaceOutputSerializer()


class MeOutputSerializer(serializers.Serializer):
    user = UserOutputSerializer(allow_null=True, help_text="null when called with an API key.")
    apiKey = ApiKeyOutputSerializer(required=False, help_text="Only when called with an API key.")
    memberships = MembershipOutputSerializer(many=True)


class ApiKeyCreatedOutputSerializer(serializers.Serializer):
    apiKey = ApiKeyOutputSerializer()
    key = serializers.CharField(help_text="The key itself: shown once, stored hashed.")


# --- Input ---------------------------------------------------------------------------------------------------


class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    name = StrictCharField(max_length=150)
    workspaceName = StrictCharField(max_length=200)
    currency = StrictCharField(default="SAR", validators=[validate_currency])
    timezone = StrictCharField(default="Asia/Riyadh", validators=[validate_timezone])


class TokenInputSerializer(serializers.Serializer):
    email = StrictCharField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    workspaceId = IdField(required=False)


class PasswordChangeInputSerializer(serializers.Serializer):
    currentPassword = StrictCharField(max_length=128, trim_whitespace=False, source="current_password")
    newPassword = StrictCharField(max_length=128, trim_whitespace=False, source="new_password")


class RefreshInputSerializer(serializers.Serializer):
    refresh = StrictCharField()


class VerifyEmailInputSerializer(serializers.Serializer):
    token = StrictCharField(max_length=500, help_text="The token of the link sent by e-mail.")


class WorkspaceUpdateInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    currency = StrictCharField(validators=[validate_currency])
    timezone = StrictCharField(validators=[validate_timezone])
    legalName = StrictCharField(max_length=200, allow_blank=True, source="legal_name")
    vatNumber = StrictCharField(max_length=32, allow_blank=True, source="vat_number")
    crNumber = CrNumberField(allow_blank=True, source="cr_number", help_text="10 digits, or empty.")
    suppliersEnabled = StrictBooleanField(source="suppliers_enabled")
    allowNegativeStock = StrictBooleanField(source="allow_negative_stock")
    pricesIncludeTax = StrictBooleanField(source="prices_include_tax")
    receiptLanguage = ChoiceField(
        choices=Workspace.ReceiptLanguage.choices, source="receipt_language", required=False
    )


class StaffCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    name = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, required=False, trim_whitespace=False)
    permissions = serializers.ListField(
        child=ChoiceField(choices=codes.PERMISSION_CODES), default=list, max_length=50
    )
    storeId = IdField(required=False, allow_null=True, source="store_id")
    adminAccess = StrictBooleanField(default=False, source="admin_access")


class StaffUpdateInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=150)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    permissions = serializers.ListField(child=ChoiceField(choices=codes.PERMISSION_CODES), max_length=50)
    storeId = IdField(allow_null=True, source="store_id")
    adminAccess = StrictBooleanField(source="admin_access")


class StoreInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    code = StrictCharField(max_length=32, required=False, allow_null=True, allow_blank=True)
    address = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    nationalAddress = NationalAddressSerializer(required=False, source="national_address")


class ClientInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    phone = StrictCharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    taxNumber = StrictCharField(max_length=32, required=False, allow_blank=True, source="tax_number")
    crNumber = CrNumberField(required=False, allow_blank=True, source="cr_number", help_text="10 digits.")
    address = ClientAddressSerializer(required=False)
    posInvoiceDiscount = PosInvoiceDiscountSerializer(
        required=False, allow_null=True, source="pos_invoice_discount"
    )


class ApiKeyInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
