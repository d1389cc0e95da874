"""ZATCA phase 2 in the back office (PRODUCT.md section 8b): each store's device (read-only, and the "Onboard" page
that calls the API's own `zatca_onboard` with the admin's acting principal), and each signed document with its
reporting state, its QR and its signed XML.

No page renders a device's private key, CSR, tokens or secrets, not even as a hidden input: the device's page shows
only the fields named in `ZatcaDeviceAdmin.fields`. The device pages are the owner's (as `GET/POST
.../stores/:storeId/zatca[/onboard]`); the documents are read by whoever reads the POS invoices."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoicing.zatca.admin_helpers import ltr_column, ltr_text
from invoicing.zatca.models import ZatcaDevice
from invoicing.zatca.onboarding import zatca_onboard
from workspaces import codes
from workspaces.admin_base import WorkspaceScopedAdmin, add_service_errors
from workspaces.admin_display import related_column
from workspaces.admin_lists import scope_to_admin_workspace
from workspaces.admin_site import admin_actor
from workspaces.admin_stores import StoreAdmin
from workspaces.errors import ApplicationError
from workspaces.models import Store

# What `zatca_seller_incomplete` names (the API's names), as the owner reads it and where it is set.
MISSING_LABELS = {
    "workspace.vatNumber": _("VAT number"),
    "workspace.crNumber": _("CR number"),
    "store.nationalAddress.street": _("street"),
    "store.nationalAddress.buildingNumber": _("building number"),
    "store.nationalAddress.district": _("district"),
    "store.nationalAddress.city": _("city"),
    "store.nationalAddress.postalCode": _("postal code"),
    "store.nationalAddress.shortAddress": _("short address"),
}

# The documents a ZATCA document is made from (its `source_type`), and the admin page each is read on.


@lru_cache(maxsize=256)
def certificate_facts(pem: str) -> tuple[str, dt.datetime | None]:
    """The certificate's subject CN and its expiry, read from its PEM ("" and None without one)."""
    if not pem:
        return "", None
    certificate = x509.load_pem_x509_certificate(pem.encode())
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return (str(names[0].value) if names else ""), certificate.not_valid_after_utc


class OnboardForm(forms.Form):
    """What onboarding asks: ZATCA's one-time password, the environment and the invoice types."""

    otp = forms.CharField(
        label=_("One-time password (OTP)"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "style": "width: 8em"}),
        help_text=_(
            "From ZATCA's Fatoora portal; in the sandbox any six digits (the portal's own is 123345)."
        ),
    )
    environment = forms.ChoiceField(
        label=_("environment"),
        choices=ZatcaDevice.Environment.choices,
        initial=ZatcaDevice.Environment.SANDBOX,
    )
    invoice_type = forms.ChoiceField(
        label=_("invoice types"),
        choices=ZatcaDevice.InvoiceType.choices,
        initial=ZatcaDevice.InvoiceType.SIMPLIFIED,
    )


def refusal_text(error: ApplicationError) -> str:
    """A refusal as one message: its field errors' own words ("The one-time password is six digits."), else its
    message (ZATCA's answer)."""
    if not error.errors:
        return error.message
    return " ".join(dict.fromkeys(text for texts in error.errors.values() for text in texts))


def missing_message(error: ApplicationError, store: Store) -> SafeString:
    """`zatca_seller_incomplete` as a message: what is missing, each linked to the page where it is set."""
    workspace_url = reverse("admin:workspaces_workspace_change", args=[store.workspace_id])
    store_url = reverse("admin:workspaces_store_change", args=[store.pk])
    items = format_html_join(
        "",
        '<li><a href="{}">{}</a></li>',
        (
            (workspace_url if name.startswith("workspace.") else store_url, MISSING_LABELS.get(name, name))
            for name in (error.details or {}).get("missing", [])
        ),
    )
    return format_html(
        '{} <ul class="zatca-missing">{}</ul>',
        gettext("ZATCA needs these details of the workspace and the store first:"),
        items,
    )


@admin.register(ZatcaDevice)
class ZatcaDeviceAdmin(WorkspaceScopedAdmin):
    """Each store's device, read-only: it is written by onboarding only (the "Onboard" page, or the API). The
    owner's, as the API's device endpoints."""

    view_permission = codes.OWNER
    change_permission = codes.OWNER
    list_display = ("store_name", "environment", "status", "invoice_type", "icv", "onboarded_at",
                    "certificate_name", "certificate_expiry")  # fmt: skip
    list_filter = ("environment", "status")
    search_fields = ("store__name",)
    search_help_text = _("Search by store name.")
    ordering = ("store__name", "pk")
    list_select_related = ("store",)
    change_form_template = "invoicing/zatca/device_change_form.html"
    change_list_template = "invoicing/zatca/device_change_list.html"
    # Stores without a device offered for onboarding above the list, at most this many (the rest from their page).
    offered_stores = 20
    # Never the private key, the CSR, the tokens or the secrets.
    fields = ("store_name", "environment", "base_url", "status", "invoice_type", "device_uuid_display",
              "common_name_display", "certificate_name", "certificate_expiry", "icv", "previous_hash_display",
              "onboarded_at", "documents_link")  # fmt: skip
    readonly_fields = fields

    store_name = related_column("store", _("store"))
    device_uuid_display = ltr_column("device_uuid", _("device id"))
    common_name_display = ltr_column("common_name", _("common name"))
    previous_hash_display = ltr_column("previous_hash", _("last hash"))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("store")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_onboard_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, codes.OWNER)

    @admin.display(description=_("certificate"))
    def certificate_name(self, device: ZatcaDevice) -> str:
        return ltr_text(certificate_facts(device.certificate)[0], nowrap=True)

    @admin.display(description=_("certificate expires"))
    def certificate_expiry(self, device: ZatcaDevice) -> str:
        expiry = certificate_facts(device.certificate)[1]
        return ltr_text(
            None if expiry is None else f"{timezone.localtime(expiry):%Y-%m-%d %H:%M}", nowrap=True
        )

    @admin.display(description=_("documents"))
    def documents_link(self, device: ZatcaDevice) -> str:
        url = reverse("admin:invoicing_zatcadocument_changelist") + f"?device__id__exact={device.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("This device's documents"))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        """The list, and the owner's stores without a device, each linked to its "Onboard" page: one query."""
        waiting: list[Store] = []
        if self.has_onboard_permission(request):
            stores = scope_to_admin_workspace(request, Store.objects.filter(zatca_device__isnull=True))
            waiting = list(stores.order_by("name", "pk")[: self.offered_stores])
        return super().changelist_view(request, {**(extra_context or {}), "stores_to_onboard": waiting})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_onboard"] = obj is not None and self.has_onboard_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "onboard/<int:store_id>/",
                self.admin_site.admin_view(self.onboard_view),
                name="invoicing_zatcadevice_onboard",
            ),
            *super().get_urls(),
        ]

    def onboard_view(self, request: HttpRequest, store_id: int) -> HttpResponse:
        """Onboard a store (again): GET shows the form; POST calls `zatca_onboard` (the API's service, which checks
        the owner again) and opens the device, or shows ZATCA's or the service's refusal as a message."""
        if not self.has_onboard_permission(request):
            raise PermissionDenied
        store = get_object_or_404(
            scope_to_admin_workspace(request, Store.objects.select_related("workspace")), pk=store_id
        )
        device = ZatcaDevice.objects.filter(store=store).first()
        initial = {"environment": device.environment, "invoice_type": device.invoice_type} if device else {}
        form = OnboardForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                device = zatca_onboard(
                    store=store,
                    access=admin_actor(request, store.workspace),
                    otp=form.cleaned_data["otp"],
                    environment=form.cleaned_data["environment"],
                    invoice_type=form.cleaned_data["invoice_type"],
                )
            except ApplicationError as error:
                if error.code == "zatca_seller_incomplete":
                    self.message_user(request, missing_message(error, store), messages.ERROR)
                else:
                    add_service_errors(form, error, {})
                    self.message_user(request, refusal_text(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(store)s is onboarded with ZATCA (%(environment)s).")
                    % {"store": store.name, "environment": device.get_environment_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:invoicing_zatcadevice_change", args=[device.pk]))
        return TemplateResponse(
            request,
            "invoicing/zatca/onboard.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Onboard %(store)s with ZATCA") % {"store": store.name},
                "store": store,
                "device": device,
                "form": form,
            },
        )


class StoreZatcaAdmin(StoreAdmin):
    """The store's page (`workspaces.admin.StoreAdmin`) with its ZATCA device and the "Onboard" button, for the
    owner."""

    change_form_template = "invoicing/zatca/store_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        device_admin = self.admin_site._registry.get(ZatcaDevice)
        allowed = (
            obj is not None and device_admin is not None and device_admin.has_onboard_permission(request)
        )
        context["can_onboard"] = allowed
        context["zatca_device"] = ZatcaDevice.objects.filter(store=obj).first() if allowed else None
        return super().render_change_form(request, context, add, change, form_url, obj)


admin.site.unregister(Store)
admin.site.register(Store, StoreZatcaAdmin)


# The documents' pages: `invoicing.zatca.admin_documents` (registered on import).
from invoicing.zatca import admin_documents  # noqa: E402, F401
