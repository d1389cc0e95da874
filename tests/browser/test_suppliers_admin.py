"""The accountant's supplier pages in Chromium, at 1400 px, in Arabic and in English: the supplier invoice page
with a payment and a scan (it fits the window; in right to left the payment's delete box is on screen), the lists,
a recorded payment, the aging report. A screenshot of each goes to var/screenshots/suppliers-*.png.

Labels are data, as in `test_backoffice.py`: in English each must show; in Arabic its translation must show and
the English label must not."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import translation
from PIL import Image, ImageDraw

from tests.browser.conftest import SCREENSHOTS, needs_chromium, signed_in

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The accountant's laptop is in Riyadh, as the workspace (else Django's date pickers note the difference)."""
    return {**browser_context_args, "timezone_id": "Asia/Riyadh"}


@dataclass
class Books:
    owner_email: str
    invoice_id: int
    payment_id: int
    supplier_id: int


def scan_png() -> bytes:
    """A page of a supplier's invoice, as a phone photographs it."""
    page = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle((40, 40, 560, 120), outline="black", width=3)
    for top in range(180, 700, 40):
        draw.line((40, top, 560, top), fill="gray", width=2)
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def books(transactional_db, settings, tmp_path) -> Books:
    """A café in Riyadh (SAR) with two suppliers: INV-002 of 5,000.00 from the first, 2,000.00 paid by transfer,
    due 30 days ago, its scan uploaded; INV-003 of 1,250.50 from the second, due in ten days."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from suppliers import services
    from suppliers.services.images import file_path
    from tests.factories import MembershipFactory, StoreFactory, UserFactory, WorkspaceFactory
    from workspaces.dates import workspace_today
    from workspaces.models import Membership
    from workspaces.tenancy import Access

    settings.MEDIA_ROOT = tmp_path / "media"
    workspace = WorkspaceFactory(name="مقهى الياسمين", currency="SAR", timezone="Asia/Riyadh")
    StoreFactory(workspace=workspace, name="الفرع الرئيسي")
    owner = UserFactory(name="Sara", email="sara@example.com")
    membership = MembershipFactory(
        workspace=workspace, user=owner, role=Membership.Role.OWNER, admin_access=True
    )
    access = Access(workspace=workspace, user=owner, membership=membership, api_key=None)
    today = workspace_today(workspace)
    supplier = services.supplier_create(
        workspace=workspace, access=access, data={"name": "مؤسسة التوريدات الحديثة", "phone": "+966500000001"}
    )
    other = services.supplier_create(workspace=workspace, access=access, data={"name": "مخبز الصباح"})
    upload = SimpleUploadedFile("scan.png", scan_png(), "image/png")
    stored = services.invoice_image_store(
        workspace=workspace, access=access, supplier=supplier, upload=upload, size=upload.size
    )
    invoice = services.supplier_invoice_create(
        workspace=workspace,
        access=access,
        supplier=supplier,
        invoice_number="INV-002",
        total_amount=Decimal("5000"),
        issue_date=today - dt.timedelta(days=60),
        due_date=today - dt.timedelta(days=30),
        description="توريد حبوب القهوة والسكر لشهر كامل",
        image_url=f"https://shop.example{file_path(stored)}",
    )
    payment, _invoice = services.supplier_payment_add(
        workspace=workspace,
        access=access,
        invoice=invoice,
        amount=Decimal("2000"),
        method="transfer",
        reference="TRX-5531",
        notes="دفعة أولى عن طريق التحويل البنكي، والباقي عند استلام الشحنة الثانية",
    )
    services.supplier_invoice_create(
        workspace=workspace,
        access=access,
        supplier=other,
        invoice_number="INV-003",
        total_amount=Decimal("1250.5"),
        issue_date=today,
        due_date=today + dt.timedelta(days=10),
    )
    return Books(owner.email, invoice.pk, payment.pk, supplier.pk)


@pytest.fixture
def owner_page(page, live_server, books):
    """The owner signed in through the login form, in the language the test gives; `.errors`: the console's."""
    return signed_in(page, live_server, books.owner_email)


PAGES = {
    "invoice": "/admin/suppliers/supplierinvoice/{books.invoice_id}/change/",
    "invoice-add": "/admin/suppliers/supplierinvoice/add/",
    "invoices": "/admin/suppliers/supplierinvoice/",
    "suppliers": "/admin/suppliers/supplier/",
    "supplier": "/admin/suppliers/supplier/{books.supplier_id}/change/",
    "payments": "/admin/suppliers/supplierpayment/",
    "payment": "/admin/suppliers/supplierpayment/{books.payment_id}/change/",
    "payment-add": "/admin/suppliers/supplierpayment/add/",
    "aging": "/admin/suppliers/supplierinvoice/aging/",
}

# The product's own labels on each page (extend freely).
LABELS = {
    "invoice": [
        "supplier",
        "invoice number",
        "total",
        "paid",
        "remaining",
        "status",
        "Partially paid",
        "scanned invoice",
        "scan",
        "created by",
        "payments",
        "amount",
        "paid at",
        "method",
        "Transfer",
        "reference",
        "add a payment",
    ],
    "invoice-add": [
        "supplier",
        "invoice number",
        "issue date",
        "due date",
        "scanned invoice",
        "add a payment",
    ],
    "invoices": [
        "supplier",
        "total",
        "paid",
        "remaining",
        "Partially paid",
        "Pending",
        "Aging report",
        "balance",
    ],
    "suppliers": ["name", "phone", "tax number", "Aging report"],
    "supplier": ["name", "phone", "The invoices of this supplier"],
    "payments": ["supplier invoice", "supplier", "amount", "method", "Transfer", "created by"],
    "payment": ["supplier invoice", "supplier", "amount", "paid at", "Transfer", "created by"],
    "payment-add": ["supplier invoice", "amount", "paid at", "method"],
    "aging": ["Aging of supplier invoices", "As of", "Not due", "1–30 days", "Over 90 days", "Totals"],
}

# Amounts as printed: `.` and the currency's two digits, `,` grouping.
AMOUNTS = {
    "invoice": ["2,000.00", "3,000.00", "5000.00"],
    "invoices": ["5,000.00", "2,000.00", "3,000.00", "1,250.50"],
    "payments": ["2,000.00"],
    "payment": ["2,000.00"],
    "aging": ["3,000.00", "1,250.50", "4,250.50"],
}
NEVER = [
    r"5000\.000",
    r"2000\.000",
    r"2,000,00",
    r"\bpartially_paid\b",
    r"\btransfer\b",
    r"sara@example\.com",
]


def has(text: str, label: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text, flags=re.IGNORECASE) is not None


def in_arabic(label: str) -> str:
    with translation.override("ar"):
        return translation.gettext(label)


def page_text(page) -> str:
    """What the page shows, input values included (an amount typed in a field is shown too)."""
    values = page.eval_on_selector_all(
        "input:not([type=hidden]):not([type=checkbox]), textarea", "els => els.map(e => e.value)"
    )
    return page.inner_text("body") + "\n" + "\n".join(values)


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_supplier_pages_in_both_languages(owner_page, live_server, books, name, language):
    page = owner_page(language)
    response = page.goto(live_server.url + PAGES[name].format(books=books))
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"suppliers-{name}-{language}.png"), full_page=True)
    text = page_text(page)

    assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    for amount in AMOUNTS.get(name, []):
        assert amount in text, amount
    for pattern in NEVER:
        assert not re.search(pattern, text), pattern
    for label in LABELS[name]:
        arabic = in_arabic(label)
        if language == "en":
            assert has(text, label), label
        else:
            assert arabic != label, f"{label!r} has no Arabic translation"
            assert has(text, arabic) and not has(text, label), label
    assert owner_page.errors == []


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_invoice_page_fits_with_its_payment_and_scan(owner_page, live_server, books, language):
    page = owner_page(language)
    page.goto(f"{live_server.url}/admin/suppliers/supplierinvoice/{books.invoice_id}/change/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / f"suppliers-invoice-fit-{language}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400

    # The recorded payment's delete box is on screen, without scrolling sideways.
    delete = page.locator("input[name='payments-0-DELETE']")
    box = delete.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1400
    # So are the new payment's inputs.
    for selector in ("#id_new_payments-0-amount", "#id_new_payments-0-notes"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1400, selector

    # The scan's thumbnail is loaded (the admin's session opens the file) and opens the image.
    thumbnail = page.locator(".scan-thumbnail img")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") > 0
    href = page.locator(".scan-thumbnail").get_attribute("href")
    image = page.request.get(live_server.url + href)
    assert image.status == 200 and image.headers["content-type"] == "image/webp"
    assert owner_page.errors == []


def test_an_overpayment_on_the_invoice_page_keeps_the_typed_row(owner_page, live_server, books):
    page = owner_page("en")
    page.goto(f"{live_server.url}/admin/suppliers/supplierinvoice/{books.invoice_id}/change/")
    page.fill("#id_new_payments-0-amount", "3000.01")
    page.select_option("#id_new_payments-0-method", "cheque")
    page.fill("#id_new_payments-0-reference", "CHQ-77")
    page.click("input[name=_save]")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "suppliers-invoice-overpayment-en.png"), full_page=True)
    row = page.locator("#new_payments-0")
    assert "The payment is more than the 3000.00 that remains to be paid." in row.inner_text()
    assert page.input_value("#id_new_payments-0-amount") == "3000.01"
    assert page.input_value("#id_new_payments-0-method") == "cheque"
    assert page.input_value("#id_new_payments-0-reference") == "CHQ-77"
    assert owner_page.errors == []


def test_a_scan_uploaded_on_the_page_shows_as_its_thumbnail(owner_page, live_server, books):
    from workspaces.dates import workspace_today
    from workspaces.models import Workspace

    page = owner_page("ar")
    page.goto(f"{live_server.url}/admin/suppliers/supplierinvoice/add/")
    page.select_option("#id_supplier", label="مخبز الصباح")
    page.fill("#id_invoice_number", "INV-010")
    page.fill("#id_total_amount", "75.5")
    page.fill("#id_issue_date", workspace_today(Workspace.objects.get()).isoformat())
    page.set_input_files(
        "#id_scan", files=[{"name": "scan.png", "mimeType": "image/png", "buffer": scan_png()}]
    )
    page.click("input[name=_continue]")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / "suppliers-invoice-uploaded-ar.png"), full_page=True)

    thumbnail = page.locator(".scan-thumbnail img")
    assert thumbnail.evaluate("img => img.complete && img.naturalWidth") == 600
    image = page.request.get(live_server.url + page.locator(".scan-thumbnail").get_attribute("href"))
    assert image.status == 200 and image.headers["content-type"] == "image/webp"
    assert re.fullmatch(
        r"https?://[^/]+/v1/workspace/\d+/files/[\w-]+\.webp", page.input_value("#id_image_url")
    )
    assert owner_page.errors == []
