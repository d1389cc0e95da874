"""The supplier admin's own pages: the aging report, the stored scans served to the admin's session, and the
scan's thumbnail on an invoice's page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
)
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suppliers import selectors
from suppliers.file_responses import file_response
from suppliers.models import InvoiceFile, SupplierInvoice
from suppliers.services import images as files
from workspaces.admin_site import admin_access
from workspaces.dates import LAST_DAY, workspace_today
from workspaces.errors import NotFoundError
from workspaces.files import stored_files
from workspaces.templatetags.backoffice import format_money

if TYPE_CHECKING:
    from suppliers.admin import SupplierInvoiceAdmin

_FILE_URL = re.compile(
    rf"/(?:api/)?v1/workspace/(?P<workspace>[0-9]+)/files/(?P<name>{files.FILE_NAME_PATTERN})"
)
# The earliest `asOf` whose buckets (back to 90 days before it) stay inside the calendar.
FIRST_AS_OF = dt.date(1, 4, 2)
BUCKETS = (
    ("notDue", _("Not due")),
    ("days1to30", _("1–30 days")),
    ("days31to60", _("31–60 days")),
    ("days61to90", _("61–90 days")),
    ("over90", _("Over 90 days")),
)


# --- Scans ---------------------------------------------------------------------------------------------------


@contextmanager
def uploads_kept_when_saved() -> Iterator[None]:
    """A scan stored by a save that then failed (a number that exists, a refused payment: its transaction rolled
    back, its `InvoiceFile` row with it) is removed again; one whose row was committed stays."""
    with stored_files() as scope:
        yield
        stored = InvoiceFile.objects.filter(name__in=scope.names).count() if scope.names else 0
        scope.keep = stored == len(scope.names)


def stored_file_name(invoice: SupplierInvoice) -> str | None:
    """The last part of the stored file's name when the invoice's `image_url` is one of its workspace's uploads
    (`.../v1/workspace/<id>/files/<name>`, any host); None for any other address."""
    match = _FILE_URL.fullmatch(urlsplit(invoice.image_url or "").path)
    if match is None or int(match["workspace"]) != invoice.workspace_id:
        return None
    return match["name"]


def scan_preview(invoice: SupplierInvoice) -> str:
    """The scan as a thumbnail opening the image; a PDF as a link (never shown inline); another address as a
    link (the page loads no third-party image)."""
    if not invoice.image_url:
        return "—"
    name = stored_file_name(invoice)
    if name is None:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener noreferrer" class="scan-link">{}</a>',
            invoice.image_url,
            gettext("Open the image"),
        )
    url = reverse("admin:suppliers_supplierinvoice_file", args=[name])
    if name.endswith(".pdf"):
        return format_html('<a href="{}" class="scan-link">{}</a>', url, gettext("Download the PDF"))
    return format_html(
        '<a href="{}" target="_blank" rel="noopener" class="scan-thumbnail"><img src="{}" alt="{}"></a>',
        url,
        url,
        gettext("The scanned invoice"),
    )


def file_view(modeladmin: SupplierInvoiceAdmin, request: HttpRequest, file_name: str) -> HttpResponseBase:
    """A stored scan of the admin's workspace, to a member who may read suppliers: the same file, headers and
    refusals as the API's `GET /v1/workspace/:id/files/:name`, which takes a token, not the admin's session."""
    access = admin_access(request)
    if access is None or not modeladmin.has_view_permission(request):
        raise PermissionDenied
    try:
        file = files.invoice_file_get(workspace=access.workspace, access=access, file_name=file_name)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return file_response(file)


# --- Aging ---------------------------------------------------------------------------------------------------


def _as_of(value: str | None, today: dt.date) -> tuple[dt.date, str | None]:
    """The report's day from the picker (`asOf`, as the API's), else today; a bad date is said and today used."""
    if not value:
        return today, None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        return today, gettext("Enter a valid date.")
    if not FIRST_AS_OF <= day <= LAST_DAY:
        return today, gettext("Enter a valid date.")
    return day, None


def _invoices_url(**filters) -> str:
    return f"{reverse('admin:suppliers_supplierinvoice_changelist')}?{urlencode(filters)}"


def _bucket_filters(bucket: str, as_of: dt.date) -> dict[str, str]:
    """The due dates of a bucket, as the invoice list's filters (the selector's own bounds)."""
    days = dt.timedelta
    bounds = {
        "days1to30": (as_of - days(30), as_of),
        "days31to60": (as_of - days(60), as_of - days(30)),
        "days61to90": (as_of - days(90), as_of - days(60)),
        "over90": (None, as_of - days(90)),
    }
    if bucket not in bounds:
        return {}
    start, end = bounds[bucket]
    return {
        **({"due_date__gte": start.isoformat()} if start else {}),
        "due_date__lt": end.isoformat(),
    }


def aging_view(modeladmin: SupplierInvoiceAdmin, request: HttpRequest) -> HttpResponse:
    """What is owed per supplier by days past due on `asOf`: the API's aging report (the same selector), for a
    member with `suppliers.view`. Each supplier links to its unpaid invoices, each past-due amount to its
    bucket's invoices."""
    access = admin_access(request)
    if access is None or not modeladmin.has_aging_permission(request):
        raise PermissionDenied
    workspace = access.workspace
    today = workspace_today(workspace)
    as_of, error = _as_of(request.GET.get("asOf"), today)
    report = selectors.aging(workspace=workspace, as_of=as_of)
    currency = report["currency"]
    issued = {"issue_date__lte": as_of.isoformat()}
    rows = []
    for supplier in report["suppliers"]:
        unpaid = {"supplier__id__exact": supplier["supplierId"], "unpaid": "yes", **issued}
        cells = []
        for bucket, _label in BUCKETS:
            amount = supplier[bucket]
            link = None
            if amount and bucket != "notDue":
                link = _invoices_url(**unpaid, **_bucket_filters(bucket, as_of))
            cells.append((format_money(amount, currency), link))
        rows.append(
            {
                "name": supplier["name"],
                "url": _invoices_url(**unpaid),
                "cells": cells,
                "total": format_money(supplier["total"], currency),
            }
        )
    totals = report["totals"]
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": gettext("Aging of supplier invoices"),
        "as_of": as_of,
        "today": today,
        "error": error,
        "currency": currency,
        "buckets": [label for _key, label in BUCKETS],
        "rows": rows,
        "totals": [format_money(totals[bucket], currency) for bucket, _label in BUCKETS],
        "grand_total": format_money(totals["total"], currency),
        "first_day": FIRST_AS_OF,
        "last_day": LAST_DAY,
    }
    return TemplateResponse(request, "suppliers/admin/aging.html", context)
