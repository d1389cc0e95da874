"""The admin index's "Today" for the POS (PRODUCT.md section 9): per store, its business date (that of the open
session, or of the last one closed today, in the workspace's time zone) over every session of that date: a day
closed at noon and opened again in the afternoon is one day, whose sales so far, number of sales, average ticket,
payments, invoices by status, best sellers and sales by hour count both sessions. The buttons are the shown
session's: the open one's, else the last closed one's.

Each session's figures are `pos.selectors.session_report`'s (an open session) or its stored Z-report (a closed
one): the dashboard only adds them up, never computes a second version of them, so they stay after the day is
closed. The queries are fixed in number for any number of invoices and sessions: the stores, their sessions,
four per open session (its X-report, its returns included), and one each for the best sellers, the sales by hour
and the offline sales (section 8d) of every shown store together.

Returns (PRODUCT.md section 8a) count on the day whose drawer refunded them: each report has `returnTotal`, the
refunds by method and `netOfReturns` (net sales less the returns); the cash lines subtract the cash refunds.

The report pages' cash lines (`cash_lines`) are here too: they read the same figures.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractHour
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from invoicing.money import quantize_money
from pos.admin_offline import OFFLINE_FLAGS, offline_counts, offline_lines
from pos.models import BusinessSession, PosInvoice, PosInvoiceItem, PosPayment
from pos.selectors import session_report
from workspaces import codes
from workspaces.dates import workspace_today
from workspaces.models import Store, Workspace
from workspaces.selectors import store_list
from workspaces.templatetags.backoffice import format_money
from workspaces.tenancy import Access

BEST_SELLERS = 5
REPORT_AMOUNTS = (
    "grossSales", "discountTotal", "taxTotal", "netSales", "returnTotal", "expectedCash", "countedCash"
)  # fmt: skip
# What the sessions of one business date add up to. The cash is each drawer's own (its opening cash, its count): it
# is read on each session's report, never summed over sessions.
SALES_AMOUNTS = ("grossSales", "discountTotal", "taxTotal", "netSales", "returnTotal", "netOfReturns")


@dataclass(frozen=True)
class ProductSales:
    product_id: int
    name: str
    quantity: Decimal
    amount: Decimal


@dataclass(frozen=True)
class HourSales:
    hour: int  # 0-23, in the workspace's time zone
    count: int
    amount: Decimal


@dataclass(frozen=True)
class StoreDay:
    store: Store
    session: BusinessSession | None  # whose buttons show: the open session, else the last one closed
    sessions: list[BusinessSession]  # every session of `session`'s business date, oldest first
    report: (
        dict[str, Any] | None
    )  # invoiceCounts, the SALES_AMOUNTS, payments and refunds, summed over `sessions`
    sales_count: int
    average_ticket: Decimal
    best_sellers: list[ProductSales]
    sales_by_hour: list[HourSales]
    # Sales a till made offline (section 8d) on these sessions: {"offline", "total_mismatch", "stock_short"}.
    offline: dict[str, int] = field(default_factory=dict)

    @property
    def earlier_sessions(self) -> list[BusinessSession]:
        """The date's other sessions (closed before `session` was opened), for their Z-reports."""
        return [session for session in self.sessions if session != self.session]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _by_method(amounts: dict[str, Any]) -> dict[str, Decimal]:
    """Every payment method named, zero where `amounts` has none (a day closed before the cheque existed)."""
    return {
        **{method: Decimal(0) for method in PosPayment.Method.values},
        **{method: _decimal(amount) or Decimal(0) for method, amount in amounts.items()},
    }


def session_figures(*, session: BusinessSession) -> dict[str, Any]:
    """The session's report with Decimal amounts: the live X-report while open (four queries), the Z-report stored
    at close afterwards (none), whose amounts the JSON column keeps as strings. Every payment method and every
    status is named, zero where the stored report has none (a day closed before the cheque existed: 0.00; before
    returns existed: no return). `netOfReturns` is the net sales less the returns' total."""
    if session.status == BusinessSession.Status.OPEN or session.summary is None:
        report = session_report(session=session, counted_cash=None)
    else:
        summary = session.summary
        report = {key: _decimal(summary.get(key)) for key in REPORT_AMOUNTS}
        report["cashDifference"] = _decimal(summary.get("cashDifference"))
        report["payments"] = _by_method(summary.get("payments", {}))
        report["refunds"] = _by_method(summary.get("refunds", {}))
        report["returnTotal"] = report["returnTotal"] or Decimal(0)
        report["returnCounts"] = {"returns": 0, "invoices": 0, **summary.get("returnCounts", {})}
        report["invoiceCounts"] = {
            **{status: 0 for status in PosInvoice.Status.values},
            **summary.get("invoiceCounts", {}),
        }
    report["netOfReturns"] = (report["netSales"] or Decimal(0)) - report["returnTotal"]
    return report


@dataclass(frozen=True)
class CashLine:
    """One line of a report's cash: `operator` says how it adds up with the lines above it ("+", "−", "=")."""

    key: str
    label: str
    amount: Decimal | None
    operator: str = ""
    empty: str = "—"  # printed when `amount` is None
    total: bool = False


def cash_lines(*, session: BusinessSession, report: dict[str, Any], final: bool) -> list[CashLine]:
    """The drawer's cash as a report prints it, adding up on the page (PRODUCT.md section 5):
    opening cash + cash received − change given = expected cash; then, once counted, the counted cash and the
    difference (counted − expected).

    "Cash received" is what customers handed over (the cash payments), so the change given back is a line of its
    own. It is not a key of the report (the API's summary keeps its shape): it is what the expected cash leaves,
    opening + received − refunded − expected, which also holds for the days closed before this page showed it.
    Cash refunds (returns, section 8a) leave the drawer: a "−" line of their own before the expected cash, on a
    day that has any."""
    opening = session.opening_cash
    received = report["payments"].get(PosPayment.Method.CASH) or Decimal(0)
    refunded = report.get("refunds", {}).get(PosPayment.Method.CASH) or Decimal(0)
    expected = report.get("expectedCash")
    change = None if expected is None else opening + received - refunded - expected
    lines = [
        CashLine("opening", _("Opening cash"), opening),
        CashLine("received", _("Cash received"), received, "+"),
        CashLine("change", _("Change given"), change, "−"),
        *([CashLine("refunds", _("Cash refunds"), refunded, "−")] if refunded else []),
        CashLine("expected", _("Expected cash"), expected, "=", total=True),
    ]
    if final:
        lines += [
            CashLine("counted", _("Counted cash"), report.get("countedCash"), empty=_("Not counted")),
            CashLine("difference", _("Difference"), report.get("cashDifference"), total=True),
        ]
    return lines


def day_sessions(*, workspace: Workspace, today: dt.date) -> dict[int, list[BusinessSession]]:
    """Per store id, the sessions the dashboard adds up, oldest first, the shown one last: the open session (else
    the last one of `today`: its business date, or closed since midnight in the workspace's time zone, a café
    closing at 2 a.m.) and every other session of its store and business date. One query."""
    midnight = dt.datetime.combine(today, dt.time.min, tzinfo=zoneinfo.ZoneInfo(workspace.timezone))

    def current(session: BusinessSession) -> bool:
        return (
            session.status == BusinessSession.Status.OPEN
            or session.business_date == today
            or (session.closed_at is not None and session.closed_at >= midnight)
        )

    candidates = BusinessSession.objects.filter(workspace=workspace).filter(
        Q(status=BusinessSession.Status.OPEN) | Q(business_date=today) | Q(closed_at__gte=midnight)
    )
    # The stores and dates of the candidates: a superset of the (store, date) pairs, sorted out below.
    sessions = list(
        BusinessSession.objects.filter(
            workspace=workspace,
            store_id__in=candidates.values("store_id"),
            business_date__in=candidates.values("business_date"),
        )
        .select_related("opened_by", "closed_by")
        .order_by("pk")
    )
    shown: dict[int, BusinessSession] = {}
    for session in sessions:
        session.workspace = workspace  # known already: its report needs the currency, not another query
        chosen = shown.get(session.store_id)
        if current(session) and (chosen is None or chosen.status == BusinessSession.Status.CLOSED):
            # Open wins; among closed ones the latest (primary-key order) wins.
            shown[session.store_id] = session
    days: dict[int, list[BusinessSession]] = {}
    for store_id, chosen in shown.items():
        same_date = [
            s for s in sessions if s.store_id == store_id and s.business_date == chosen.business_date
        ]
        days[store_id] = [s for s in same_date if s != chosen] + [chosen]
    return days


def day_figures(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The sessions' reports added up: invoices per status, the sales amounts (returns included), payments and
    refunds per method, the number of returns."""
    counts = {status: 0 for status in PosInvoice.Status.values}
    payments = {method: Decimal(0) for method in PosPayment.Method.values}
    refunds = {method: Decimal(0) for method in PosPayment.Method.values}
    amounts = {key: Decimal(0) for key in SALES_AMOUNTS}
    returns = 0
    for report in reports:
        for status, count in report["invoiceCounts"].items():
            counts[status] = counts.get(status, 0) + count
        for method, amount in report["payments"].items():
            payments[method] = payments.get(method, Decimal(0)) + (amount or Decimal(0))
        for method, amount in report.get("refunds", {}).items():
            refunds[method] = refunds.get(method, Decimal(0)) + (amount or Decimal(0))
        for key in SALES_AMOUNTS:
            amounts[key] += report.get(key) or Decimal(0)
        returns += report.get("returnCounts", {}).get("returns", 0)
    return {
        "invoiceCounts": counts,
        **amounts,
        "payments": payments,
        "refunds": refunds,
        "returnCount": returns,
    }


def best_sellers(*, session_ids: list[int], arabic: bool) -> dict[int, list[ProductSales]]:
    """Per store, the products sold most (by quantity) on the completed invoices of these sessions: one query."""
    rows = (
        PosInvoiceItem.objects.filter(
            invoice__session_id__in=session_ids, invoice__status=PosInvoice.Status.COMPLETED
        )
        .values("invoice__store_id", "product_id")
        .annotate(
            sold=Sum("quantity"), amount=Sum("total"), item_name=Max("name"), name_ar=Max("product__name_ar")
        )
        .order_by("invoice__store_id", "-sold", "item_name", "product_id")
    )
    result: dict[int, list[ProductSales]] = {}
    for row in rows:
        products = result.setdefault(row["invoice__store_id"], [])
        if len(products) < BEST_SELLERS:
            name = row["name_ar"] if arabic and row["name_ar"] else row["item_name"]
            products.append(ProductSales(row["product_id"], name, row["sold"], row["amount"]))
    return result


def sales_by_hour(*, workspace: Workspace, session_ids: list[int]) -> dict[int, list[HourSales]]:
    """Per store, the completed sales of these sessions per hour of completion in the workspace's time zone: one
    query."""
    hour = ExtractHour("completed_at", tzinfo=zoneinfo.ZoneInfo(workspace.timezone))
    rows = (
        PosInvoice.objects.filter(session_id__in=session_ids, status=PosInvoice.Status.COMPLETED)
        .annotate(hour=hour)
        .values("store_id", "hour")
        .annotate(count=Count("pk"), amount=Sum("total"))
        .order_by("store_id", "hour")
    )
    result: dict[int, list[HourSales]] = {}
    for row in rows:
        result.setdefault(row["store_id"], []).append(HourSales(row["hour"], row["count"], row["amount"]))
    return result


def store_days(*, workspace: Workspace, today: dt.date | None = None) -> list[StoreDay]:
    """Each store of the workspace with its business date's figures (see the module's docstring for the
    queries)."""
    today = today or workspace_today(workspace)
    stores = list(store_list(workspace=workspace).order_by("name", "pk"))
    sessions = day_sessions(workspace=workspace, today=today)
    session_ids = [session.pk for day in sessions.values() for session in day]
    arabic = (get_language() or "").startswith("ar")
    sellers = best_sellers(session_ids=session_ids, arabic=arabic) if session_ids else {}
    hours = sales_by_hour(workspace=workspace, session_ids=session_ids) if session_ids else {}
    offline = offline_counts(session_ids=session_ids) if session_ids else {}
    days = []
    for store in stores:
        day = sessions.get(store.pk)
        if not day:
            days.append(StoreDay(store, None, [], None, 0, Decimal(0), [], []))
            continue
        for session in day:
            session.store = store
        report = day_figures([session_figures(session=session) for session in day])
        count = report["invoiceCounts"].get(PosInvoice.Status.COMPLETED, 0)
        average = quantize_money(report["netSales"] / count, workspace.currency) if count else Decimal(0)
        days.append(
            StoreDay(
                store,
                day[-1],
                day,
                report,
                count,
                average,
                sellers.get(store.pk, []),
                hours.get(store.pk, []),
                offline.get(store.pk, {flag: 0 for flag in OFFLINE_FLAGS}),
            )
        )
    return days


# --- The chart: an SVG drawn by the template from these figures (no script, no CDN) ----------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM = 720, 180, 12, 22
MIN_HOURS = 8


def hour_chart(hours: list[HourSales], *, currency: str, rtl: bool) -> dict[str, Any] | None:
    """Bars of the sales per hour, from the first hour with a sale (at least `MIN_HOURS` wide). Right to left in
    Arabic: the first hour is drawn on the right, as the page reads."""
    if not hours:
        return None
    first, last = hours[0].hour, hours[-1].hour
    if last - first + 1 < MIN_HOURS:
        last = min(23, first + MIN_HOURS - 1)
        first = max(0, last - MIN_HOURS + 1)
    by_hour = {h.hour: h for h in hours}
    slots = list(range(first, last + 1))
    slot_width = CHART_WIDTH / len(slots)
    top = max(h.amount for h in hours) or Decimal(1)
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    bars = []
    for index, hour in enumerate(slots):
        sales = by_hour.get(hour)
        amount = sales.amount if sales else Decimal(0)
        height = float(amount / top) * plot_height
        position = len(slots) - 1 - index if rtl else index
        x = position * slot_width
        bars.append(
            {
                "hour": f"{hour:02d}",
                "x": round(x + slot_width * 0.15, 1),
                "width": round(slot_width * 0.7, 1),
                "y": round(CHART_TOP + plot_height - height, 1),
                "height": round(height, 1),
                "label_x": round(x + slot_width / 2, 1),
                "amount": format_money(amount, currency),
                "count": sales.count if sales else 0,
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "baseline": CHART_HEIGHT - CHART_BOTTOM,
        "label_y": CHART_HEIGHT - 5,
        "bars": bars,
    }


def today_panel(*, workspace: Workspace, access: Access) -> dict[str, Any] | None:
    """The POS panel of the admin index (settings.ADMIN_TODAY_PANELS), drawn by `pos/dashboard_panel.html`."""
    rtl = get_language_bidi()
    days = store_days(workspace=workspace)
    return {
        "title": _("Point of sale"),
        "template": "pos/dashboard_panel.html",
        "currency": workspace.currency,
        "can_manage": access.has(codes.POS_SESSIONS_MANAGE),
        "days": [
            {
                "day": day,
                "payments": [
                    (label, (day.report or {}).get("payments", {}).get(method) or Decimal(0))
                    for method, label in PosPayment.Method.choices
                ],
                "statuses": [
                    (label, (day.report or {}).get("invoiceCounts", {}).get(status, 0))
                    for status, label in PosInvoice.Status.choices
                ],
                "chart": hour_chart(day.sales_by_hour, currency=workspace.currency, rtl=rtl),
                "offline": offline_lines(day),
            }
            for day in days
        ],
    }
