"""The indexes behind the supplier invoice lists at a million rows (issue 18; the plans in docs/PERFORMANCE.md):
each filter has its index, the open invoices theirs (aging, overdue), `q` its trigram indexes on PostgreSQL, and
`q` costs one query more, whatever the number of rows."""

import pytest
from django.db import connection

from suppliers.models import Supplier, SupplierInvoice
from tests.suppliers.conftest import make_invoice

pytestmark = pytest.mark.django_db


def _indexes() -> dict[str, tuple]:
    return {index.name: (list(index.fields), index.condition) for index in SupplierInvoice._meta.indexes}


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("supplier_invoice_list_idx", ["workspace", "-id"]),
        ("supplier_invoice_supplier_idx", ["workspace", "supplier", "-id"]),
        ("supplier_invoice_status_idx", ["workspace", "status", "-id"]),
        # A range's ids, read index-only, bound the walk of the primary key (selectors._walk_within).
        ("supplier_invoice_issue_idx", ["workspace", "issue_date", "id"]),
        ("supplier_invoice_due_idx", ["workspace", "due_date", "id"]),
    ],
)
def test_each_filter_has_its_index(name, fields):
    assert _indexes()[name][0] == fields


def test_the_open_invoices_have_a_partial_index_covering_aging():
    """Aging reads (supplier, due date, remaining, issue date) of the open invoices, and `overdue` the ids of the
    overdue ones: index-only scans."""
    fields, condition = _indexes()["supplier_invoice_open_idx"]
    assert fields == ["workspace", "due_date", "supplier", "remaining_amount", "issue_date", "id"]
    assert condition.children == [("remaining_amount__gt", 0)]


def test_the_indexes_exist_in_the_database():
    with connection.cursor() as cursor:
        names = {
            name
            for table in ("suppliers_supplierinvoice", "suppliers_supplier")
            for name in connection.introspection.get_constraints(cursor, table)
        }
    assert {"supplier_invoice_open_idx", "supplier_invoice_issue_idx", "supplier_invoice_due_idx"} <= names
    trigram = {"supplier_invoice_number_trgm", "supplier_invoice_desc_trgm", "supplier_name_trgm"}
    if connection.vendor == "postgresql":
        assert trigram <= names
    else:
        assert not trigram & names  # SQLite: nothing PostgreSQL-only


@pytest.mark.postgres
def test_the_trigram_indexes_are_on_the_expressions_the_selector_compares():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        definitions = dict(cursor.fetchall())
    assert "gin (invoice_number_normalised gin_trgm_ops)" in definitions["supplier_invoice_number_trgm"]
    assert "gin (upper(description) gin_trgm_ops)" in definitions["supplier_invoice_desc_trgm"]
    assert "gin (upper((name)::text) gin_trgm_ops)" in definitions["supplier_name_trgm"]


@pytest.mark.parametrize("rows", [1, 15])
def test_q_costs_one_query_more_whatever_the_rows(
    rows, accountant_client, base_url, workspace, supplier, django_assert_num_queries
):
    other = Supplier.objects.create(workspace=workspace, name="Nour Trading")
    for n in range(rows):
        make_invoice(workspace, supplier, f"Q-{n}")
        make_invoice(workspace, other, f"N-{n}")
    # auth: the user with their membership and workspace; the suppliers whose name matches; the page.
    with django_assert_num_queries(3):
        response = accountant_client.get(f"{base_url}/supplier-invoices", {"q": "nour"})
    assert len(response.json()["invoices"]) == rows
    with django_assert_num_queries(3):
        response = accountant_client.get(f"{base_url}/supplier-invoices", {"q": "q-1"})
    assert {row["invoiceNumber"] for row in response.json()["invoices"]} == {
        f"Q-{n}" for n in range(rows) if f"q-{n}".startswith("q-1")
    }


def test_a_range_pages_the_same_rows_whatever_the_ids_order(
    accountant_client, base_url, workspace, supplier, frozen_today
):
    """The walk is bounded by the range's least and greatest ids (selectors._walk_within): with dates in no order
    of the ids, and rows of no range between, every page holds exactly the range's rows, newest id first."""
    import datetime as dt

    frozen_today(dt.date(2024, 6, 1))
    other = Supplier.objects.create(workspace=workspace, name="Other")
    days = [5, 20, 3, 12, 28, 1, 15, 9, 22, 14, 7, 30]
    rows = []
    for n, day in enumerate(days):
        paid = "100" if n % 3 == 0 else "0"
        due = f"2024-05-{day:02d}"
        rows.append(
            make_invoice(workspace, supplier, f"R-{n}", issue=f"2024-04-{day:02d}", due=due, paid=paid)
        )
        make_invoice(workspace, other, f"X-{n}", issue="2024-07-01")  # in no range
    cases = {
        "issueDateFrom=2024-04-05&issueDateTo=2024-04-20": lambda r: 5 <= r.issue_date.day <= 20,
        "issueDateTo=2024-04-09": lambda r: r.issue_date.day <= 9,
        "dueDateFrom=2024-05-12&dueDateTo=2024-05-12": lambda r: r.due_date.day == 12,
        "overdue=true": lambda r: r.remaining_amount > 0,
        "issueDateFrom=2024-04-16&issueDateTo=2024-04-19": lambda r: False,
    }
    for query, wanted in cases.items():
        expected = [str(r.pk) for r in sorted(rows, key=lambda r: -r.pk) if wanted(r)]
        found, cursor = [], None
        while True:
            url = f"{base_url}/supplier-invoices?{query}&limit=2" + (f"&cursor={cursor}" if cursor else "")
            page = accountant_client.get(url).json()
            found += [row["id"] for row in page["invoices"]]
            cursor = page["nextCursor"]
            if not cursor:
                break
        assert found == expected, query
