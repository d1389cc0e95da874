"""Returns in the owner's back office, in Chromium, in Arabic and in English (PRODUCT.md sections 8a and 9): a
person opens a completed sale of 2 × Arabic coffee, clicks "Return items", returns 1 of them, sees the new credit
note, prints it on an 80 mm roll and on an A4 page, and finds the refund on the day's X-report. Screenshots go to
/tmp/shots/returns_*.png for a person to look at."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from tests.browser.conftest import needs_chromium, signed_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def in_language(label: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(label)


@pytest.fixture
def sale(shop):
    """A second sale of today: 2 × Arabic coffee at 24.15 (48.30), paid in cash."""
    from pos import services
    from pos.models import PosInvoice
    from workspaces.models import Membership
    from workspaces.tenancy import Access

    first = PosInvoice.objects.select_related("workspace", "client", "store").get(pk=shop.invoice_id)
    membership = Membership.objects.select_related("user").get(
        workspace=first.workspace, user__email=shop.owner_email
    )
    access = Access(workspace=first.workspace, user=membership.user, membership=membership, api_key=None)
    coffee = first.items.get().product
    draft = services.invoice_create(
        workspace=first.workspace, access=access, client=first.client, store=first.store
    )
    services.invoice_add_item(
        invoice=draft, access=access, product=coffee, quantity=Decimal(2), unit_price=None, note=""
    )
    return services.invoice_complete(invoice=draft, access=access, payments=None)


def look(page, name: str) -> str:
    """A full-page screenshot to /tmp/shots, and the page's text; nothing wider than the window."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SHOTS / f"returns_{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name
    return page.inner_text("body")


@pytest.mark.parametrize("language", ["ar", "en"])
def test_a_person_returns_one_of_two_and_prints_the_credit_note(page, live_server, shop, sale, language):
    open_as = signed_in(page, live_server, shop.owner_email)
    page = open_as(language)
    direction = "rtl" if language == "ar" else "ltr"

    # The sale's page offers "Return items".
    page.goto(f"{live_server.url}/admin/pos/posinvoice/{sale.pk}/change/")
    text = look(page, f"invoice_{language}")
    assert page.get_attribute("html", "dir") == direction
    assert "48.30" in text
    page.click("a.return-items-link")

    # The page lists the line: 2 sold, none returned yet; 1 is returned, in cash (the sale's method).
    page.wait_for_url(re.compile(rf".*/admin/pos/posinvoice/{sale.pk}/return/$"))
    item = sale.items.get()
    assert page.input_value("#id_refund_method") == "cash"
    page.fill(f"#id_quantity_{item.pk}", "1")
    page.fill("#id_reason", "القهوة باردة" if language == "ar" else "Cold coffee")
    text = look(page, f"form_{language}")
    assert in_language("Already returned", language).casefold() in text.casefold()
    if language == "ar":
        assert "Already returned" not in text and "Return items" not in text
    page.click("input[type=submit]")

    # The new credit note's page.
    page.wait_for_url(re.compile(r".*/admin/pos/posreturn/\d+/change/$"))
    text = look(page, f"credit_note_{language}")
    assert page.get_attribute("html", "dir") == direction
    assert "CN-001" in text and "24.15" in text
    made = in_language("Credit note %(number)s is made: %(amount)s refunded.", language)
    assert made % {"number": "CN-001", "amount": "\u206624.15 SAR\u2069"} in text

    link = page.locator("a.print-80mm").get_attribute("href")

    # The list of returns, its sale linked.
    page.goto(f"{live_server.url}/admin/pos/posreturn/")
    text = look(page, f"list_{language}")
    assert "CN-001" in text and sale.public_id in text and "24.15" in text

    # Printed: in the workspace's receipt language (Arabic), on 80 mm and on A4.
    for paper in ("80mm", "a4"):
        response = page.goto(f"{live_server.url}{link.split('?')[0]}?paper={paper}")
        assert response.status == 200
        text = look(page, f"print_{paper}_{language}")
        assert page.get_attribute("html", "dir") == "rtl"
        assert "إشعار دائن" in text and "CN-001" in text and sale.public_id in text
        assert "24.15 SAR" in text and "استرداد نقداً" in text
        assert not re.search(r"-\s?24\.15|24,15", text)
    width = page.evaluate("document.querySelector('.receipt').getBoundingClientRect().width")
    assert width > 600  # A4: the page's width, not the roll's 74 mm (280 px)
    if language == "en":  # both languages on one note, as Saudi shops print them
        sale.workspace.receipt_language = "ar-en"
        sale.workspace.save(update_fields=["receipt_language"])
        page.goto(f"{live_server.url}{link}")
        text = look(page, "print_80mm_ar-en")
        assert "إشعار دائن" in text and "Credit note" in text and "Cash refund" in text

    # The day's X-report shows the refund, the cash drawer net of it.
    page.goto(f"{live_server.url}/admin/pos/businesssession/{shop.session_id}/report/")
    text = look(page, f"x_report_{language}")
    assert page.get_attribute("html", "dir") == direction
    for label in ("Returns total", "Net of returns", "Cash refunds"):
        assert in_language(label, language) in text, label
        if language == "ar":
            assert label not in text
    # 72.45 + 48.30 of sales, 24.15 returned: 96.60 net of returns; cash 100 + 148.30 − 27.55 − 24.15 = 196.60.
    assert "96.60" in text and "196.60" in text

    # Today: the sales, the returns and the sales net of them.
    page.goto(f"{live_server.url}/admin/")
    text = look(page, f"index_{language}")
    for label in ("Sales so far", "Returns", "Net of returns"):
        assert in_language(label, language) in text, label
    assert "120.75" in text and "24.15" in text and "96.60" in text
    assert open_as.errors == []
