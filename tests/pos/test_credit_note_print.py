"""The printed credit note (PRODUCT.md section 8a): the receipt's style and language, positive amounts, 80 mm and A4."""

import zoneinfo
from decimal import Decimal

import pytest

from pos import return_selectors, services
from pos.credit_note_print import render_credit_note
from pos.receipts import LABELS
from tests.factories import ClientFactory
from tests.invoicing.factories import TaxFactory
from tests.pos.conftest import owner_access, stocked_product
from tests.pos.services_helpers import draft_with, open_day
from tests.pos.test_receipt import ReceiptRows

pytestmark = pytest.mark.django_db


@pytest.fixture
def credit_note(workspace, store, owner, vat):
    """3 × Arabic coffee at 10.00, 10% off, VAT 15% on top (31.05 paid in cash); 1 of them returned: 10.00 less
    1.00 of discount, 1.35 of VAT, 10.35 refunded in cash."""
    workspace.vat_number = "310122393500003"
    workspace.timezone = "Asia/Riyadh"
    workspace.save()
    access = owner_access(workspace, owner)
    open_day(workspace, access, store)
    coffee = stocked_product(
        workspace, store, price="10", taxes=[vat], name="Arabic coffee", name_ar="قهوة عربية"
    )
    sale = draft_with(
        workspace, access, store, ClientFactory(workspace=workspace, name="عميل نقدي"), (coffee, "3")
    )
    services.invoice_add_discount(
        invoice=sale, access=access, type="percent", value=Decimal("10"), reason="Opening week"
    )
    sale = services.invoice_complete(invoice=sale, access=access, payments=None)
    pos_return = services.return_create(
        invoice=sale,
        access=access,
        reason="Cold coffee",
        items=[services.ReturnLineInput(item_id=sale.items.get().pk, quantity=Decimal(1))],
    )
    return sale, pos_return


def printed(workspace, pos_return, language: str, paper: str = "80mm") -> str:
    workspace.receipt_language = language
    workspace.save()
    loaded = return_selectors.return_for_print(workspace=workspace, return_id=pos_return.pk)
    return render_credit_note(loaded, paper)


def test_the_figures_are_the_returns_own_and_positive(workspace, credit_note):
    sale, pos_return = credit_note
    assert (pos_return.subtotal, pos_return.discount_total, pos_return.tax_total, pos_return.total) == (
        Decimal("10.00"),
        Decimal("1.00"),
        Decimal("1.35"),
        Decimal("10.35"),
    )
    rows = ReceiptRows(printed(workspace, pos_return, "en")).rows
    local = pos_return.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Riyadh"))
    assert rows == [
        ("Credit note no.", pos_return.public_id),
        ("Date", local.strftime("%Y-%m-%d %H:%M")),
        ("Billing reference", sale.public_id),
        ("Client", "عميل نقدي"),
        ("Reason", "Cold coffee"),
        ("Item", "Qty", "Price", "Amount"),
        ("Arabic coffee", "1", "10.00", "10.00"),
        ("Subtotal", "10.00 SAR"),
        ("Discounts", "1.00"),
        ("Tax", "1.35"),
        ("Total", "10.35 SAR"),
        ("Cash refund", "10.35"),
    ]
    assert pos_return.public_id == "CN-001"


def test_english_reads_left_to_right_with_no_minus_sign(workspace, credit_note):
    _sale, pos_return = credit_note
    html = printed(workspace, pos_return, "en")
    assert '<html lang="en" dir="ltr"' in html
    assert "<strong>Credit note\n</strong>" in html
    assert "-1.00" not in html and "-10" not in html
    assert "إشعار دائن" not in html


def test_arabic_reads_right_to_left_with_arabic_names(workspace, credit_note):
    sale, pos_return = credit_note
    html = printed(workspace, pos_return, "ar")
    assert '<html lang="ar" dir="rtl"' in html
    rows = ReceiptRows(html).rows
    assert ("رقم الإشعار", "CN-001") in rows
    assert ("مرجع الفاتورة", sale.public_id) in rows
    assert ("السبب", "Cold coffee") in rows
    assert ("قهوة عربية", "1", "10.00", "10.00") in rows
    assert ("الإجمالي", "10.35 SAR") in rows
    assert ("استرداد نقداً", "10.35") in rows
    assert "<strong>إشعار دائن\n</strong>" in html
    for english in ("Credit note", "Billing reference", "Reason", "Total", "Cash refund"):
        assert english not in html


def test_both_languages_on_one_note(workspace, credit_note):
    _sale, pos_return = credit_note
    html = printed(workspace, pos_return, "ar-en")
    rows = ReceiptRows(html).rows
    assert ("رقم الإشعار", "CN-001", "Credit note no.") in rows
    assert ("الإجمالي", "10.35 SAR", "Total") in rows
    assert ("استرداد نقداً", "10.35", "Cash refund") in rows
    assert ("قهوة عربية Arabic coffee", "1", "10.00", "10.00") in rows
    assert '<span lang="ar" dir="rtl">إشعار دائن</span> <span lang="en" dir="ltr">Credit note</span>' in html


@pytest.mark.parametrize(
    ("paper", "page", "roll"), [("80mm", "@page { size: 80mm 297mm", True), ("a4", "@page { size: A4", False)]
)
def test_80mm_and_a4(workspace, credit_note, paper, page, roll):
    _sale, pos_return = credit_note
    html = printed(workspace, pos_return, "en", paper)
    assert page in html
    assert ('class="receipt credit-note" data-roll' in html) is roll
    assert f'class="paper-{paper}"' in html
    assert '<a href="?paper=a4"' in html and '<a href="?paper=80mm"' in html
    assert ("Total", "10.35 SAR") in ReceiptRows(html).rows


def test_an_unknown_paper_prints_80mm(workspace, credit_note):
    _sale, pos_return = credit_note
    assert "@page { size: 80mm 297mm" in printed(workspace, pos_return, "en", "a5")


def test_tax_included_in_the_prices_reads_so(workspace, store, owner):
    access = owner_access(workspace, owner)
    open_day(workspace, access, store)
    included = TaxFactory(workspace=workspace, name="VAT", rate=Decimal("15"), inclusive=True)
    tea = stocked_product(workspace, store, price="11.50", taxes=[included], name="Tea")
    sale = draft_with(workspace, access, store, ClientFactory(workspace=workspace), (tea, "2"))
    sale = services.invoice_complete(invoice=sale, access=access, payments=None)
    pos_return = services.return_create(invoice=sale, access=access, reason="Wrong order")
    rows = ReceiptRows(printed(workspace, pos_return, "en")).rows
    assert ("Tax (included)", "3.00") in rows
    assert ("Total", "23.00 SAR") in rows


def test_every_refund_method_has_its_label():
    from pos.models import PosPayment

    assert set(PosPayment.Method.values) <= set(LABELS)
