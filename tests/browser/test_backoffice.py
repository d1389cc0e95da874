"""The owner's back office in Chromium, in Arabic and in English: the "Today" dashboard, a day's X- and
Z-report, an invoice and its receipt. Each page is checked for its direction, its labels, its amounts as printed
and a console without errors; a screenshot of each goes to var/screenshots/ for a person to look at.

Labels are data: `LABELS` lists the product's own English labels per page. In English each must show; in Arabic
its translation must show and the English label must not (every label must have an Arabic translation). The
receipt prints in the workspace's receipt language (Arabic here) whatever the browser's: `RECEIPT_LABELS`."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from pos.receipts import LABELS as RECEIPT_LABELS_TEXT
from tests.browser.conftest import SCREENSHOTS, needs_chromium, signed_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

PAGES = {
    "index": "/admin/",
    "x-report": "/admin/pos/businesssession/{shop.session_id}/report/",
    "z-report": "/admin/pos/businesssession/{shop.closed_session_id}/report/?paper=80mm",
    "invoice": "/admin/pos/posinvoice/{shop.invoice_id}/change/",
    "receipt": "/admin/pos/posinvoice/{shop.invoice_id}/receipt/",
}

# Django's own admin labels: translated by Django, so asserted in Arabic today.
DJANGO_LABELS = {
    "index": ["Log out", "Change password"],
    "x-report": ["Log out", "Home"],
    "z-report": ["Log out", "Home"],
    "invoice": ["Log out", "Home"],
    "receipt": [],
}

# The product's own labels (extend freely: a label is asserted in Arabic once the catalogue translates it).
LABELS = {
    "index": [
        "Point of sale",
        "Sales so far",
        "Number of sales",
        "Average ticket",
        "Payments by method",
        "Invoices by status",
        "Best sellers",
        "Sales by hour",
        "X-report",
        "Close the day",
        "Overdue supplier invoices",
    ],
    "x-report": ["X-report", "Gross sales", "Net sales", "Expected cash", "Opening cash", "Print", "A4 page"],
    "z-report": ["Z-report", "Net sales", "Expected cash", "Counted cash", "Difference", "80 mm receipt"],
    "invoice": ["what happened", "created by", "unit price", "receipt"],
    "receipt": [],
}

# The receipt's own labels, Arabic and English (pos.receipts.LABELS): Arabic whatever the interface language.
RECEIPT_LABELS = ["number", "date", "client", "item", "quantity", "price", "subtotal", "total", "print"]

# The amounts as printed (`.` decimal point, the currency's two digits), and what must never show.
AMOUNTS = {
    "index": ["72.45", "100.00"],  # sales so far, the average ticket, the cash taken
    "x-report": ["72.45", "172.45", "100.00"],
    "z-report": ["50.00", "0.00"],
    "invoice": ["72.45", "24.15", "27.55"],
    "receipt": ["72.45", "24.15"],
}
NEVER = [r"72,45", r"24,15", r"\b3\.000\b", r"24\.1500"]


def english_and_arabic(label: str) -> tuple[str, str]:
    with translation.override("ar"):
        return label, translation.gettext(label)


def has(text: str, label: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, flags=re.IGNORECASE) is not None


@pytest.fixture
def owner_page(page, live_server, shop):
    """The owner signed in through the login form, in the language the test gives; `.errors`: the console's."""
    return signed_in(page, live_server, shop.owner_email)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_both_languages(owner_page, live_server, shop, name, language):
    page = owner_page(language)
    response = page.goto(live_server.url + PAGES[name].format(shop=shop))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}.png"), full_page=True)
    text = page.inner_text("body")

    expected_dir = (
        "rtl" if language == "ar" or name == "receipt" else "ltr"
    )  # the receipt: receiptLanguage (ar)
    assert page.get_attribute("html", "dir") == expected_dir
    for amount in AMOUNTS[name]:
        assert amount in text, amount
    for pattern in NEVER:
        assert not re.search(pattern, text), pattern
    for english in DJANGO_LABELS[name]:
        _, arabic = english_and_arabic(english)
        assert arabic != english, f"Django translates {english!r}"
        assert has(text, arabic if language == "ar" else english), english
        if language == "ar":
            assert not has(text, english), english
    for label in LABELS[name]:
        english, arabic = english_and_arabic(label)
        if language == "en":
            assert has(text, english), label  # the label is really on the page
        else:
            assert arabic != english, f"{label!r} has no Arabic translation"
            assert has(text, arabic) and not has(text, english), label
    if name == "receipt":
        for key in RECEIPT_LABELS:
            arabic, english = RECEIPT_LABELS_TEXT[key]
            assert has(text, arabic) and not has(text, english), key
    assert owner_page.errors == []


def test_the_print_link_is_in_view_at_1400_px(owner_page, live_server, shop):
    page = owner_page("ar")
    page.goto(f"{live_server.url}/admin/pos/posinvoice/")
    page.screenshot(path=str(SCREENSHOTS / "invoice-list-ar.png"), full_page=True)
    link = page.locator(f'a[href="/admin/pos/posinvoice/{shop.invoice_id}/receipt/"]')
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1400
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    assert owner_page.errors == []


def test_closing_the_day_is_refused_naming_the_draft(owner_page, live_server, shop):
    page = owner_page("en")
    page.click("text=Close the day")
    page.fill("#id_counted_cash", "172.45")
    page.click("input[type=submit][value='Close the day']")
    page.screenshot(path=str(SCREENSHOTS / "close-day-refused-en.png"), full_page=True)
    assert f"these invoices are still drafts: {shop.draft_public_id}." in page.inner_text("body")

    page.check("#id_cancel_drafts")
    page.click("input[type=submit][value='Close the day']")
    page.wait_for_url(re.compile(r".*/report/$"))
    text = page.inner_text("body")
    assert "Z-report" in text and "The day is closed." in text and "172.45" in text
    assert owner_page.errors == []
