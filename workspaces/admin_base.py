"""The shared base of every back-office admin: rows, choices, filters and inlines cut to the chosen workspace, and
a service's refusal shown on the form. `workspaces.admin` re-exports it; an app's admin subclasses
`WorkspaceScopedAdmin` / `WorkspaceScopedInline` and gets the scoping for free."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Q
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.html import format_html
from django.utils.translation import gettext as _

from workspaces import codes, routing
from workspaces.admin_lists import (
    BoundedChangeList,
    BoundedPaginator,
    scope_to_admin_workspace,
    scoped_list_filter,
    search_without_joins,
)
from workspaces.admin_site import admin_access
from workspaces.errors import ApplicationError
from workspaces.models import Workspace


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


class RefusedForm(forms.BaseForm):
    """A bound form shown again after the service refused it: its own checks, then the refusal as its errors."""

    refusal: ApplicationError
    refusal_fields: dict[str, str]

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound:
            add_service_errors(self, self.refusal, self.refusal_fields)


def code_permission(code: str | None) -> Callable[[WorkspaceScopedAdmin, HttpRequest], bool]:
    """A `has_<name>_permission` method for an admin action that needs the API's `code`: declare the action with
    `@admin.action(permissions=["<name>"])` and set `has_<name>_permission = code_permission(code)`. Django then
    neither offers nor runs it for anyone else (the service it calls checks the code again)."""

    def has_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, code)

    return has_permission


def action_description(text: str) -> str:
    """Workspace text (an order status's label) made safe in an admin action's description: Django %-formats every
    description with the model's names (`ModelAdmin.get_action_choices`), so a `%` of the text is doubled and
    shows as written ("خصم 50%"), never a 500."""
    return text.replace("%", "%%")


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


class WorkspaceScopedAdmin(WorkspaceScopedChoices, admin.ModelAdmin):
    """Scopes every list, form and foreign-key choice to the admin user's current workspace.

    `view_permission` (None: any admin member) and `change_permission` (`codes.OWNER` by default) are the same
    permission codes as the API's; each action and custom page asks its own code (`code_permission`), and the
    service it calls checks that code again. Superusers see and change every workspace's rows.
    """

    view_permission: str | None = None
    change_permission: str | None = codes.OWNER
    workspace_field = "workspace"
    # A page of a list at a million rows: one bounded COUNT (`BoundedPaginator`), no second count of the whole
    # table, no facet counts per filter option.
    paginator = BoundedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    # A search field's own condition (`{"invoice_number": lambda word: Q(...)}`): a normalised column with an index.
    search_conditions: dict[str, Callable[[str], Q]] = {}

    def get_changelist(self, request: HttpRequest, **kwargs):
        return BoundedChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        """A list reads from the replica where one is configured (`workspaces.routing`: not after a write)."""
        return routing.served_from_replica(
            routing.request_principal_of(request),
            lambda: super(WorkspaceScopedAdmin, self).changelist_view(request, extra_context),
            render=True,
        )

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """Django's search, the same rows, read from the list's table alone (`search_without_joins`): a related
        field's matches are a subquery of keys, never a join over every row of the list nor a DISTINCT."""
        condition = None
        if search_term:
            condition = search_without_joins(
                self.model, self.get_search_fields(request), search_term, self.search_conditions
            )
        if condition is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(condition), False

    def action_checkbox(self, obj) -> str:
        """Django's row checkbox, the same markup written at once: its widget template, rendered per row, is a
        third of a list page's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def _workspace_id_of(self, obj) -> int | None:
        return getattr(obj, f"{self.workspace_field}_id")

    def refusal_message(self, error: ApplicationError) -> str:
        """How a service's refusal reads in a message (an admin may name more, e.g. the drafts of a day)."""
        return error.message

    def run_for_each(self, request: HttpRequest, *, objects, action) -> None:
        """An action or bulk delete: one service call per row, each refusal a message naming the row, never a
        500, then how many were done."""
        done = 0
        for obj in objects:
            try:
                action(obj)
                done += 1
            except ApplicationError as error:
                self.message_user(request, f"{obj}: {self.refusal_message(error)}", messages.ERROR)
        if done:
            self.message_user(request, _("%(count)d done.") % {"count": done}, messages.SUCCESS)

    # The service's error field names (`tax_ids`) that name another form field (`taxes`); see add_service_errors.
    service_error_fields: dict[str, str] = {}

    def changeform_view(self, request, *args, **kwargs):
        """A service's refusal (a number that exists, an overpayment, a day already open) never loses what was
        typed: its transaction is rolled back, and the form is shown again bound to the same POST, the refusal
        beside the field it names (`service_error_fields`), else at the top. Nothing is written on that second
        pass: a form with errors is never saved. A refusal outside a POST is a message."""
        try:
            return super().changeform_view(request, *args, **kwargs)
        except ApplicationError as exc:
            if request.method != "POST" or getattr(request, "_service_refusal", None) is not None:
                self.message_user(request, exc.message, messages.ERROR)
                return HttpResponseRedirect(request.get_full_path())
            request._service_refusal = exc
            try:
                return super().changeform_view(request, *args, **kwargs)
            finally:
                del request._service_refusal

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
        refusal = getattr(request, "_service_refusal", None)
        if refusal is not None:
            form = type(
                form.__name__,
                (RefusedForm, form),
                {"refusal": refusal, "refusal_fields": self.service_error_fields},
            )
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


def form_workspace(form: forms.ModelForm) -> Workspace | None:
    """The workspace of the edited row: its own, the one a superuser picked, or the admin's current one."""
    if form.instance.workspace_id:
        return form.instance.workspace
    return form.cleaned_data.get("workspace") or getattr(form, "admin_workspace", None)


class ReadOnlyInline(WorkspaceScopedInline):
    """Rows shown as they were written (a document's lines, payments, history): never added, changed or deleted
    here."""

    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True
