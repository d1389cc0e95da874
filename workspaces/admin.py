from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from workspaces import codes, services
from workspaces.admin_site import admin_access
from workspaces.errors import ApplicationError
from workspaces.models import ApiKey, Client, Membership, Store, User, Workspace


def add_service_errors(form: forms.BaseForm, error: ApplicationError, fields: dict[str, str]) -> None:
    """A service's refusal as form errors. `fields` maps the service's snake_case names (`tax_ids`,
    `pos_invoice_discount.value`) to form fields (`taxes`, `pos_discount_value`); an unmapped name is the field of
    the same name, else a non-field error; a refusal without field errors is a non-field error."""
    if not error.errors:
        form.add_error(None, error.message)
        return
    for name, messages_ in error.errors.items():
        field = fields.get(name, name.split(".")[0])
        form.add_error(field if field in form.fields else None, messages_)


def scope_to_admin_workspace(request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
    """`queryset` cut to the admin's current workspace: the workspace itself, rows with a `workspace` foreign
    key, users who are members. A model it cannot place in a workspace offers no row (safe by default: give the
    model a `workspace` foreign key, as every tenant-owned model has). Superusers see every row."""
    access = admin_access(request)
    model = queryset.model
    if request.user.is_superuser:
        return queryset
    if access is None:
        return queryset.none()
    if model is Workspace:
        return queryset.filter(pk=access.workspace.pk)
    if any(f.name == "workspace" and f.many_to_one for f in model._meta.get_fields()):
        return queryset.filter(workspace=access.workspace)
    if model is User:
        return queryset.filter(memberships__workspace=access.workspace).distinct()
    return queryset.none()


class WorkspaceScopedChoices:
    """Every foreign-key and many-to-many choice of a form (admin or inline) and every related list filter offers
    only the admin's workspace's rows. Autocompletes ask the related model's admin, itself scoped."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_to_admin_workspace(request, field.queryset)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scope_to_admin_workspace(request, field.queryset)
        return field


def scoped_list_filter(model: type[models.Model], spec):
    """A list filter on a relation (`"store"`, `("store", RelatedFieldListFilter)`) would offer every row of the
    related table: it becomes `RelatedOnlyFieldListFilter`, whose choices come from the admin's (scoped) queryset.
    Other filters (a field's values, a `SimpleListFilter`) are left as they are."""
    if isinstance(spec, str):
        name = spec
    elif isinstance(spec, tuple) and spec[1] is admin.RelatedFieldListFilter:
        name = spec[0]
    else:
        return spec
    field = get_fields_from_path(model, name)[-1]
    return (name, admin.RelatedOnlyFieldListFilter) if field.is_relation else spec


class WorkspaceScopedAdmin(WorkspaceScopedChoices, admin.ModelAdmin):
    """Scopes every list, form and foreign-key choice to the admin user's current workspace.

    `view_permission` (None: any admin member) and `change_permission` (`codes.OWNER` by default) are the same
    permission codes as the API's. Superusers see and change every workspace's rows.
    """

    view_permission: str | None = None
    change_permission: str | None = codes.OWNER
    workspace_field = "workspace"

    def _workspace_id_of(self, obj) -> int | None:
        return getattr(obj, f"{self.workspace_field}_id")

    def changeform_view(self, request, *args, **kwargs):
        """A service's refusal (a day already open, ...) is shown on the form, never a 500; its transaction is
        rolled back."""
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _allowed(self, request: HttpRequest, code: str | None, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        access = admin_access(request)
        if access is None or not access.has(code):
            return False
        return obj is None or self._workspace_id_of(obj) == access.workspace.pk

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        access = admin_access(request)
        if access is None:
            return queryset.none()
        return queryset.filter(**{self.workspace_field: access.workspace})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.view_permission)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request, self.view_permission, obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.change_permission)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request, self.change_permission, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request, self.change_permission, obj)

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        """The form knows the admin's workspace (`form.admin_workspace`), so its checks can call the services'
        validators for a row not yet saved."""
        form = super().get_form(request, obj, change=change, **kwargs)
        access = admin_access(request)
        form.admin_workspace = access.workspace if access else None
        return form

    def workspace_of(self, request: HttpRequest, obj) -> Workspace:
        """The workspace a row is written in: its own (a superuser may pick it), else the admin's current one."""
        if getattr(obj, "workspace_id", None):
            return obj.workspace
        return admin_access(request).workspace

    def stored(self, obj):
        """The row as stored, for a service that compares the change with the current values (the form has
        already copied its values onto `obj`)."""
        return type(obj)._default_manager.get(pk=obj.pk)

    def get_list_filter(self, request: HttpRequest):
        return [scoped_list_filter(self.model, spec) for spec in super().get_list_filter(request)]

    def get_exclude(self, request: HttpRequest, obj=None):
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.workspace_field == "workspace":
            excluded.append("workspace")
        return excluded

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        if not change and self.workspace_field == "workspace" and not getattr(obj, "workspace_id", None):
            obj.workspace = admin_access(request).workspace
        super().save_model(request, obj, form, change)


class WorkspaceScopedInline(WorkspaceScopedChoices, admin.TabularInline):
    """An inline whose rows belong to the parent's workspace (and are cut to it, should one not); its choices offer
    only that workspace's rows; permissions follow the parent admin."""

    extra = 0

    def get_queryset(self, request: HttpRequest):
        return scope_to_admin_workspace(request, super().get_queryset(request))

    def has_add_permission(self, request, obj=None) -> bool:
        return self.parent_admin_allows(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.parent_admin_allows(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.parent_admin_allows(request, obj)

    def has_view_permission(self, request, obj=None) -> bool:
        return True

    def parent_admin_allows(self, request, obj=None) -> bool:
        parent = self.admin_site._registry.get(self.parent_model)
        return parent.has_change_permission(request, obj) if parent else request.user.is_superuser


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_field = "id"
    list_display = ("name", "currency", "timezone", "vat_number", "suppliers_enabled", "created_at")
    search_fields = ("name", "legal_name", "vat_number")
    list_filter = ("currency", "suppliers_enabled")

    def _workspace_id_of(self, obj) -> int | None:
        return obj.pk

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


def form_workspace(form: forms.ModelForm) -> Workspace | None:
    """The workspace of the edited row: its own, the one a superuser picked, or the admin's current one."""
    if form.instance.workspace_id:
        return form.instance.workspace
    return form.cleaned_data.get("workspace") or getattr(form, "admin_workspace", None)


class StoreAdminForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ("workspace", "name", "code", "address")

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

    def save_model(self, request, obj, form, change) -> None:
        fields = {name: form.cleaned_data[name] for name in ("name", "code", "address")}
        if change:
            store = services.store_update(store=self.stored(obj), data=fields)
        else:
            store = services.store_create(workspace=self.workspace_of(request, obj), **fields)
        obj.pk, obj.code = store.pk, store.code


DISCOUNT_FIELDS = {
    "pos_invoice_discount.type": "pos_discount_type",
    "pos_invoice_discount.value": "pos_discount_value",
    "pos_invoice_discount.active": "pos_discount_active",
}


class ClientAdminForm(forms.ModelForm):
    class Meta:
        model = Client
        fields = (
            "workspace",
            "name",
            "phone",
            "email",
            "tax_number",
            "pos_discount_type",
            "pos_discount_value",
            "pos_discount_active",
        )

    def service_data(self) -> dict:
        """The form as the API's client body (snake_case): no discount type means no discount."""
        cleaned = self.cleaned_data
        data = {name: cleaned.get(name) or "" for name in services.CLIENT_FIELDS}
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
    list_display = ClientAdminForm.Meta.fields[1:]
    list_filter = ("pos_discount_active", "pos_discount_type")
    search_fields = ("name", "phone", "email", "tax_number")
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change) -> None:
        data = form.service_data()
        if change:
            client = services.client_update(client=self.stored(obj), data=data)
        else:
            client = services.client_create(workspace=self.workspace_of(request, obj), data=data)
        obj.pk = client.pk

    def delete_model(self, request, obj) -> None:
        services.client_delete(client=obj)


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
    """Adding a member in the admin is the API's `staff_create`: an existing e-mail adds that user."""

    email = forms.EmailField(label=_("e-mail"))
    name = forms.CharField(label=_("name"), max_length=150)
    password = forms.CharField(
        label=_("password"), required=False, widget=forms.PasswordInput, help_text=_("Only for a new user.")
    )

    class Meta(MembershipForm.Meta):
        fields = ("email", "name", "password", "permissions", "store", "admin_access")


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ("user", "role", "permissions", "store", "admin_access", "created_at")
    list_filter = ("role", "admin_access")
    search_fields = ("user__email", "user__name")
    list_select_related = ("user", "store")

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = MembershipAddForm if obj is None else MembershipForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return MembershipAddForm.Meta.fields
        return ("user", "role", *MembershipForm.Meta.fields)

    def get_readonly_fields(self, request, obj=None):
        return ("user", "role") if obj is not None else ()

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_owner)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_owner)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        if change:
            services.staff_update(
                membership=obj,
                data={
                    "permissions": data["permissions"],
                    "store": data["store"],
                    "admin_access": data["admin_access"],
                },
            )
            return
        membership = services.staff_create(
            workspace=admin_access(request).workspace,
            email=data["email"],
            name=data["name"],
            password=data["password"] or None,
            permissions=data["permissions"],
            store=data["store"],
            admin_access=data["admin_access"],
        )
        obj.pk, obj.user, obj.workspace = membership.pk, membership.user, membership.workspace

    def delete_model(self, request, obj) -> None:
        services.staff_remove(membership=obj)


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "prefix", "created_by", "created_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix")
    fields = ("name",)
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        api_key, raw = services.api_key_create(
            workspace=admin_access(request).workspace if not request.user.is_superuser else obj.workspace,
            name=obj.name,
            created_by=request.user,
        )
        obj.pk = api_key.pk
        self.message_user(request, _("The new key, shown once: %(key)s") % {"key": raw}, messages.WARNING)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset) -> None:
        for api_key in queryset:
            services.api_key_revoke(api_key=api_key)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "password", "name")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser
