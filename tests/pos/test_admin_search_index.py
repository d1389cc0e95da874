"""The admin's POS invoice search at a million rows (issue 18; the plans in docs/PERFORMANCE.md): a whole number as
a cashier reads it from a receipt (`POS-100`, any case, Eastern digits) is that invoice alone, along the
`(workspace, number)` key; a part of a number is every invoice whose number holds it, along a trigram index on
PostgreSQL (`pos_invoice_public_id_trgm`, on the very expression the search compares)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pos.models import BusinessSession, PosInvoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def invoices(workspace, owner, store) -> dict[int, PosInvoice]:
    """POS-100, POS-1000 and POS-2100: each holds the digits of the first."""
    session = BusinessSession.objects.create(
        workspace=workspace, store=store, business_date="2025-03-01", status=BusinessSession.Status.CLOSED
    )
    return {
        number: PosInvoice.objects.create(
            workspace=workspace,
            store=store,
            session=session,
            business_date=session.business_date,
            number=number,
            public_id=f"POS-{number:03}",
            currency="SAR",
            status=PosInvoice.Status.COMPLETED,
            total=Decimal("10"),
            created_by=owner,
            created_by_type="owner",
        )
        for number in (100, 1000, 2100)
    }


def _found(admin_client, invoices, q: str) -> set[int]:
    page = admin_client.get("/admin/pos/posinvoice/", {"q": q}).content.decode()
    return {n for n, invoice in invoices.items() if f"/admin/pos/posinvoice/{invoice.pk}/change/" in page}


@pytest.mark.parametrize(
    ("q", "numbers"),
    [
        ("POS-100", {100}),  # a whole number: that invoice, not POS-1000
        ("pos-100", {100}),
        ("POS-١٠٠", {100}),  # Eastern digits, as printed on an Arabic receipt
        ("POS-1000", {1000}),
        ("POS-7", set()),
        ("100", {100, 1000, 2100}),  # a part of a number: every invoice whose number holds it
        ("s-10", {100, 1000}),
        ("١٠٠٠", {1000}),  # a part in Eastern digits
        ("%_\\", set()),  # characters no number holds
        ("1" * 40, set()),  # longer than any number
    ],
)
def test_a_whole_number_is_that_invoice_and_a_part_every_invoice_holding_it(
    admin_client, invoices, q, numbers
):
    assert _found(admin_client, invoices, q) == numbers


def test_a_whole_number_is_read_by_its_key(admin_client, invoices):
    with CaptureQueriesContext(connection) as captured:
        admin_client.get("/admin/pos/posinvoice/", {"q": "POS-100"})
    sql = " ".join(q["sql"].upper() for q in captured if 'FROM "POS_POSINVOICE"' in q["sql"].upper())
    assert '"POS_POSINVOICE"."NUMBER" = 100' in sql and "LIKE" not in sql


@pytest.mark.parametrize("q", ["%_\\", "x" * 3000, "POS_1"])
def test_a_word_no_number_can_hold_reads_no_invoice(admin_client, invoices, q):
    """No LIKE at all: a pattern without a letter or a digit has no trigram, and PostgreSQL's index would hand every
    invoice to the recheck (1.2 s at a million); a 3,000-letter word took 24 s."""
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/pos/posinvoice/", {"q": q})
    assert response.status_code == 200
    assert not any('FROM "pos_posinvoice"' in c["sql"] and "LIKE" in c["sql"] for c in captured)
    assert _found(admin_client, invoices, q) == set()


def test_the_index_exists_on_postgresql_only():
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, "pos_posinvoice"))
    assert ("pos_invoice_public_id_trgm" in names) == (connection.vendor == "postgresql")


def _copies(invoice: PosInvoice, numbers: range) -> None:
    """Copies of `invoice` numbered `numbers`, in one statement, then the indexes and statistics as autovacuum leaves
    them: a list of thousands (PostgreSQL)."""
    columns = [
        f.column for f in PosInvoice._meta.concrete_fields if f.column not in ("id", "number", "public_id")
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO pos_posinvoice ({names}, number, public_id) SELECT {names}, n, 'POS-' || n"
            " FROM pos_posinvoice, generate_series(%s::int, %s::int) AS n WHERE id = %s",
            [numbers.start, numbers.stop - 1, invoice.pk],
        )
        # As autovacuum leaves it: the new rows moved from the GIN index's pending list into the index.
        cursor.execute("SELECT gin_clean_pending_list('pos_invoice_public_id_trgm')")
        cursor.execute("ANALYZE pos_posinvoice")


@pytest.mark.postgres
def test_a_part_of_a_number_is_read_along_the_trigram_index(admin_client, invoices):
    _copies(invoices[100], range(3000, 13000))
    with CaptureQueriesContext(connection) as captured:
        page = admin_client.get("/admin/pos/posinvoice/", {"q": "2100"}).content.decode()
    assert "POS-2100" in page and "POS-12100" in page and "POS-3100" not in page
    searched = [q["sql"] for q in captured if 'FROM "pos_posinvoice"' in q["sql"] and "LIKE" in q["sql"]]
    assert searched
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + searched[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pos_invoice_public_id_trgm" in plan and "Seq Scan" not in plan, plan
