"""Stores in the back office: name, code, address and the Saudi national address ZATCA's documents carry."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from workspaces import services
from workspaces.admin_base import (
    WorkspaceScopedAdmin,
    form_workspace,
)
from workspaces.admin_site import admin_actor
from workspaces.errors import ApplicationError
from workspaces.models import Store


def address_part(
    label, *, digits: int | None = None, invalid=None, max_length: int = 100, help_text=""
) -> forms.CharField:
    """A part of the national address: free text, or exactly `digits` digits (else `invalid`)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=digits or max_length,
        validators=[RegexValidator(rf"^\d{{{digits}}}$", invalid)] if digits else [],
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
    )


class StoreAdminForm(forms.ModelForm):
    """The store and its Saudi national address (`Store.national_address`, PRODUCT.md section 8b) as six plain
    fields, saved by the services under the API's names (`NATIONAL_ADDRESS`)."""

    national_street = address_part(_("street"))
    national_building_number = address_part(
        _("building number"), digits=4, invalid=_("The building number is 4 digits.")
    )
    national_district = address_part(_("district"))
    national_city = address_part(_("city"))
    national_postal_code = address_part(_("postal code"), digits=5, invalid=_("The postal code is 5 digits."))
    national_short_address = address_part(
        _("short address"), max_length=8, help_text=_("The 8-character short address (4 letters, 4 digits).")
    )

    # Form field -> the address's key, as the API names it.
    NATIONAL_ADDRESS = {
        "national_street": "street",
        "national_building_number": "buildingNumber",
        "national_district": "district",
        "national_city": "city",
        "national_postal_code": "postalCode",
        "national_short_address": "shortAddress",
    }

    class Meta:
        model = Store
        fields = ("workspace", "name", "code", "address")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.national_address or {}
        for name, key in self.NATIONAL_ADDRESS.items():
            self.initial.setdefault(name, stored.get(key, ""))

    def national_address(self) -> dict[str, str]:
        """The address as `store_create` / `store_update` take it."""
        return {key: self.cleaned_data.get(name) or "" for name, key in self.NATIONAL_ADDRESS.items()}

    def clean(self):
        cleaned = super().clean()
        workspace = form_workspace(self)
        if workspace is not None:
            try:
                services.store_code_validate(
                    workspace=workspace, code=cleaned.get("code"), store_id=self.instance.pk
                )
            except ApplicationError as error:
                self.add_error("code", error.message)
        return cleaned


@admin.register(Store)
class StoreAdmin(WorkspaceScopedAdmin):
    """Stores are written by `store_create` / `store_update`, the API's services."""

    form = StoreAdminForm
    list_display = ("name", "code", "address", "created_at")
    search_fields = ("name", "code", "address")
    fieldsets = (
        (None, {"fields": ("workspace", "name", "code", "address")}),
        (
            _("National address (ZATCA)"),
            {"fields": tuple(StoreAdminForm.NATIONAL_ADDRESS)},
        ),
    )

    def get_fieldsets(self, request, obj=None):
        """The workspace is a superuser's choice only (`get_exclude` leaves it out for everyone else)."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        (title, options), *rest = fieldsets
        return (
            (title, {**options, "fields": tuple(f for f in options["fields"] if f != "workspace")}),
            *rest,
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # As in the API, a store is never deleted: its sessions, invoices and stock ledger refer to it.
        return False

    def save_model(self, request, obj, form, change) -> None:
        fields = {name: form.cleaned_data[name] for name in ("name", "code", "address")}
        fields["national_address"] = form.national_address()
        workspace = self.workspace_of(request, obj)
        access = admin_actor(request, workspace)
        if change:
            store = services.store_update(store=self.stored(obj), access=access, data=fields)
        else:
            store = services.store_create(workspace=workspace, access=access, **fields)
        obj.pk, obj.code = store.pk, store.code
