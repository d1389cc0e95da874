"""Sales a till made offline (PRODUCT.md section 8d) in the owner's back office, in Chromium, in Arabic and in
English: the Today page counts the day's offline sales and links to them, the POS invoice list filtered to them
marks each one, an offline sale's page (no client, its total differing from the till's, sold short of stock)
shows its "Offline sale" section, its receipt prints without a client line and the stock ledger marks the movement
sold short. Each page is checked for its direction, its labels in the page's language, its
amounts as printed, its width and a console without errors; screenshots go to var/screenshots/offline/ for a person
to look at."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.utils import translation

from tests.browser.conftest import SCREENSHOTS, needs_chromium, signed_in
from tests.browser.test_admin_walk import LABELS_JS, WIDTH, label_findings

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

# The labels this feature adds, which each page must show in its language.
LIST_LABELS = ["Offline", "Total differs", "Short of stock", "made offline", "sold short of stock"]
PAGE_LABELS = ["Offline sale", "till's reference", "created on the till", "On the till", "On the invoice"]
INDEX_LABELS = ["Offline sales", "Totals differing from the till's", "Sold short of stock"]


def in_language(label: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(label)


@pytest.fixture
def offline_sale(shop):
    """A second sale of today, synced from till-7 without a client: 2 × Arabic coffee at 24.15 (48.30), which the
    till totalled 48.00, sold with 1 in stock."""
    from invoicing.models import StockMovement
    from pos import services
    from pos.models import PosInvoice
    from workspaces.models import Membership
    from workspaces.tenancy import Access

    first = PosInvoice.objects.select_related("workspace", "client", "store").get(pk=shop.invoice_id)
    membership = Membership.objects.select_related("user").get(
        workspace=first.workspace, user__email=shop.owner_email
    )
    access = Access(workspace=first.workspace, user=membership.user, membership=membership, api_key=None)
    draft = services.invoice_create(
        workspace=first.workspace, access=access, client=first.client, store=first.store
    )
    services.invoice_add_item(
        invoice=draft,
        access=access,
        product=first.items.get().product,
        quantity=Decimal(2),
        unit_price=None,
        note="",
    )
    sale = services.invoice_complete(invoice=draft, access=access, payments=None)
    now = dt.datetime.now(dt.UTC)
    PosInvoice.objects.filter(pk=sale.pk).update(
        client=None,
        offline=True,
        client_ref=uuid.uuid4(),
        device_ref="till-7",
        created_at=now - dt.timedelta(hours=2),
        completed_at=now - dt.timedelta(hours=2),
        synced_at=now,
        offline_total=Decimal("48.00"),
        total_mismatch=True,
        stock_short=True,
    )
    StockMovement.objects.filter(source_type="pos_invoice", source_id=sale.pk).update(stock_short=True)
    return sale


def look(page, name: str) -> str:
    """A full-page screenshot, the page's text; nothing wider than the window."""
    shots = SCREENSHOTS / "offline"
    shots.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, name
    return page.inner_text("body")


def assert_labels(page, text: str, labels: list[str], language: str) -> None:
    """Each label in the page's language (in Arabic, without the English one), and no label of the page (headers,
    filters, fieldsets, field labels) in the other language."""
    for label in labels:
        assert in_language(label, language).casefold() in text.casefold(), label
        if language == "ar":
            assert label.casefold() not in text.casefold(), label
    assert label_findings(page.evaluate(LABELS_JS), language) == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_owner_finds_the_days_offline_sales(page, live_server, shop, offline_sale, language):
    open_as = signed_in(page, live_server, shop.owner_email)
    page = open_as(language)
    direction = "rtl" if language == "ar" else "ltr"

    # Today: one offline sale, its total differing, sold short; each count links to its list.
    text = look(page, f"index_{language}")
    assert page.get_attribute("html", "dir") == direction
    assert_labels(page, text, INDEX_LABELS, language)
    assert page.locator(".today-offline a").count() == 3
    page.click(".today-offline-offline a")

    # The list of the day's offline sales: the one sale, marked, without a client.
    page.wait_for_url(
        re.compile(rf".*/admin/pos/posinvoice/\?offline=1&session__id__exact={shop.session_id}$")
    )
    text = look(page, f"list_{language}")
    assert page.get_attribute("html", "dir") == direction
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert offline_sale.public_id in row and "48.30" in row and "—" in row
    marks = page.locator("#result_list .pos-flag").all_inner_texts()
    assert marks == [in_language(label, language) for label in ("Offline", "Total differs", "Short of stock")]
    assert_labels(page, text, LIST_LABELS, language)

    # Its page: the till, its clock, its total beside the invoice's.
    page.click(f"#result_list a:has-text('{offline_sale.public_id}')")
    page.wait_for_url(re.compile(rf".*/admin/pos/posinvoice/{offline_sale.pk}/change/"))
    text = look(page, f"invoice_{language}")
    assert page.get_attribute("html", "dir") == direction
    assert "till-7" in text
    totals = page.locator(".offline-totals").inner_text()
    assert "48.00 SAR" in totals and "48.30 SAR" in totals and "+0.30 SAR" in totals
    assert_labels(page, text, PAGE_LABELS, language)

    # Its receipt prints without a client line.
    response = page.goto(f"{live_server.url}/admin/pos/posinvoice/{offline_sale.pk}/receipt/")
    assert response.status == 200
    text = look(page, f"receipt_{language}")
    assert offline_sale.public_id in text and "48.30" in text and "العميل" not in text

    # The stock ledger: the movement sold short, marked, and a filter for such movements.
    page.goto(f"{live_server.url}/admin/invoicing/stockmovement/?stock_short__exact=1")
    text = look(page, f"stock_movements_{language}")
    assert page.locator("#result_list tbody tr").count() == 1
    assert page.locator(".stock-short-flag").inner_text() == in_language("Short of stock", language)
    assert_labels(page, text, ["short of stock"], language)
    assert open_as.errors == []
