"""Lists across suppliers and per supplier: every filter of section 6, pages, and a constant query count."""

import datetime as dt

import pytest

from suppliers.models import Supplier
from tests.suppliers.conftest import make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(workspace, supplier, frozen_today):
    frozen_today(dt.date(2024, 3, 1))
    other = Supplier.objects.create(workspace=workspace, name="Arabian Coffee")
    return {
        "a": make_invoice(workspace, supplier, "A-1", "100", issue="2024-01-05", due="2024-01-20"),  # overdue
        "b": make_invoice(workspace, supplier, "A-2", "100", issue="2024-02-10", due="2024-03-10", paid="40"),
        "c": make_invoice(workspace, other, "C-1", "50", issue="2024-02-20", due="2024-02-25", paid="50"),
        "d": make_invoice(workspace, other, "C-2", "70", issue="2024-02-28"),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["invoices"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["d", "c", "b", "a"]),
        ("status=pending", ["d", "a"]),
        ("status=partially_paid", ["b"]),
        ("status=paid", ["c"]),
        ("overdue=true", ["a"]),
        ("overdue=false", ["d", "c", "b"]),
        ("issueDateFrom=2024-02-10&issueDateTo=2024-02-20", ["c", "b"]),
        ("dueDateFrom=2024-02-25&dueDateTo=2024-03-10", ["c", "b"]),
        ("q=c-", ["d", "c"]),
        ("q=coffee", ["d", "c"]),
        ("q=A-١", ["a"]),
    ],
)
def test_filters(query, expected, accountant_client, base_url, book):
    response = accountant_client.get(f"{base_url}/supplier-invoices?{query}")
    assert ids(response) == [str(book[key].pk) for key in expected]


def test_supplier_filter_and_per_supplier_list(accountant_client, base_url, book, supplier):
    across = accountant_client.get(f"{base_url}/supplier-invoices?supplierId={supplier.pk}")
    per = accountant_client.get(f"{base_url}/suppliers/{supplier.pk}/invoices")
    assert ids(across) == ids(per) == [str(book["b"].pk), str(book["a"].pk)]
    assert per.json()["invoices"][1]["isOverdue"] is True


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=late", "status"),
        ("overdue=yes", "overdue"),
        ("issueDateFrom=2024-13-01", "issueDateFrom"),
        ("dueDateTo=0001-01-01", "dueDateTo"),
        ("supplierId=abc", "supplierId"),
        ("limit=0", "limit"),
        ("cursor=%%%", "cursor"),
    ],
)
def test_bad_filters_are_400(query, field, accountant_client, base_url):
    response = accountant_client.get(f"{base_url}/supplier-invoices?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_pages(accountant_client, base_url, book):
    first = accountant_client.get(f"{base_url}/supplier-invoices?limit=3").json()
    assert len(first["invoices"]) == 3 and first["nextCursor"]
    second = accountant_client.get(
        f"{base_url}/supplier-invoices?limit=3&cursor={first['nextCursor']}"
    ).json()
    assert [row["id"] for row in second["invoices"]] == [str(book["a"].pk)]
    assert second["nextCursor"] is None


def test_another_workspace_never_appears(accountant_client, base_url, book, other_workspace):
    foreign = Supplier.objects.create(workspace=other_workspace, name="Arabian Coffee foreign")
    make_invoice(other_workspace, foreign, "F-1")
    response = accountant_client.get(f"{base_url}/supplier-invoices?q=coffee")
    assert ids(response) == [str(book["d"].pk), str(book["c"].pk)]
    assert (
        accountant_client.get(f"{base_url}/supplier-invoices?supplierId={foreign.pk}").json()["invoices"]
        == []
    )


@pytest.mark.parametrize("rows", [1, 15])
def test_list_query_count_is_constant(
    rows, accountant_client, base_url, workspace, supplier, django_assert_num_queries
):
    for n in range(rows):
        make_invoice(workspace, supplier, f"Q-{n}")
    # auth: the user with their membership and workspace; the page.
    with django_assert_num_queries(2):
        response = accountant_client.get(f"{base_url}/supplier-invoices")
    assert len(response.json()["invoices"]) == rows
    # auth 1 (the user with their membership), the supplier, the page.
    with django_assert_num_queries(3):
        response = accountant_client.get(f"{base_url}/suppliers/{supplier.pk}/invoices")
    assert len(response.json()["invoices"]) == rows


@pytest.mark.parametrize("rows", [1, 15])
def test_supplier_list_query_count_is_constant(
    rows, accountant_client, base_url, workspace, django_assert_num_queries
):
    Supplier.objects.bulk_create(Supplier(workspace=workspace, name=f"S{n}") for n in range(rows))
    with django_assert_num_queries(2):
        response = accountant_client.get(f"{base_url}/suppliers")
    assert len(response.json()["suppliers"]) == rows
