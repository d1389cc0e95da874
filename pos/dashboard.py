"""The admin index's "Today" for the POS (PRODUCT.md section 9): per store, the open day (or the last one closed
today, in the workspace's time zone), its X-report so far (or its stored Z-report), the number of sales, the
average ticket, the best sellers and the sales by hour.

The report's figures are `pos.selectors.session_report`'s (an open day) or the stored Z-report (a closed one): the
dashboard never computes a second version of them, so they stay after the day is closed. The queries are fixed
in number for any number of invoices: the stores, their sessions, three per open session (its X-report), and one
each for the best sellers and the sales by hour of every shown session together.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import ExtractHour
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from invoicing.money import quantize_money
from pos.models import BusinessSession, PosInvoice, PosInvoiceItem, PosPayment
from pos.selectors import session_report
from workspaces import codes
from workspaces.dates import workspace_today
from workspaces.models import Store, Workspace
from workspaces.selectors import store_list
from workspaces.templatetags.backoffice import format_money
from workspaces.tenancy import Access

BEST_SELLERS = 5
REPORT_AMOUNTS = ("grossSales", "discountTotal", "taxTotal", "netSales", "expectedCash", "countedCash")


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
    session: BusinessSession | None
    report: dict[str, Any] | None  # the X-report (open) or the stored Z-report (closed), amounts as Decimal
    sales_count: int
    average_ticket: Decimal
    best_sellers: list[ProductSales]
    sales_by_hour: list[HourSales]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def session_figures(*, session: BusinessSession) -> dict[str, Any]:
    """The day's report with Decimal amounts: the live X-report while open (three queries), the Z-report stored
    at close afterwards (none), whose amounts the JSON column keeps as strings."""
    if session.status == BusinessSession.Status.OPEN or session.summary is None:
        return session_report(session=session, counted_cash=None)
    summary = session.summary
    report = {key: _decimal(summary.get(key)) for key in REPORT_AMOUNTS}
    report["cashDifference"] = _decimal(summary.get("cashDifference"))
    report["payments"] = {method: _decimal(amount) for method, amount in summary.get("payments", {}).items()}
    report["invoiceCounts"] = dict(summary.get("invoiceCounts", {}))
    return report


def day_sessions(*, workspace: Workspace, today: dt.date) -> dict[int, BusinessSession]:
    """Per store id, the day the dashboard shows: the open session, else the last one of `today` (its business
    date, or closed since midnight in the workspace's time zone: a café closing at 2 a.m.). One query."""
    midnight = dt.datetime.combine(today, dt.time.min, tzinfo=zoneinfo.ZoneInfo(workspace.timezone))
    sessions = (
        BusinessSession.objects.filter(workspace=workspace)
        .filter(Q(status=BusinessSession.Status.OPEN) | Q(business_date=today) | Q(closed_at__gte=midnight))
        .select_related("opened_by", "closed_by")
        .order_by("pk")
    )
    chosen: dict[int, BusinessSession] = {}
    for session in sessions:
        session.workspace = workspace  # known already: its report needs the currency, not another query
        current = chosen.get(session.store_id)
        if current is None or current.status == BusinessSession.Status.CLOSED:
            # Open wins; among closed ones the latest (primary-key order) wins.
            chosen[session.store_id] = session
    return chosen


def best_sellers(*, session_ids: list[int], arabic: bool) -> dict[int, list[ProductSales]]:
    """Per session, the products sold most (by quantity) on completed invoices: one query."""
    rows = (
        PosInvoiceItem.objects.filter(
            invoice__session_id__in=session_ids, invoice__status=PosInvoice.Status.COMPLETED
        )
        .values("invoice__session_id", "product_id")
        .annotate(
            sold=Sum("quantity"), amount=Sum("total"), item_name=Max("name"), name_ar=Max("product__name_ar")
        )
        .order_by("invoice__session_id", "-sold", "item_name", "product_id")
    )
    result: dict[int, list[ProductSales]] = {session_id: [] for session_id in session_ids}
    for row in rows:
        products = result[row["invoice__session_id"]]
        if len(products) < BEST_SELLERS:
            name = row["name_ar"] if arabic and row["name_ar"] else row["item_name"]
            products.append(ProductSales(row["product_id"], name, row["sold"], row["amount"]))
    return result


def sales_by_hour(*, workspace: Workspace, session_ids: list[int]) -> dict[int, list[HourSales]]:
    """Per session, completed sales per hour of completion in the workspace's time zone: one query."""
    hour = ExtractHour("completed_at", tzinfo=zoneinfo.ZoneInfo(workspace.timezone))
    rows = (
        PosInvoice.objects.filter(session_id__in=session_ids, status=PosInvoice.Status.COMPLETED)
        .annotate(hour=hour)
        .values("session_id", "hour")
        .annotate(count=Count("pk"), amount=Sum("total"))
        .order_by("session_id", "hour")
    )
    result: dict[int, list[HourSales]] = {session_id: [] for session_id in session_ids}
    for row in rows:
        result[row["session_id"]].append(HourSales(row["hour"], row["count"], row["amount"]))
    return result


def store_days(*, workspace: Workspace, today: dt.date | None = None) -> list[StoreDay]:
    """Each store of the workspace with its day's figures (see the module's docstring for the queries)."""
    today = today or workspace_today(workspace)
    stores = list(store_list(workspace=workspace).order_by("name", "pk"))
    sessions = day_sessions(workspace=workspace, today=today)
    session_ids = [session.pk for session in sessions.values()]
    arabic = (get_language() or "").startswith("ar")
    sellers = best_sellers(session_ids=session_ids, arabic=arabic) if session_ids else {}
    hours = sales_by_hour(workspace=workspace, session_ids=session_ids) if session_ids else {}
    days = []
    for store in stores:
        session = sessions.get(store.pk)
        if session is None:
            days.append(StoreDay(store, None, None, 0, Decimal(0), [], []))
            continue
        session.store = store
        report = session_figures(session=session)
        count = report["invoiceCounts"].get(PosInvoice.Status.COMPLETED, 0)
        net = report["netSales"] or Decimal(0)
        average = quantize_money(net / count, workspace.currency) if count else Decimal(0)
        days.append(StoreDay(store, session, report, count, average, sellers[session.pk], hours[session.pk]))
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
            }
            for day in days
        ],
    }
