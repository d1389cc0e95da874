"""Seed a PostgreSQL database with a million POS invoices, by SQL: run by hand, never in tests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7bench .venv/bin/python bench/seed_million.py

Migrates the database, then seeds one big workspace ("Bench 1M") and a few small ones beside it:

- POS: a year of business sessions (5 stores x 365 days, all closed but the last day's), 1,000,000 invoices spread
  evenly over the year in id order (97% completed, 2% cancelled, 1% draft), two items each and one payment per
  completed invoice;
- 200,000 supplier invoices of 200 suppliers over the same year, due 30 days after issue: in the last 45 days a
  quarter pending and a quarter partly paid, before that 1% pending (overdue) and the rest paid: ~14,000 open;
- 200,000 api2 sales invoices (5% drafts, `po_number` "PO-<n>");
- 100,000 orders with one line each, and 20,000 order invoices.

Bulk rows go in through `INSERT ... SELECT generate_series(...)` (minutes, not hours); the small rows (workspaces,
users, stores, clients, products, suppliers) through the ORM. Ends with VACUUM ANALYZE so that the visibility map
and the statistics are those of a settled table. Prints the workspace id and a bearer token for
`bench/lists_bench.py` (also written to `var/bench_million.json`).

Scale with BENCH_SCALE (0.01 seeds 10,000 POS invoices, to try the script quickly).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))
YEAR_START = dt.date(2026, 1, 1)
DAYS = 365
STORES = 5
OUTPUT = ROOT / "var" / "bench_million.json"


def sql(statement: str, params: dict | None = None) -> int:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})
        count = cursor.rowcount
    first = " ".join(statement.split())[:70]
    print(f"  {time.perf_counter() - started:7.1f} s  {count:>9} rows  {first}", flush=True)
    return count


def base_rows(name: str, email: str) -> dict:
    """The small rows through the ORM: workspace, owner, stores, clients, products, suppliers, sessions."""
    from invoicing.models import Product
    from suppliers.models import Supplier
    from workspaces.models import Client, Membership, Store, User, Workspace

    workspace = Workspace.objects.create(name=name, currency="SAR", timezone="Asia/Riyadh")
    owner = User.objects.create_user(email=email, password="bench-long-pass-1", name=name)
    stores = [Store.objects.create(workspace=workspace, name=f"Store {n}") for n in range(1, STORES + 1)]
    Membership.objects.create(workspace=workspace, user=owner, role="owner", store=stores[0])
    Client.objects.bulk_create(Client(workspace=workspace, name=f"Client {n}") for n in range(1, 1001))
    Product.objects.bulk_create(
        Product(workspace=workspace, name=f"Product {n}", sku=f"SKU-{n}", price=Decimal("12.50"))
        for n in range(1, 51)
    )
    Supplier.objects.bulk_create(
        Supplier(workspace=workspace, name=f"{word} Trading {n}")
        for n, word in enumerate(["Alpha", "Nour", "Delta", "Sahara", "Gulf"] * 40, start=1)
    )
    return {"workspace": workspace, "owner": owner}


def seed_workspace(workspace_id: int, *, pos: int, supplier: int, api2: int, orders: int) -> None:
    p = {"ws": workspace_id, "start": YEAR_START, "days": DAYS, "stores": STORES}
    # A year of sessions per store; every day closed but the last.
    sql(
        """INSERT INTO pos_businesssession (created_at, updated_at, business_date, status, opening_cash,
               closing_cash, opened_at, opened_by_type, closed_at, closed_by_type, store_id, workspace_id)
           SELECT d + time '07:00', d + time '07:00', d::date,
                  CASE WHEN d::date = %(start)s::date + %(days)s - 1 THEN 'open' ELSE 'closed' END, 100,
                  CASE WHEN d::date = %(start)s::date + %(days)s - 1 THEN NULL ELSE 100 END, d + time '07:00',
                  'owner', CASE WHEN d::date = %(start)s::date + %(days)s - 1 THEN NULL ELSE d + time '23:00' END,
                  CASE WHEN d::date = %(start)s::date + %(days)s - 1 THEN '' ELSE 'owner' END, s.id, %(ws)s
           FROM generate_series(%(start)s::date, %(start)s::date + %(days)s - 1, interval '1 day') d
           CROSS JOIN workspaces_store s WHERE s.workspace_id = %(ws)s
           ORDER BY d, s.id""",
        p,
    )
    # POS invoices in date order: invoice g falls on day (g-1)*days/n, store g mod 5, at a time in the day.
    sql(
        """INSERT INTO pos_posinvoice (created_at, updated_at, business_date, number, public_id, status, currency,
               subtotal, discount_total, tax_total, total, paid_total, change_due, stock_deducted_at,
               completed_at, cancelled_at, cancel_reason, created_by_type, client_id, session_id, store_id,
               workspace_id, device_ref, offline, returned_total, stock_short, total_mismatch)
           SELECT t.at, t.at, t.day, t.g, 'POS-' || lpad(t.g::text, 7, '0'), t.status, 'SAR',
                  100, 0, 15, 115, CASE WHEN t.status = 'completed' THEN 115 ELSE 0 END, 0,
                  CASE WHEN t.status = 'completed' THEN t.at END, CASE WHEN t.status = 'completed' THEN t.at END,
                  CASE WHEN t.status = 'cancelled' THEN t.at END, '', 'owner',
                  c.first_id + (t.g %% 1000), bs.id, st.id, %(ws)s, '', false, 0, false, false
           FROM (
               SELECT g, (%(start)s::date + ((g - 1) * %(days)s / %(n)s)::int) AS day,
                      (%(start)s::date + ((g - 1) * %(days)s / %(n)s)::int) + time '08:00'
                        + (((g - 1) * %(days)s %% %(n)s)::float8 / %(n)s * 14 * 3600) * interval '1 second' AS at,
                      CASE WHEN g %% 100 < 97 THEN 'completed' WHEN g %% 100 < 99 THEN 'cancelled'
                           ELSE 'draft' END AS status,
                      g %% %(stores)s AS store_no
               FROM generate_series(1, %(n)s) g
           ) t
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS store_no FROM workspaces_store
                 WHERE workspace_id = %(ws)s) st ON st.store_no = t.store_no
           JOIN pos_businesssession bs ON bs.store_id = st.id AND bs.business_date = t.day
           CROSS JOIN (SELECT min(id) AS first_id FROM workspaces_client WHERE workspace_id = %(ws)s) c
           ORDER BY t.g""",
        {**p, "n": pos},
    )
    sql(
        """INSERT INTO pos_posinvoiceitem (name, sku, quantity, unit_price, taxes, note, subtotal, discount_amount,
               tax_amount, total, created_at, invoice_id, product_id, workspace_id, returned_quantity)
           SELECT 'Product ' || k, 'SKU-' || k, 2, 25, '[]'::jsonb, '', 50, 0, 7.5, 57.5, i.created_at, i.id,
                  pr.first_id + (i.id + k) %% 50, %(ws)s, 0
           FROM pos_posinvoice i CROSS JOIN generate_series(1, 2) k
           CROSS JOIN (SELECT min(id) AS first_id FROM invoicing_product WHERE workspace_id = %(ws)s) pr
           WHERE i.workspace_id = %(ws)s ORDER BY i.id, k""",
        p,
    )
    sql(
        """INSERT INTO pos_pospayment (method, amount, created_at, invoice_id, workspace_id)
           SELECT CASE WHEN i.id %% 3 = 0 THEN 'card' ELSE 'cash' END, 115, i.completed_at, i.id, %(ws)s
           FROM pos_posinvoice i WHERE i.workspace_id = %(ws)s AND i.status = 'completed' ORDER BY i.id""",
        p,
    )
    # Supplier invoices in issue-date order.
    sql(
        """INSERT INTO suppliers_supplierinvoice (created_at, updated_at, invoice_number, invoice_number_normalised,
               currency, total_amount, paid_amount, remaining_amount, status, issue_date, due_date, description,
               supplier_id, workspace_id)
           SELECT t.day + time '10:00', t.day + time '10:00', 'SUP-' || t.g, 'sup-' || t.g, 'SAR', 1000,
                  CASE t.state WHEN 0 THEN 1000 WHEN 1 THEN 400 ELSE 0 END,
                  CASE t.state WHEN 0 THEN 0 WHEN 1 THEN 600 ELSE 1000 END,
                  CASE t.state WHEN 0 THEN 'paid' WHEN 1 THEN 'partially_paid' ELSE 'pending' END,
                  t.day, t.day + 30, 'Delivery of goods, batch ' || t.g, s.first_id + t.g %% 200, %(ws)s
           FROM (SELECT g, %(start)s::date + ((g - 1) * %(days)s / %(n)s)::int AS day,
                        CASE WHEN g > %(n)s * 320 / 365 AND g %% 4 = 1 THEN 1
                             WHEN g > %(n)s * 320 / 365 AND g %% 4 = 2 THEN 2
                             WHEN g %% 100 = 0 THEN 2 ELSE 0 END AS state
                 FROM generate_series(1, %(n)s) g) t
           CROSS JOIN (SELECT min(id) AS first_id FROM suppliers_supplier WHERE workspace_id = %(ws)s) s
           ORDER BY t.g""",
        {**p, "n": supplier},
    )
    sql(
        """INSERT INTO invoicing_invoice (created_at, updated_at, number, currency, date, draft, discount,
               discount_amount, po_number, is_offline, summary_subtotal, summary_discount, summary_tax,
               summary_total, summary_paid, client_id, store_id, workspace_id)
           SELECT t.day + time '09:00', t.day + time '09:00', t.g, 'SAR', t.day, t.g %% 20 = 0, 0, 0,
                  'PO-' || t.g, false, 200, 0, 30, 230, 0, c.first_id + t.g %% 1000,
                  st.first_id + t.g %% %(stores)s, %(ws)s
           FROM (SELECT g, %(start)s::date + ((g - 1) * %(days)s / %(n)s)::int AS day
                 FROM generate_series(1, %(n)s) g) t
           CROSS JOIN (SELECT min(id) AS first_id FROM workspaces_client WHERE workspace_id = %(ws)s) c
           CROSS JOIN (SELECT min(id) AS first_id FROM workspaces_store WHERE workspace_id = %(ws)s) st
           ORDER BY t.g""",
        {**p, "n": api2},
    )
    sql(
        """INSERT INTO orders_order (created_at, updated_at, status, currency, total, meta_fields, cancelled_at,
               created_by_type, client_id, workspace_id)
           SELECT t.at, t.at, CASE WHEN t.g %% 50 = 0 THEN 'cancelled' ELSE 'open' END, 'SAR', 50, '[]'::jsonb,
                  CASE WHEN t.g %% 50 = 0 THEN t.at END, 'owner', c.first_id + t.g %% 1000, %(ws)s
           FROM (SELECT g, %(start)s::date + ((g - 1) * %(days)s / %(n)s)::int + time '12:00' AS at
                 FROM generate_series(1, %(n)s) g) t
           CROSS JOIN (SELECT min(id) AS first_id FROM workspaces_client WHERE workspace_id = %(ws)s) c
           ORDER BY t.g""",
        {**p, "n": orders},
    )
    sql(
        """INSERT INTO orders_orderlineitem (name, quantity, unit_price, discount, taxes, invoiced_quantity,
               invoiced_discount, order_id, workspace_id)
           SELECT 'Product 1', 2, 25, 0, '[]'::jsonb, CASE WHEN o.id %% 5 = 0 THEN 2 ELSE 0 END, 0, o.id, %(ws)s
           FROM orders_order o WHERE o.workspace_id = %(ws)s ORDER BY o.id""",
        p,
    )
    sql(
        """INSERT INTO orders_orderinvoice (created_at, updated_at, currency, subtotal, discount_total, tax_total,
               total, meta_fields, created_by_type, order_id, workspace_id)
           SELECT o.created_at, o.created_at, 'SAR', 50, 0, 0, 50, '[]'::jsonb, 'owner', o.id, %(ws)s
           FROM orders_order o WHERE o.workspace_id = %(ws)s AND o.id %% 5 = 0 ORDER BY o.id""",
        p,
    )
    sql(
        """INSERT INTO orders_orderinvoiceline (quantity, subtotal, discount_amount, tax_amount, total, invoice_id,
               line_item_id, workspace_id)
           SELECT 2, 50, 0, 0, 50, oi.id, li.id, %(ws)s
           FROM orders_orderinvoice oi JOIN orders_orderlineitem li ON li.order_id = oi.order_id
           WHERE oi.workspace_id = %(ws)s ORDER BY oi.id""",
        p,
    )
    # The api2 day counts (invoicing migration 0010): its triggers do not fire under `session_replication_role`.
    sql(
        """INSERT INTO invoicing_salesinvoiceday (workspace_id, date, invoices)
           SELECT workspace_id, date, count(*) FROM invoicing_invoice WHERE workspace_id = %(ws)s GROUP BY 1, 2""",
        p,
    )
    # The numbering continues after the seeded documents.
    sql(
        """INSERT INTO invoicing_documentcounter (workspace_id, series, last_value)
           VALUES (%(ws)s, 'POS', %(pos)s), (%(ws)s, 'api2', %(api2)s)""",
        {**p, "pos": pos, "api2": api2},
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("seed_million.py needs PostgreSQL: set DATABASE_URL.")
    from workspaces.services import tokens_for

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    plans = [("Bench 1M", 1.0)] + [(f"Bench small {n}", 0.002) for n in range(1, 4)]
    big = None
    for n, (name, share) in enumerate(plans):
        counts = {
            key: max(1, int(value * SCALE * share))
            for key, value in {
                "pos": 1_000_000,
                "supplier": 200_000,
                "api2": 200_000,
                "orders": 100_000,
            }.items()
        }
        print(f"{name}: {counts}", flush=True)
        with transaction.atomic():
            rows = base_rows(name, f"bench{n}-{int(time.time())}@example.com")
            # The foreign keys are deferred: checked one row at a time at COMMIT, minutes for 4,000,000 rows. The
            # rows are consistent by construction, so the checks are skipped (a superuser's setting, as `postgres`).
            sql("SET LOCAL session_replication_role = replica")
            seed_workspace(rows["workspace"].pk, **counts)
        if big is None:
            big = rows
    print("VACUUM ANALYZE", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    token = tokens_for(user=big["owner"], workspace_id=big["workspace"].pk)["access"]
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(json.dumps({"workspace_id": big["workspace"].pk, "email": big["owner"].email}))
    print(f"seeded in {time.perf_counter() - started:.0f} s")
    print(f"workspace {big['workspace'].pk}, owner {big['owner'].email}")
    print(f"token (valid as long as the access lifetime): {token}")


if __name__ == "__main__":
    main()
