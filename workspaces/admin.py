"""The back office of people, workspaces and access. The shared base every app's admin builds on lives in
`workspaces.admin_base` (imported from there)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from workspaces import codes, services
from workspaces.admin_base import (
    WorkspaceScopedAdmin,
    add_service_errors,
    form_workspace,
)
from workspaces.admin_display import (
    PlainDecimalsForm,
    person_name,
    readable_list,
)
from workspaces.admin_lists import related_filter
from workspaces.admin_site import admin_access, admin_actor
from workspaces.admin_stores import StoreAdmin, address_part  # noqa: F401 (StoreAdmin registers on import)
from workspaces.errors import ApplicationError
from workspaces.models import Client, Membership, User, Workspace
from workspaces.templatetags.backoffice import format_money, format_quantity

PERMISSION_LABELS = dict(codes.PERMISSION_CHOICES)


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_field = "id"
    list_display = ("name", "currency", "timezone", "vat_number", "suppliers_enabled", "created_at")
    search_fields = ("name", "legal_name", "vat_number")
    list_filter = ("currency", "suppliers_enabled")

    def _workspace_id_of(self, obj) -> int | None:
        return obj.pk

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The CR number as the API takes it: 10 digits, or empty."""
        if db_field.name == "cr_number":
            return forms.RegexField(
                regex=r"^(\d{10})?$",
                required=False,
                max_length=10,
                label=db_field.verbose_name,
                help_text=_("The commercial registration number (10 digits), printed on ZATCA's documents."),
                error_messages={"invalid": _("The CR number is 10 digits.")},
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        access = admin_access(request)
        return queryset.filter(pk=access.workspace.pk) if access else queryset.none()

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change) -> None:
        """Through `workspace_update`, the API's service (a superuser adding one saves it plainly)."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        changed = {
            name: form.cleaned_data[name] for name in form.changed_data if name in services.WORKSPACE_FIELDS
        }
        services.workspace_update(workspace=self.stored(obj), access=admin_actor(request, obj), data=changed)


DISCOUNT_FIELDS = {
    "pos_invoice_discount.type": "pos_discount_type",
    "pos_invoice_discount.value": "pos_discount_value",
    "pos_invoice_discount.active": "pos_discount_active",
}


class ClientAdminForm(PlainDecimalsForm):
    """The client, its POS discount, and a business buyer's address and CR number (a standard tax invoice's buyer,
    PRODUCT.md section 8c), saved by the services under the API's names (`ADDRESS`)."""

    cr_number = forms.RegexField(
        r"^([0-9]{10})?$",
        label=_("CR number"),
        required=False,
        max_length=10,
        error_messages={"invalid": _("10 digits.")},
    )
    address_street = address_part(_("street"))
    address_building_number = address_part(_("building number"), max_length=20)
    address_district = address_part(_("district"))
    address_city = address_part(_("city"))
    address_postal_code = address_part(_("postal code"), max_length=20)
    address_country_code = forms.RegexField(
        r"^[A-Za-z]{2}$",
        label=_("country"),
        required=False,
        max_length=2,
        help_text=_("ISO 3166 two-letter code; SA when empty."),
        error_messages={"invalid": _("A two-letter country code (ISO 3166), such as SA.")},
    )
    # Form field -> the address's key, as the API names it.
    ADDRESS = {
        "address_street": "street",
        "address_building_number": "buildingNumber",
        "address_district": "district",
        "address_city": "city",
        "address_postal_code": "postalCode",
        "address_country_code": "countryCode",
    }

    class Meta:
        model = Client
        fields = (
            "workspace",
            "name",
            "phone",
            "email",
            "tax_number",
            "cr_number",
            "pos_discount_type",
            "pos_discount_value",
            "pos_discount_active",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.address or {}
        for name, key in self.ADDRESS.items():
            self.initial.setdefault(name, stored.get(key, ""))

    def service_data(self) -> dict:
        """The form as the API's client body (snake_case): no discount type means no discount."""
        cleaned = self.cleaned_data
        data = {name: cleaned.get(name) or "" for name in services.CLIENT_FIELDS}
        data["address"] = {key: cleaned.get(name) or "" for name, key in self.ADDRESS.items()}
        kind = cleaned.get("pos_discount_type")
        data["pos_invoice_discount"] = (
            {
                "type": kind,
                "value": cleaned.get("pos_discount_value"),
                "active": cleaned.get("pos_discount_active", False),
            }
            if kind
            else None
        )
        return data

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("pos_discount_type"), cleaned.get("pos_discount_value")
        workspace = form_workspace(self)
        if kind and value is None:
            self.add_error("pos_discount_value", _("A discount needs a value."))
        elif kind and workspace is not None:
            try:
                services.client_discount_validate(workspace=workspace, type=kind, value=value)
            except ApplicationError as error:
                add_service_errors(self, error, DISCOUNT_FIELDS)
        return cleaned


@admin.register(Client)
class ClientAdmin(WorkspaceScopedAdmin):
    """Clients are written by `client_create` / `client_update` / `client_delete`, the API's services."""

    change_permission = codes.CLIENTS_MANAGE
    form = ClientAdminForm
    list_display = ("name", "phone", "email", "tax_number", "pos_discount_display", "pos_discount_active")
    list_filter = ("pos_discount_active", "pos_discount_type")
    search_fields = ("name", "phone", "email", "tax_number")
    date_hierarchy = "created_at"
    list_select_related = ("workspace",)  # its currency

    @admin.display(description=_("POS discount"), ordering="pos_discount_value")
    def pos_discount_display(self, client: Client) -> str:
        """`10%` or `5.00` (the workspace's currency), not the type and a stored `10.0000` apart."""
        if not client.pos_discount_type or client.pos_discount_value is None:
            return "—"
        if client.pos_discount_type == Client.DiscountType.PERCENT:
            return f"{format_quantity(client.pos_discount_value)}%"
        return format_money(client.pos_discount_value, client.workspace.currency, exact=True)

    def save_model(self, request, obj, form, change) -> None:
        data = form.service_data()
        workspace = self.workspace_of(request, obj)
        access = admin_actor(request, workspace)
        if change:
            client = services.client_update(client=self.stored(obj), access=access, data=data)
        else:
            client = services.client_create(workspace=workspace, access=access, data=data)
        obj.pk = client.pk

    def delete_model(self, request, obj) -> None:
        services.client_delete(client=obj, access=admin_actor(request, obj.workspace))

    def delete_queryset(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset,
            action=lambda client: services.client_delete(
                client=client, access=admin_actor(request, client.workspace)
            ),
        )


class MembershipForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("permissions"),
        choices=codes.PERMISSION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Membership
        fields = ("permissions", "store", "admin_access")


class MembershipAddForm(MembershipForm):
    """Adding a member in the admin is the API's `staff_create`: a new e-mail creates the account with this
    password (active at once); an e-mail that already has an account is invited (name and password unused)."""

    email = forms.EmailField(label=_("e-mail"))
    name = forms.CharField(label=_("name"), max_length=150)
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text=_(
            "Only for a new user. An existing account is invited instead, and joins once it accepts."
        ),
    )

    class Meta(MembershipForm.Meta):
        fields = ("email", "name", "password", "permissions", "store", "admin_access")

    def clean(self):
        """The password rules on the form (the service checks them again): only a new account takes one."""
        cleaned = super().clean()
        email, password = (cleaned.get("email") or "").strip().lower(), cleaned.get("password")
        if email and password and not User.objects.filter(email=email).exists():
            try:
                services.password_validate(password, User(email=email, name=cleaned.get("name") or ""))
            except ApplicationError as error:
                add_service_errors(self, error, {})
        return cleaned


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    """Staff and invitations: the owner's, as in the API (`staff_create` / `staff_update` / `staff_remove`).
    An invitation shows its e-mail and status, never the other account's name."""

    view_permission = codes.OWNER
    list_display = ("member", "status", "role", "permission_list", "store", "admin_access")
    list_filter = ("status", "role", "admin_access", ("store", related_filter(_("store"))))
    search_fields = ("user__name", "user__email")
    list_select_related = ("user", "store")
    # The owner's membership cannot change: its page reads, the permissions as words.
    read_fields = ("member", "status", "role", "permission_list", "store", "admin_access", "created_at")

    @admin.display(description=_("user"), ordering="user__name")
    def member(self, membership: Membership) -> str:
        """A member by name; an invitation by the e-mail it was sent to (the account's name is not ours)."""
        if membership.status == Membership.Status.INVITED:
            return membership.user.email
        return person_name(membership.user)

    @admin.display(description=_("permissions"))
    def permission_list(self, membership: Membership) -> str:
        if membership.role == Membership.Role.OWNER:
            return _("Everything (the owner)")
        granted = [PERMISSION_LABELS.get(code, code) for code in membership.permissions or []]
        return readable_list(granted) if granted else _("No permission")

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = MembershipAddForm if obj is None else MembershipForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return MembershipAddForm.Meta.fields
        if not self.has_change_permission(request, obj):
            return self.read_fields
        return ("member", "status", "role", *MembershipForm.Meta.fields)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return self.read_fields
        return ("member", "status", "role")

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_owner)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_owner)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            services.staff_update(
                membership=obj,
                access=admin_actor(request, obj.workspace),
                data={
                    "permissions": data["permissions"],
                    "store": data["store"],
                    "admin_access": data["admin_access"],
                },
            )
            return
        access = admin_access(request)
        if access is None:
            raise PermissionDenied
        membership = services.staff_create(
            workspace=access.workspace,
            access=access,
            email=data["email"],
            name=data["name"],
            password=data["password"] or None,
            permissions=data["permissions"],
            store=data["store"],
            admin_access=data["admin_access"],
        )
        obj.pk, obj.user, obj.workspace, obj.status = (
            membership.pk,
            membership.user,
            membership.workspace,
            membership.status,
        )
        if membership.status == Membership.Status.INVITED:
            self.message_user(
                request,
                _("%(email)s already has an account: it is invited, and gets access once its holder accepts.")
                % {"email": membership.user.email},
                messages.WARNING,
            )

    def delete_model(self, request, obj) -> None:
        services.staff_remove(membership=obj, access=admin_actor(request, obj.workspace))

    def delete_queryset(self, request, queryset) -> None:
        self.run_for_each(
            request,
            objects=queryset.select_related("workspace"),
            action=lambda membership: services.staff_remove(
                membership=membership, access=admin_actor(request, membership.workspace)
            ),
        )


# Registered with the others (Django imports `workspaces.admin` only).
from workspaces import admin_accounts  # noqa: E402, F401
