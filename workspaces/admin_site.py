"""The back office at /admin/: owners and staff given admin access see and change only their workspace's rows.

A user of several workspaces picks one (kept in the session); superusers see everything.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from workspaces import login_throttle, routing
from workspaces.errors import ApplicationError
from workspaces.models import Membership, Workspace
from workspaces.tenancy import Access

SESSION_KEY = "admin_workspace_id"


def admin_memberships(request: HttpRequest) -> list[Membership]:
    if not hasattr(request, "_admin_memberships"):
        user = request.user
        if not user.is_authenticated or not user.is_active:
            request._admin_memberships = []
        else:
            # Active memberships only: an invitation's `admin_access` opens nothing until it is accepted.
            request._admin_memberships = list(
                Membership.objects.active()
                .filter(user=user)
                .filter(role=Membership.Role.OWNER)
                .union(Membership.objects.active().filter(user=user, admin_access=True))
                .order_by("pk")
            )
    return request._admin_memberships


def admin_access(request: HttpRequest) -> Access | None:
    """The workspace this admin user is working in, with their permission codes; None for none."""
    if hasattr(request, "_admin_access"):
        return request._admin_access
    memberships = admin_memberships(request)
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    membership = next(
        (m for m in memberships if m.workspace_id == chosen), memberships[0] if memberships else None
    )
    access = None
    if membership is not None:
        workspace = Workspace.objects.get(pk=membership.workspace_id)
        membership.workspace = workspace
        access = Access(workspace=workspace, user=request.user, membership=membership, api_key=None)
    request._admin_access = access
    return access


def admin_actor(request: HttpRequest, workspace: Workspace) -> Access:
    """The acting principal for a service called from the admin on a row of `workspace`."""
    access = admin_access(request)
    if access is not None and access.workspace.pk == workspace.pk:
        return access
    if request.user.is_superuser:
        return Access(workspace=workspace, user=request.user, membership=None, api_key=None)
    raise PermissionDenied


class BackOfficeLoginForm(AdminAuthenticationForm):
    """Who may log in is decided per workspace (`Membership.admin_access` of an active membership, owners always),
    never by Django's global `is_staff`, which no workspace can set.

    Throttled like `/v1/auth/token`, on the same counters (`workspaces.login_throttle`): while the account or the
    client address is locked, every attempt is refused before any password is hashed, and `throttled` holds the
    seconds to wait (the site answers 429 with `Retry-After`). Django's `ModelBackend` already hashes once for an
    unknown e-mail, so both cost the same."""

    throttled: int | None = None

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not email or not password:
            return super().clean()
        address = login_throttle.client_address(self.request.META) if self.request is not None else ""
        try:
            account_had_failures = login_throttle.check(email=email, address=address)
        except ApplicationError as refusal:
            self.throttled = int(refusal.headers["Retry-After"])
            raise ValidationError(refusal.message, code="too_many_attempts") from refusal
        try:
            cleaned = super().clean()
        except ValidationError:
            if self.user_cache is None:  # a wrong password (not a right one without admin access)
                login_throttle.failure_record(email=email, address=address)
            raise
        if account_had_failures:
            login_throttle.success_record(email=email)
        return cleaned

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active:
            super().confirm_login_allowed(user)
        if user.is_superuser:
            return
        allowed = (
            Membership.objects.active()
            .filter(user=user)
            .filter(Q(role=Membership.Role.OWNER) | Q(admin_access=True))
        )
        if not allowed.exists():
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class BackOfficeSite(admin.AdminSite):
    login_form = BackOfficeLoginForm
    site_header = _("Invoicing back office")
    site_title = _("Back office")
    index_title = _("Today")
    # Stock admins of libraries that the back office does not use: permissions are the API's codes (no groups),
    # and refresh tokens are revoked by signing out, not by hand. Left out, whichever app registers them first.
    left_out = frozenset(
        {"auth.group", "token_blacklist.outstandingtoken", "token_blacklist.blacklistedtoken"}
    )

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        kept = [model for model in models if model._meta.label_lower not in self.left_out]
        if kept:
            super().register(kept, admin_class, **options)

    def login(self, request: HttpRequest, extra_context: dict | None = None):
        """A throttled login is the form's error, answered 429 with `Retry-After`."""
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        wait = getattr(form, "throttled", None)
        if wait:
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        return user.is_superuser or admin_access(request) is not None

    def get_urls(self):
        return [
            path(
                "workspace/<int:workspace_id>/",
                self.admin_view(self.switch_workspace),
                name="switch_workspace",
            ),
            *super().get_urls(),
        ]

    def switch_workspace(self, request: HttpRequest, workspace_id: int):
        membership = next((m for m in admin_memberships(request) if m.workspace_id == workspace_id), None)
        if membership is None and not request.user.is_superuser:
            raise Http404
        request.session[SESSION_KEY] = workspace_id
        return HttpResponseRedirect(reverse("admin:index"))

    def index(self, request: HttpRequest, extra_context: dict | None = None):
        """The index shows today: each app adds its panel (settings.ADMIN_TODAY_PANELS)."""
        access = admin_access(request)

        def dashboard():  # its figures from the replica where one is configured (`workspaces.routing`)
            panels = []
            if access is not None:
                panels = [
                    import_string(name)(workspace=access.workspace, access=access)
                    for name in settings.ADMIN_TODAY_PANELS
                ]
            context = {**(extra_context or {}), "today_panels": [p for p in panels if p]}
            return super(BackOfficeSite, self).index(request, context)

        return routing.served_from_replica(routing.request_principal_of(request), dashboard, render=True)

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        if request.user.is_authenticated:
            access = admin_access(request)
            context["current_workspace"] = access.workspace if access else None
            context["admin_workspaces"] = [
                (m.workspace_id, m.workspace_id == getattr(access and access.workspace, "pk", None))
                for m in admin_memberships(request)
            ]
        return context
