"""The business day in the back office: open it, close it (counted cash, cancel the open drafts), read its X- or
Z-report. Each view calls the API's own service (`session_open`, `session_close`) with the admin's acting
principal and needs the same permission code (`pos.sessions.manage`); a refusal is a message, never a 500."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pos import error_codes, services
from pos.dashboard import cash_lines, session_figures
from pos.models import BusinessSession, PosInvoice, PosPayment
from workspaces.admin_base import add_service_errors
from workspaces.admin_site import admin_access, admin_actor
from workspaces.errors import ApplicationError
from workspaces.models import Store

if TYPE_CHECKING:
    from pos.admin import BusinessSessionAdmin

MONEY_FIELD = {"max_digits": 18, "decimal_places": 3, "min_value": 0}


class OpenDayForm(forms.Form):
    opening_cash = forms.DecimalField(label=_("Opening cash"), initial=0, **MONEY_FIELD)


class CloseDayForm(forms.Form):
    counted_cash = forms.DecimalField(
        label=_("Counted cash"),
        required=False,
        help_text=_("The cash in the drawer now. Leave empty if it was not counted."),
        **MONEY_FIELD,
    )
    cancel_drafts = forms.BooleanField(
        label=_("Cancel open drafts"),
        required=False,
        help_text=_("Invoices still in draft are cancelled, so the day can close."),
    )


def _require_manage(modeladmin: BusinessSessionAdmin, request: HttpRequest) -> None:
    """Opening and closing the day need `pos.sessions.manage`, as the API's (the services check it again)."""
    if not modeladmin.has_manage_day_permission(request):
        raise PermissionDenied


def _session(modeladmin: BusinessSessionAdmin, request: HttpRequest, session_id: int) -> BusinessSession:
    """The admin's workspace's session (another workspace's is a 404), with what its pages show."""
    return get_object_or_404(
        modeladmin.get_queryset(request).select_related("workspace", "store", "opened_by", "closed_by"),
        pk=session_id,
    )


def _page(modeladmin, request: HttpRequest, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": title,
            **context,
        },
    )


def drafts_refusal(error: ApplicationError) -> str:
    """`drafts_open` names the drafts by their numbers (POS-004, POS-007), as the owner knows them."""
    ids = [int(pk) for pk in (error.details or {}).get("draft_ids", [])]
    numbers = PosInvoice.objects.filter(pk__in=ids).order_by("number").values_list("public_id", flat=True)
    return gettext(
        "The day cannot close: these invoices are still drafts: %(numbers)s. Complete or cancel them, "
        "or tick “Cancel open drafts”."
    ) % {"numbers": ", ".join(numbers)}


def open_day_view(modeladmin: BusinessSessionAdmin, request: HttpRequest, store_id: int) -> HttpResponse:
    _require_manage(modeladmin, request)
    access = admin_access(request)
    stores = Store.objects.all() if request.user.is_superuser else Store.objects.none()
    if access is not None:
        stores = Store.objects.filter(workspace=access.workspace)
    store = stores.select_related("workspace").filter(pk=store_id).first()
    if store is None:
        raise Http404
    form = OpenDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_open(
                workspace=store.workspace,
                access=admin_actor(request, store.workspace),
                store=store,
                opening_cash=form.cleaned_data["opening_cash"],
                business_date=None,
            )
        except ApplicationError as error:
            add_service_errors(form, error, {})
        else:
            modeladmin.message_user(
                request, gettext("The day of %(store)s is open.") % {"store": store.name}, messages.SUCCESS
            )
            return HttpResponseRedirect(reverse("admin:index"))
    title = gettext("Open the day: %(store)s") % {"store": store.name}
    return _page(modeladmin, request, "pos/admin/day_form.html", title, form=form, store=store, opening=True)


def close_day_view(modeladmin: BusinessSessionAdmin, request: HttpRequest, session_id: int) -> HttpResponse:
    _require_manage(modeladmin, request)
    session = _session(modeladmin, request, session_id)
    report_url = reverse("admin:pos_businesssession_report", args=[session.pk])
    if session.status != BusinessSession.Status.OPEN:
        modeladmin.message_user(request, gettext("This day is already closed."), messages.WARNING)
        return HttpResponseRedirect(report_url)
    form = CloseDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_close(
                session=session,
                access=admin_actor(request, session.workspace),
                closing_cash=form.cleaned_data["counted_cash"],
                cancel_drafts=form.cleaned_data["cancel_drafts"],
            )
        except ApplicationError as error:
            if error.code == error_codes.DRAFTS_OPEN:
                form.add_error(None, drafts_refusal(error))
            else:
                add_service_errors(form, error, {"closing_cash": "counted_cash"})
        else:
            modeladmin.message_user(request, gettext("The day is closed."), messages.SUCCESS)
            return HttpResponseRedirect(report_url)
    drafts = list(
        PosInvoice.objects.filter(session=session, status=PosInvoice.Status.DRAFT)
        .order_by("number")
        .values_list("pk", "public_id")
    )
    title = gettext("Close the day: %(store)s") % {"store": session.store.name}
    report = session_figures(session=session)
    return _page(
        modeladmin,
        request,
        "pos/admin/day_form.html",
        title,
        form=form,
        session=session,
        store=session.store,
        drafts=drafts,
        report=report,
        cash=cash_lines(session=session, report=report, final=False),
        currency=session.workspace.currency,
    )


def report_view(modeladmin: BusinessSessionAdmin, request: HttpRequest, session_id: int) -> HttpResponse:
    """The X-report (open day, live) or the Z-report (closed, as stored at close), printable on 80 mm or A4. Every
    member reads it, as the API's report. Its cash adds up on the page (`cash_lines`)."""
    if not modeladmin.has_view_permission(request):
        raise PermissionDenied
    session = _session(modeladmin, request, session_id)
    report = session_figures(session=session)
    final = session.status == BusinessSession.Status.CLOSED
    paper = "80mm" if request.GET.get("paper") == "80mm" else "a4"
    counts = report.get("invoiceCounts", {})
    payments = report.get("payments", {})
    refunds = report.get("refunds", {})
    title = gettext("Z-report") if final else gettext("X-report")
    return _page(
        modeladmin,
        request,
        "pos/admin/session_report.html",
        f"{title}: {session.store.name} \u2066{session.business_date:%Y-%m-%d}\u2069",
        session=session,
        report=report,
        final=final,
        paper=paper,
        currency=session.workspace.currency,
        statuses=[(label, counts.get(value, 0)) for value, label in PosInvoice.Status.choices],
        payments=[(label, payments.get(value)) for value, label in PosPayment.Method.choices],
        refunds=[(label, refunds[value]) for value, label in PosPayment.Method.choices if refunds.get(value)],
        cash=cash_lines(session=session, report=report, final=final),
        can_manage=modeladmin.has_manage_day_permission(request),
    )
