"""Sales a till made offline (PRODUCT.md section 8d) in the back office: the list's filters and marks, and the
"Offline sale" rows of an invoice's page. A sale synced later is recorded whatever the till computed: the owner
finds here the ones to look at, those whose total differs from the till's and those sold short of stock.

The filters offer fixed choices (no query for their options) and each reads one of the partial indexes of
`PosInvoice` (`pos_invoice_offline_idx` ...): the list stays cheap at a million invoices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pos.models import PosInvoice
from workspaces.templatetags.backoffice import format_money

if TYPE_CHECKING:
    from pos.dashboard import StoreDay

# The rows of the "Offline sale" section of an offline invoice's page (`OfflineSaleMixin.get_fieldsets`).
OFFLINE_FIELDS = (
    "device_ref",
    "client_ref",
    "till_created_at",
    "till_completed_at",
    "synced_at",
    "till_total_comparison",
    "stock_short_display",
)

# What the list's marks say, in the order they are shown: (field, CSS class, short label, longer explanation).
FLAGS = (
    ("offline", "offline", _("Offline"), _("Made on a till without internet, synced later.")),
    ("total_mismatch", "mismatch", _("Total differs"), _("The till's total differs from the invoice's.")),
    ("stock_short", "short", _("Short of stock"), _("Sold with less in stock than sold.")),
)


class FlagFilter(admin.SimpleListFilter):
    """A filter on one of the offline flags: "Yes" (and "No" when `offer_no`), never enumerated from the list."""

    field = ""
    offer_no = False

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        choices = [("1", gettext("Yes"))]
        return [*choices, ("0", gettext("No"))] if self.offer_no else choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("1", "0"):
            return queryset.filter(**{self.field: self.value() == "1"})
        return queryset


class OfflineFilter(FlagFilter):
    title = _("made offline")
    parameter_name = field = "offline"
    offer_no = True


class TotalMismatchFilter(FlagFilter):
    title = _("total differs from the till's")
    parameter_name = field = "total_mismatch"


class StockShortFilter(FlagFilter):
    title = _("sold short of stock")
    parameter_name = field = "stock_short"


OFFLINE_FILTERS = (OfflineFilter, TotalMismatchFilter, StockShortFilter)


def flag_marks(invoice: PosInvoice) -> SafeString:
    """The small marks beside an invoice's number: offline, total differs, short of stock (none for a sale made
    online, the usual case)."""
    return format_html_join(
        "",
        ' <span class="pos-flag pos-flag-{}" title="{}">{}</span>',
        ((css, explanation, text) for field, css, text, explanation in FLAGS if getattr(invoice, field)),
    )


def _moment(invoice: PosInvoice, name: str) -> str:
    """A date and time as the admin's read-only fields print it (the active time zone and language's format)."""
    return display_for_field(getattr(invoice, name), PosInvoice._meta.get_field(name), "—")


class OfflineSaleMixin:
    """What `PosInvoiceAdmin` shows of a sale made offline: the marks beside its number in the list and, on its
    page, an "Offline sale" section (the till, its reference, its clock, the sync, its total when it differs, the
    stock short flag). A sale made online shows neither."""

    @admin.display(description=_("number"), ordering="number")
    def number_display(self, invoice: PosInvoice) -> SafeString:
        return format_html('<span dir="ltr">{}</span>{}', invoice.public_id, flag_marks(invoice))

    def get_fieldsets(self, request: HttpRequest, obj: PosInvoice | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.offline:
            return fieldsets
        return [*fieldsets, (_("Offline sale"), {"fields": OFFLINE_FIELDS, "classes": ("offline-sale",)})]

    def get_readonly_fields(self, request: HttpRequest, obj: PosInvoice | None = None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *OFFLINE_FIELDS] if obj is not None and obj.offline else readonly

    @admin.display(description=_("created on the till"))
    def till_created_at(self, invoice: PosInvoice) -> str:
        return _moment(invoice, "created_at")

    @admin.display(description=_("completed on the till"))
    def till_completed_at(self, invoice: PosInvoice) -> str:
        return _moment(invoice, "completed_at")

    @admin.display(description=_("till's total"))
    def till_total_comparison(self, invoice: PosInvoice) -> str:
        """The till's total beside the invoice's and the difference (invoice − till), when they differ; else the
        plain statement that they agree."""
        if not invoice.total_mismatch or invoice.offline_total is None:
            return gettext("The same as the invoice's")
        currency = invoice.currency
        difference = invoice.total - invoice.offline_total
        sign = "+" if difference > 0 else ""
        rows = (
            (gettext("On the till"), format_money(invoice.offline_total, currency)),
            (gettext("On the invoice"), format_money(invoice.total, currency)),
            (gettext("Difference"), f"{sign}{format_money(difference, currency)}"),
        )
        cells = format_html_join(
            "",
            '<tr><th scope="row">{}</th><td class="num">{} {}</td></tr>',
            ((label, amount, currency) for label, amount in rows),
        )
        return format_html('<table class="offline-totals">{}</table>', cells)

    @admin.display(description=_("sold short of stock"))
    def stock_short_display(self, invoice: PosInvoice) -> str:
        if invoice.stock_short:
            return gettext("Yes: the stock went below zero")
        return gettext("No")


# The dashboard's lines (`pos.dashboard`): the day's offline sales, mismatched totals, short-stock sales.
# The offline flags the dashboard counts (section 8d), each a filter of the POS invoice list (`pos.admin_offline`).
OFFLINE_FLAGS = ("offline", "total_mismatch", "stock_short")


def offline_counts(*, session_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per store, the invoices of these sessions made offline, with a total differing from the till's, sold short of
    stock (whatever their status: the list the dashboard links to shows the same rows): one query."""
    flagged = Q(offline=True) | Q(total_mismatch=True) | Q(stock_short=True)
    rows = (
        PosInvoice.objects.filter(flagged, session_id__in=session_ids)
        .values("store_id")
        .annotate(**{flag: Count("pk", filter=Q(**{flag: True})) for flag in OFFLINE_FLAGS})
        .order_by("store_id")
    )
    return {row["store_id"]: {flag: row[flag] for flag in OFFLINE_FLAGS} for row in rows}


OFFLINE_LABELS = {
    "offline": _("Offline sales"),
    "total_mismatch": _("Totals differing from the till's"),
    "stock_short": _("Sold short of stock"),
}


def offline_lines(day: StoreDay) -> list[dict[str, Any]]:
    """The day's offline sales, mismatched totals and short-stock sales, each with its count and, when there are
    any, a link to the POS invoice list filtered that way and to the day's sessions. Nothing on a day without an
    offline sale (the usual day): the card then shows none of it."""
    if not any(day.offline.values()):
        return []
    sessions = [session.pk for session in day.sessions]
    by_session = (
        {"session__id__exact": sessions[0]}
        if len(sessions) == 1
        else {"session__id__in": ",".join(map(str, sessions))}
    )
    changelist = reverse("admin:pos_posinvoice_changelist")
    return [
        {
            "flag": flag,
            "label": OFFLINE_LABELS[flag],
            "count": day.offline.get(flag, 0),
            "url": f"{changelist}?{urlencode({flag: 1, **by_session})}" if day.offline.get(flag) else None,
        }
        for flag in OFFLINE_FLAGS
    ]
