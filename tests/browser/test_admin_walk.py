"""Every page of the back office in Chromium, in Arabic and in English: the list and a change page of every
registered model (found in the admin's registry, so a new model is walked without being named here), the Today
page, the aging report and a day's X-report, on a shop made through the APIs (`backoffice_data`). On each page, as a person would see it:

- it fits the 1,400 px window (no horizontal scroll);
- its labels (column headers, field labels, section titles, filters, buttons, actions, breadcrumbs) are in the
  page's language: no English word on an Arabic page, no Arabic on an English one;
- amounts in the currency's digits and quantities and rates without trailing zeros: no number with three or more
  decimals anywhere (the shop's currency is SAR: two), on the page or in a form's inputs;
- no raw code (`partially_paid`, `pos_invoice`) and no JSON;
- dates in the language's word order with their minutes;
- people by name (an e-mail only on the user's own page);
- no console error.

Each page's screenshot goes to var/screenshots/walk/<language>/ for a person to look at. The test collects every
finding of every page and fails once, listing them all."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from pos.models import BusinessSession
from tests.admin_permission_matrix import NEVER, PAGES
from tests.browser.backoffice_data import (
    OWNER_EMAIL,
    STAFF_EMAIL,
    SUPERUSER_EMAIL,
    BackOffice,
    build_back_office,
)
from tests.browser.conftest import SCREENSHOTS, console_errors, log_in, needs_chromium
from workspaces.models import User, Workspace

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

WIDTH = 1400

# What a label may hold in Latin letters on an Arabic page: codes that are written in Latin in Arabic too.
LATIN_ALLOWED = re.compile(r"\b(SAR|CSV|XLSX|PDF|API|QR|SKU|URL|VAT|ID|A4|mm|Control|Command)\b")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
MANY_DECIMALS = re.compile(r"(?<![\d.])\d[\d,]*\.\d{3,}(?![\d.])")
RAW_CODE = re.compile(r"(?<![\w.@/-])(?!sk_)[a-z]+(?:_[a-z0-9]+)+(?![\w@.-])")  # sk_...: a key's prefix
JSON = re.compile(r"\[\{|\{\"|\":\s*\"")
ENGLISH_ORDER_ARABIC_DATE = re.compile(r"[\u0600-\u06ff]+ \d{1,2}, \d{4}")
HOUR_WITHOUT_MINUTES = re.compile(r"(?<![:\d])\d{1,2} ?(?:[صم]|[ap]\.m\.|AM|PM)(?![\w\u0600-\u06ff])")

LABELS_JS = """() => {
  const selectors = [
    'thead th', 'label', 'fieldset > h2', '.module > h2', '.inline-group h2', 'caption',
    '#changelist-filter summary', '#changelist-filter h2', '#changelist-filter h3', '.breadcrumbs a',
    '#content > h1', '.object-tools a', '.submit-row input[type=submit]', '.submit-row a',
    'select[name=action] option', '#changelist-search input[type=submit]', '.paginator', 'legend', '.help',
  ];
  const texts = [];
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      // A value inside a label (a store's name in a title) is data: the templates isolate it in <bdi>.
      const clone = element.cloneNode(true);
      clone.querySelectorAll('bdi').forEach(value => value.remove());
      const text = (element.tagName === 'INPUT' ? element.value : clone.textContent || '').trim();
      if (text) texts.push(text);
    }
  }
  return texts;
}"""

INPUTS_JS = """() => Array.from(document.querySelectorAll('input:not([type=hidden]), textarea'))
  .map(element => element.value).filter(value => value)"""


def walked_pages(back_office: BackOffice, *, superuser: bool) -> list[tuple[str, str, type]]:
    """(name, path, model) of the Today page and of every registered model's list and change page, the change
    page on the shop's first row of that model: the owner's pages, or (`superuser`) the models that only a
    superuser reads (`admin_permission_matrix`: the user accounts)."""
    pages = [] if superuser else own_pages(back_office)
    for model in admin.site._registry:
        if (PAGES[model].read == NEVER) != superuser:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        pages.append((f"{info[0]}.{info[1]}-list", reverse("admin:{}_{}_changelist".format(*info)), model))
        row = first_row(model, back_office)
        assert row is not None, f"the shop has no {model._meta.label} to walk: make one in backoffice_data"
        pages.append(
            (f"{info[0]}.{info[1]}-change", reverse("admin:{}_{}_change".format(*info), args=[row.pk]), model)
        )
    return pages


def own_pages(back_office: BackOffice) -> list[tuple[str, str, None]]:
    """The back office's pages of its own: the Today page, the aging report, a day's X-report."""
    session = BusinessSession.objects.get(workspace=back_office.workspace)
    return [
        ("today", reverse("admin:index"), None),
        ("suppliers.aging", reverse("admin:suppliers_supplierinvoice_aging"), None),
        ("pos.x-report", reverse("admin:pos_businesssession_report", args=[session.pk]), None),
    ]


def first_row(model, back_office: BackOffice):
    if model is Workspace:
        return back_office.workspace
    if model is User:
        return back_office.owner
    return model._default_manager.filter(workspace=back_office.workspace).order_by("pk").first()


def label_findings(labels: list[str], language: str) -> list[str]:
    found = []
    for label in labels:
        if language == "ar":
            latin = LATIN_WORD.findall(LATIN_ALLOWED.sub("", label))
            if latin:
                found.append(f"English label on the Arabic page: {label!r}")
        elif ARABIC.search(label):
            found.append(f"Arabic label on the English page: {label!r}")
    return found


def text_findings(text: str, inputs: list[str], language: str, model) -> list[str]:
    found = [f"number with more decimals than SAR's two: {m!r}" for m in MANY_DECIMALS.findall(text)]
    found += [
        f"input value with more decimals than SAR's two: {v!r}" for v in inputs if MANY_DECIMALS.search(v)
    ]
    found += [f"raw code: {m!r}" for m in RAW_CODE.findall(text)]
    found += [f"JSON: {m.group(0)!r}" for m in JSON.finditer(text)]
    found += [f"date in English word order: {m!r}" for m in ENGLISH_ORDER_ARABIC_DATE.findall(text)]
    found += [f"time without its minutes: {m!r}" for m in HOUR_WITHOUT_MINUTES.findall(text)]
    if model is not User:
        found += [
            f"a person by e-mail: {email}"
            for email in (OWNER_EMAIL, STAFF_EMAIL, SUPERUSER_EMAIL)
            if email in text
        ]
    return found


@pytest.fixture
def back_office(transactional_db) -> BackOffice:
    return build_back_office()


def walk(page, live_server, pages, language: str, errors: list[str]) -> list[str]:
    shots = SCREENSHOTS / "walk" / language
    shots.mkdir(parents=True, exist_ok=True)
    findings: list[str] = []
    for name, path, model in pages:
        errors.clear()
        response = page.goto(live_server.url + path)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        problems = []
        if response.status != 200:
            problems.append(f"status {response.status}")
        else:
            if page.get_attribute("html", "dir") != ("rtl" if language == "ar" else "ltr"):
                problems.append("wrong direction")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                problems.append(f"{width} px wide in a {WIDTH} px window")
            problems += label_findings(page.evaluate(LABELS_JS), language)
            problems += text_findings(page.inner_text("body"), page.evaluate(INPUTS_JS), language, model)
            problems += [f"console: {error}" for error in errors]
        findings += [f"{name} ({path}): {problem}" for problem in dict.fromkeys(problems)]
    return findings


@pytest.mark.parametrize("language", ["ar", "en"])
def test_every_admin_page_reads_right(page, live_server, back_office, language):
    errors = console_errors(page)
    findings = []
    walked = 0
    for email, superuser in ((OWNER_EMAIL, False), (SUPERUSER_EMAIL, True)):
        page.context.clear_cookies()
        log_in(page, live_server, email, language)
        pages = walked_pages(back_office, superuser=superuser)
        findings += walk(page, live_server, pages, language, errors)
        walked += len(pages)
    assert walked == 2 * len(admin.site._registry) + len(own_pages(back_office))
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(findings)
