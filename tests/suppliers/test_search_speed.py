"""`q` compiled once per shape (`suppliers.api.json_rows`, the suppliers' ids and the patterns as parameters): the
same pages, byte for byte, as the Python path, for texts that LIKE treats specially, in a constant number of
queries."""

from urllib.parse import quote

import pytest

from suppliers.models import Supplier
from tests.suppliers.conftest import make_invoice
from tests.suppliers.test_json_rows import _same_pages

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def book(workspace, supplier):
    nour = Supplier.objects.create(workspace=workspace, name="Nour 100% _Trading_ \\ east")
    Supplier.objects.create(workspace=workspace, name="Nourish")
    make_invoice(workspace, supplier, "P-1", "10")
    make_invoice(workspace, supplier, "فاتورة-٧", "20")
    make_invoice(workspace, nour, "P_2", "30", due="2024-01-01")
    make_invoice(workspace, nour, "P%3", "40", paid="40")
    make_invoice(workspace, nour, "X\\4", "50")
    make_invoice(workspace, supplier, "Q-5", "60")
    return nour


@pytest.mark.parametrize(
    "text",
    [
        "p-",
        "P_",
        "p%",
        "%",
        "_",
        "\\",
        "x\\4",
        "nour",
        "NOUR 100%",
        "_trading_",
        "فاتورة-7",
        "٧",
        " q-5 ",
        "zzz",
    ],
)
def test_a_search_is_written_as_python_writes_it(text, accountant_client, base_url, book, monkeypatch):
    url = f"{base_url}/supplier-invoices?limit=2&q={quote(text)}"
    _same_pages(accountant_client, url, monkeypatch)


def test_a_search_with_filters_is_written_as_python_writes_it(accountant_client, base_url, book, monkeypatch):
    url = f"{base_url}/supplier-invoices?limit=1&q=p&status=pending&dueDateTo=2024-06-01"
    assert _same_pages(accountant_client, url, monkeypatch)


def test_the_same_shape_answers_each_text(accountant_client, base_url, book):
    """One compiled statement per count of matching suppliers: its parameters change, not the rows of another."""
    numbers = {}
    for text in ["p-1", "q-5", "nour", "nourish"]:
        response = accountant_client.get(f"{base_url}/supplier-invoices", {"q": text})
        numbers[text] = sorted(row["invoiceNumber"] for row in response.json()["invoices"])
    assert numbers == {
        "p-1": ["P-1"],
        "q-5": ["Q-5"],
        "nour": ["P%3", "P_2", "X\\4"],
        "nourish": [],
    }


def test_a_search_is_two_queries_after_auth(accountant_client, base_url, book, django_assert_num_queries):
    # auth (1), the suppliers whose name matches, the page
    for text in ["nour", "p-", "zzz"]:
        with django_assert_num_queries(3):
            accountant_client.get(f"{base_url}/supplier-invoices", {"q": text})
