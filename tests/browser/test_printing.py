"""Printing in Chromium: the PDF that "Save as PDF" makes of the 80 mm receipt and report and of the A4 report
(its pages' /MediaBox, read from the file), the bilingual receipt's columns where they land on the page, and the
"Today" page on a 390 px phone. Screenshots go to var/screenshots/ for a person to look at."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.browser.conftest import SCREENSHOTS, needs_chromium, signed_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]

POINTS_PER_MM = 72 / 25.4
PX_PER_MM = 96 / 25.4
ROLL_WIDTH = 80 * POINTS_PER_MM  # 226.77 pt
A4 = (210 * POINTS_PER_MM, 297 * POINTS_PER_MM)  # 595.28 × 841.89 pt
MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]")
PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture
def owner_page(page, live_server, shop):
    """The owner signed in through the login form, in the language the test gives; `.errors`: the console's."""
    return signed_in(page, live_server, shop.owner_email)


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, from its /MediaBox (Chromium writes one per page object, uncompressed)."""
    assert pdf.startswith(b"%PDF-")
    boxes = [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in MEDIA_BOX.findall(pdf)]
    assert len(boxes) == len(PAGE.findall(pdf)), "a /MediaBox per page"
    return boxes


def save_as_pdf(page, path: str) -> list[tuple[float, float]]:
    """What Chromium's "Save as PDF" makes of the page: the paper size the page's CSS asks for."""
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (SCREENSHOTS / path).write_bytes(pdf)
    return pdf_pages(pdf)


def set_workspace(shop, **fields) -> None:
    from pos.models import BusinessSession
    from workspaces.models import Workspace

    workspace_id = BusinessSession.objects.get(pk=shop.session_id).workspace_id
    Workspace.objects.filter(pk=workspace_id).update(**fields)


@pytest.fixture
def long_line(shop) -> int:
    """A sale of 12.5 × a product whose names are long (one unbroken English word among them), so that the
    name must wrap inside 80 mm beside its quantity: the invoice's id."""
    from invoicing.services import stock_adjust
    from pos import services
    from pos.models import BusinessSession
    from tests.factories import ClientFactory
    from tests.invoicing.factories import ProductFactory
    from workspaces.models import Membership
    from workspaces.tenancy import Access

    session = BusinessSession.objects.select_related("workspace", "store").get(pk=shop.session_id)
    workspace, store = session.workspace, session.store
    membership = Membership.objects.select_related("user").get(
        workspace=workspace, role=Membership.Role.OWNER
    )
    access = Access(workspace=workspace, user=membership.user, membership=membership, api_key=None)
    product = ProductFactory(
        workspace=workspace,
        name="Cardamom-saffron-rosewater Arabic coffee, large pot",
        name_ar="قهوة عربية بالهيل والزعفران وماء الورد، دلة كبيرة",
        price=Decimal("18.40"),
    )
    stock_adjust(
        workspace=workspace, store=store, product=product, quantity=Decimal(50), reason="count", access=access
    )
    invoice = services.invoice_create(
        workspace=workspace, access=access, client=ClientFactory(workspace=workspace), store=store
    )
    services.invoice_add_item(
        invoice=invoice, access=access, product=product, quantity=Decimal("12.5"), unit_price=None, note=""
    )
    services.invoice_complete(invoice=invoice, access=access, payments=None)
    return invoice.pk


@pytest.mark.parametrize("language", ["ar", "en", "ar-en"])
def test_the_receipt_prints_on_one_80_mm_page(owner_page, live_server, shop, language):
    set_workspace(shop, receipt_language=language, vat_number="310122393500003")
    page = owner_page("en")
    page.goto(f"{live_server.url}/admin/pos/posinvoice/{shop.invoice_id}/receipt/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / f"receipt-80mm-{language}.png"), full_page=True)

    pages = save_as_pdf(page, f"receipt-80mm-{language}.pdf")

    # One page, 80 mm wide, as long as the receipt (not the 297 mm of the page's fallback size, nor US Letter).
    assert len(pages) == 1, pages
    width, height = pages[0]
    assert width == pytest.approx(ROLL_WIDTH, abs=0.5)
    receipt = page.locator(".receipt").bounding_box()
    printed = receipt["height"] / PX_PER_MM * POINTS_PER_MM
    assert printed < height < printed + 20 * POINTS_PER_MM < 280 * POINTS_PER_MM
    assert owner_page.errors == []


def test_the_reports_print_on_a4_and_on_80_mm(owner_page, live_server, shop):
    page = owner_page("ar")
    report = f"{live_server.url}/admin/pos/businesssession/{shop.session_id}/report/"

    page.goto(report)
    a4 = save_as_pdf(page, "x-report-a4-ar.pdf")
    page.goto(f"{report}?paper=80mm")
    page.wait_for_load_state("networkidle")
    roll = save_as_pdf(page, "x-report-80mm-ar.pdf")

    assert len(a4) == 1 and a4[0] == pytest.approx(A4, abs=0.5)
    assert len(roll) == 1 and roll[0][0] == pytest.approx(ROLL_WIDTH, abs=0.5)
    assert owner_page.errors == []


@pytest.mark.parametrize(
    ("paper", "content_mm"),
    [("a4", 210 - 2 * 15), ("80mm", 80 - 2 * 3)],  # the page less its margins
)
def test_a_printed_report_takes_the_width_of_its_paper(owner_page, live_server, shop, paper, content_mm):
    # Printing lays the page out as wide as the paper's printable width: the same viewport, in print media.
    page = owner_page("ar")
    width = round(content_mm * PX_PER_MM)
    page.set_viewport_size({"width": width, "height": 1100})
    page.emulate_media(media="print")
    page.goto(f"{live_server.url}/admin/pos/businesssession/{shop.session_id}/report/?paper={paper}")
    page.screenshot(path=str(SCREENSHOTS / f"x-report-print-{paper}-ar.png"), full_page=True)

    box = page.locator("article.report").bounding_box()
    # The whole width (not the admin's floated column: half an A4 page), and nothing cut off on the side.
    assert box["width"] == pytest.approx(width, abs=2) and box["x"] == pytest.approx(0, abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    text = page.inner_text("article.report")
    assert "172.45" in text and "27.55" in text  # the expected cash, the change given: 100 + 100 − 27.55
    assert not page.locator("#header").is_visible() and not page.locator(".report-actions").is_visible()


TEXT_BOX = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const box = range.getBoundingClientRect();
  return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
}"""
FIRST_AND_LAST_LETTER = """(element) => {
  const text = element.firstChild, range = document.createRange();
  const at = (i) => { range.setStart(text, i); range.setEnd(text, i + 1); return range.getBoundingClientRect().left; };
  return [at(0), at(text.length - 1)];
}"""


def text_box(locator) -> dict[str, float]:
    return locator.evaluate(TEXT_BOX)


def apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """The two texts' boxes do not overlap."""
    return (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


def test_the_bilingual_receipt_prints_two_columns_and_lines_that_do_not_collide(
    owner_page, live_server, shop, long_line
):
    set_workspace(shop, receipt_language="ar-en")
    page = owner_page("en")
    page.goto(f"{live_server.url}/admin/pos/posinvoice/{long_line}/receipt/")
    page.screenshot(path=str(SCREENSHOTS / "receipt-ar-en-long-line.png"), full_page=True)

    # Each labelled row: the Arabic label on the right, the English one on the left, on the same line, the
    # value between them, none touching another.
    rows = page.locator("table.pairs tr")
    assert rows.count() >= 6
    for index in range(rows.count()):
        row = rows.nth(index)
        arabic, value, english = row.locator("th.ar"), row.locator("td"), row.locator("th.en")
        if not arabic.inner_text() or not english.inner_text():
            continue  # a tax's own name prints once
        ar, val, en = text_box(arabic), text_box(value), text_box(english)
        assert ar["top"] == pytest.approx(en["top"], abs=2), row.inner_text()
        assert en["right"] < val["left"] and val["right"] < ar["left"], row.inner_text()
    # "Invoice no." reads left to right: its full stop after the "I" (not "POS-005.Invoice no").
    first, last = page.locator("table.pairs th.en").first.evaluate(FIRST_AND_LAST_LETTER)
    assert page.locator("table.pairs th.en").first.inner_text() == "Invoice no." and first < last

    # The line: the wrapped name and its quantity, price and amount each in a box of its own, inside 74 mm.
    line = page.locator("table.items tbody tr").first
    cells = [line.locator("td.name")] + [line.locator("td.num").nth(i) for i in range(3)]
    boxes = [text_box(cell) for cell in cells]
    assert [cell.inner_text() for cell in cells[1:]] == ["12.5", "18.40", "230.00"]
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert apart(boxes[a], boxes[b]), (cells[a].inner_text(), cells[b].inner_text())
    receipt = page.locator(".receipt").bounding_box()
    assert all(
        receipt["x"] <= box["left"] and box["right"] <= receipt["x"] + receipt["width"] for box in boxes
    )
    assert boxes[0]["left"] > boxes[1]["right"]  # right to left: the name first, on the right
    assert owner_page.errors == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_today_page_fits_a_390_px_phone(owner_page, live_server, shop, language):
    page = owner_page(language)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/")
    page.screenshot(path=str(SCREENSHOTS / f"index-390-{language}.png"), full_page=True)

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "72.45" in page.inner_text(".today-pos")  # the day is there, not hidden to make it fit
    assert owner_page.errors == []


def test_the_today_page_keeps_the_morning_of_a_date_opened_again(owner_page, live_server, shop):
    from pos import services
    from pos.models import BusinessSession
    from workspaces.models import Membership
    from workspaces.tenancy import Access

    # The morning (72.45, one draft cancelled) closed at noon, the afternoon opened on the same date, no sale yet.
    morning = BusinessSession.objects.select_related("workspace", "store").get(pk=shop.session_id)
    membership = Membership.objects.select_related("user").get(workspace=morning.workspace, role="owner")
    access = Access(workspace=morning.workspace, user=membership.user, membership=membership, api_key=None)
    services.session_close(session=morning, access=access, closing_cash=Decimal("172.45"), cancel_drafts=True)
    services.session_open(
        workspace=morning.workspace,
        access=access,
        store=morning.store,
        opening_cash=Decimal(0),
        business_date=None,
    )
    page = owner_page("ar")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/admin/")
    page.screenshot(path=str(SCREENSHOTS / "index-390-reopened-ar.png"), full_page=True)

    figures = page.locator(".today-figures dd").all_inner_texts()
    assert [" ".join(figure.split()) for figure in figures] == ["72.45 SAR", "1", "72.45 SAR"]
    assert page.locator(f'a[href="/admin/pos/businesssession/{shop.session_id}/report/"]').is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert owner_page.errors == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_day_pages_fit_a_390_px_phone(owner_page, live_server, shop, language):
    page = owner_page(language)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, url in [
        ("x-report", f"/admin/pos/businesssession/{shop.session_id}/report/"),
        ("z-report-80mm", f"/admin/pos/businesssession/{shop.closed_session_id}/report/?paper=80mm"),
        ("close-day", f"/admin/pos/businesssession/{shop.session_id}/close-day/"),
    ]:
        page.goto(live_server.url + url)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-390-{language}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    assert owner_page.errors == []
