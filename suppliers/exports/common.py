"""What both files of the supplier invoice export share: the columns, the words of the requester's language, the
rows as plain values, the totals added up as they stream, amounts in the currency's digits."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from invoicing.money import MONEY_DECIMAL_PLACES, minor_unit, quantize_money
from suppliers.models import SupplierInvoice

BOM = "\ufeff"
CHUNK_SIZE = 2000
ROWS_PER_BATCH = 500  # rows per chunk of a streamed body
XLSX_MAX_ROWS = 1_048_575  # a sheet's 1,048,576 rows, less the header (the totals rows come out of these too)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANGUAGES = ("ar", "en")
KINDS = ("csv", "xlsx")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

FIELDS = (
    "pk",
    "supplier__name",
    "supplier__tax_number",
    "invoice_number",
    "issue_date",
    "due_date",
    "currency",
    "total_amount",
    "paid_amount",
    "remaining_amount",
    "status",
    "description",
    "notes",
    "image_url",
    "created_at",
)


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy translation, resolved in `words()`
    kind: str  # id, text, date, datetime, currency, money, status, flag
    width: float  # in characters: wide enough that a date or an amount never shows as ########
    repeats: bool = False  # the same few values on many rows (the XLSX keeps their escaped text)


# One entry per value of `rows()`, in that order.
COLUMNS = (
    Column(pgettext_lazy("supplier invoice export", "ID"), "id", 10),
    Column(pgettext_lazy("supplier invoice export", "Supplier"), "text", 32, repeats=True),
    Column(pgettext_lazy("supplier invoice export", "VAT number"), "text", 20, repeats=True),
    Column(pgettext_lazy("supplier invoice export", "Invoice number"), "text", 18),
    Column(pgettext_lazy("supplier invoice export", "Issue date"), "date", 18),
    Column(pgettext_lazy("supplier invoice export", "Due date"), "date", 18),
    Column(pgettext_lazy("supplier invoice export", "Currency"), "currency", 10, repeats=True),
    Column(pgettext_lazy("supplier invoice export", "Total"), "money", 18),
    Column(pgettext_lazy("supplier invoice export", "Paid"), "money", 18),
    Column(pgettext_lazy("supplier invoice export", "Remaining"), "money", 18),
    Column(pgettext_lazy("supplier invoice export", "Status"), "status", 16),
    Column(pgettext_lazy("supplier invoice export", "Overdue"), "flag", 10),
    Column(pgettext_lazy("supplier invoice export", "Description"), "text", 40),
    Column(pgettext_lazy("supplier invoice export", "Notes"), "text", 30),
    Column(pgettext_lazy("supplier invoice export", "Image"), "text", 30),
    Column(pgettext_lazy("supplier invoice export", "Created"), "datetime", 20),
)
CURRENCY_INDEX = 6
AMOUNT_INDEXES = (7, 8, 9)  # total, paid, remaining: what the totals row adds up
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Words:
    """Everything language- and zone-dependent, resolved once (plain strings, no lazy text)."""

    language: str
    sheet_title: str
    header: tuple[str, ...]
    statuses: dict[str, str]
    yes: str
    no: str
    totals: str
    zone: dt.tzinfo
    right_to_left: bool
    currency: str | None = None  # the workspace's: the totals row of an export without rows


def language_of(code: str | None) -> str:
    """`ar`, `ar-sa` -> `ar`; anything else (English, none) -> `en`."""
    return "ar" if (code or "").lower().startswith("ar") else "en"


def words(*, language: str, zone: dt.tzinfo | str, currency: str | None = None) -> Words:
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    language = language_of(language)
    with translation.override(language):
        return Words(
            language=language,
            sheet_title=_("Supplier invoices")[:31],
            header=tuple(str(column.label) for column in COLUMNS),
            statuses={str(value): str(label) for value, label in SupplierInvoice.Status.choices},
            yes=_("Yes"),
            no=_("No"),
            totals=str(pgettext_lazy("supplier invoice export", "Totals")),
            zone=zone,
            right_to_left=language == "ar",
            currency=currency,
        )


def current_words() -> Words:
    """The active language and time zone (the admin activates the workspace's zone for its requests)."""
    return words(language=translation.get_language() or "en", zone=timezone.get_current_timezone())


def rows(invoices: QuerySet[SupplierInvoice], today: dt.date) -> Iterator[tuple[Any, ...]]:
    """Plain values in `COLUMNS` order, read in chunks from a server-side cursor (no model instances)."""
    for (pk, supplier, vat_number, number, issue, due, currency, total, paid, remaining, status, description,
         notes, image_url, created_at) in (
        invoices.order_by("-pk").values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)
    ):  # fmt: skip
        overdue = remaining > 0 and due is not None and today > due
        yield (pk, supplier, vat_number, number, issue, due, currency, total, paid, remaining, status, overdue,
               description, notes, image_url, created_at)  # fmt: skip


def places_of(currency: str | None) -> int:
    """The currency's minor digits; an unknown code keeps the stored places rather than guessing."""
    try:
        return minor_unit(currency)
    except ValueError:
        return MONEY_DECIMAL_PLACES


def rounded_amount(value: Decimal, currency: str) -> Decimal:
    """Rounded half-up to the currency's digits, with exactly that many places (`Decimal("1200.50")`)."""
    try:
        return quantize_money(value, currency)
    except ValueError:
        return value.quantize(Decimal(1).scaleb(-MONEY_DECIMAL_PLACES))


class Totals:
    """Sums per currency, added up as the rows pass (memory: one entry per currency)."""

    def __init__(self) -> None:
        self.sums: dict[str, list[Decimal]] = {}

    def add(self, record: tuple[Any, ...]) -> None:
        sums = self.sums.setdefault(record[CURRENCY_INDEX], [Decimal(0)] * len(AMOUNT_INDEXES))
        for n, index in enumerate(AMOUNT_INDEXES):
            sums[n] += record[index]

    def records(self, words: Words) -> list[tuple[Any, ...]]:
        """One row per currency (the workspace's with zeros when there was no row): the label, the currency, the
        three sums; the rest empty."""
        sums = self.sums or ({words.currency: [Decimal(0)] * len(AMOUNT_INDEXES)} if words.currency else {})
        result = []
        for currency in sorted(sums):
            record: list[Any] = [None] * len(COLUMNS)
            record[0] = words.totals
            record[CURRENCY_INDEX] = currency
            for n, index in enumerate(AMOUNT_INDEXES):
                record[index] = sums[currency][n]
            result.append(tuple(record))
        return result


def quoted(value: str) -> str:
    """Text that Excel would run as a formula is shown as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value
