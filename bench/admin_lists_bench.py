"""The back office's lists against a single change page, at a million rows (issue 18): run by hand, never in tests.

1. Seed:   DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7bench .venv/bin/python bench/seed_million.py
2. Serve, with production settings (DEBUG off) and the same environment for steps 2 to 4:
           export DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7bench DEBUG=0 SECURE_SSL_REDIRECT=0 \
             ALLOWED_HOSTS=localhost,127.0.0.1 DJANGO_SECRET_KEY=<any> JWT_SIGNING_KEY=<any, 32+ characters>
           .venv/bin/python manage.py collectstatic --noinput   # the admin's pages need the manifest (DEBUG off)
           .venv/bin/gunicorn config.wsgi -w 2 -b 127.0.0.1:8766 --config gunicorn.conf.py
3. Time:   .venv/bin/python bench/admin_lists_bench.py [--rounds 20] [--url http://127.0.0.1:8766] [--only NAME]
4. Plans:  .venv/bin/python bench/admin_lists_bench.py --explain [--only NAME]

The admin is signed in as the seeded owner of the workspace (var/bench_million.json) without the login form (which
is throttled and writes `last_login`): a session is made here with the same settings (its one row in the session
table, deleted at the end) and chooses that workspace (`workspaces.admin_site.SESSION_KEY`). One keep-alive
connection; each round requests the list, then the change page of one row of the same model, alternating, so
machine noise moves both sides; it prints the medians, the p95s and their ratios as a Markdown table.

For each model (POS invoices, supplier invoices, api2 invoices, orders, order invoices) it times page 1, a filter,
a month of the date hierarchy, a search and the deepest page the list offers (`?p=`: the bounded count stops at
`LIST_COUNT_LIMIT` rows). `--explain` runs each list in-process through Django's test client, inside a transaction
rolled back at the end (nothing of the sign-in stays), and prints `EXPLAIN (ANALYZE, BUFFERS)` of every statement
the request ran that reads a bulk table, with the query count of the request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.urls import reverse  # noqa: E402

BULK_TABLES = (
    "pos_posinvoice",
    "suppliers_supplierinvoice",
    "invoicing_invoice",
    "orders_order",
    "orders_orderinvoice",
    "orders_orderlineitem",
)


def scalar(query: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


def deepest_page(model) -> int:
    """The last page the list offers: its bounded count over its rows per page."""
    from django.contrib import admin

    from workspaces.admin_lists import LIST_COUNT_LIMIT

    per_page = admin.site._registry[model].list_per_page
    return -(-LIST_COUNT_LIMIT // per_page)


def cases(ws: int) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """(change page by family, [(name, family, path)]): five lists of each model against one row's change page."""
    from invoicing.models import Invoice
    from orders.models import Order, OrderInvoice
    from pos.models import PosInvoice
    from suppliers.models import SupplierInvoice

    def row(table: str, column: str = "id", offset: int = 0):
        return scalar(
            f"SELECT {column} FROM {table} WHERE workspace_id = %s ORDER BY id DESC OFFSET %s LIMIT 1",
            [ws, offset],
        )

    models = {
        "pos": (PosInvoice, "pos_posinvoice", "created_at"),
        "supplier": (SupplierInvoice, "suppliers_supplierinvoice", "issue_date"),
        "api2": (Invoice, "invoicing_invoice", "date"),
        "orders": (Order, "orders_order", "created_at"),
        "order invoices": (OrderInvoice, "orders_orderinvoice", "created_at"),
    }
    baselines, lists = {}, []
    middle = {
        "pos": f"q={row('pos_posinvoice', 'public_id', 500_000)}",
        "supplier": f"q={row('suppliers_supplierinvoice', 'invoice_number', 100_000)}",
        "api2": f"q={row('invoicing_invoice', 'number', 100_000)}",
        "orders": f"q={row('orders_order', 'id', 50_000)}",
        "order invoices": f"q={row('orders_orderinvoice', 'id', 10_000)}",
    }
    filters = {
        "pos": [("status=draft", "status__exact=draft")],
        "supplier": [("status=pending", "status__exact=pending")],
        "api2": [("draft=yes", "draft__exact=1")],
        "orders": [("status=cancelled", "status__exact=cancelled")],
        "order invoices": [
            ("one order", f"order__id__exact={row('orders_orderinvoice', 'order_id', 10_000)}")
        ],
    }
    filters["pos"].append(
        (
            "one business session",
            f"session__id__exact={scalar('SELECT min(id) FROM pos_businesssession WHERE workspace_id = %s', [ws])}",
        )
    )
    filters["supplier"].append(
        ("one supplier", f"supplier__id__exact={row('suppliers_supplierinvoice', 'supplier_id', 100_000)}")
    )
    filters["api2"].append(("one store", f"store__id__exact={row('invoicing_invoice', 'store_id')}"))
    for family, (model, table, date_field) in models.items():
        label = model._meta.label_lower.replace(".", "_")
        changelist = reverse(f"admin:{label}_changelist")
        baselines[family] = reverse(f"admin:{label}_change", args=[row(table)])
        lists.append((f"{family}: page 1", family, changelist))
        lists.extend(
            (f"{family}: {name}", family, f"{changelist}?{query}") for name, query in filters[family]
        )
        lists.append(
            (f"{family}: June", family, f"{changelist}?{date_field}__year=2026&{date_field}__month=6")
        )
        lists.append((f"{family}: search {middle[family]}", family, f"{changelist}?{middle[family]}"))
        deep = deepest_page(model)
        lists.append((f"{family}: deepest page (p={deep})", family, f"{changelist}?p={deep}"))
    return baselines, lists


def owner(ws: int):
    from workspaces.models import Membership

    return Membership.objects.select_related("user").filter(workspace_id=ws, role="owner").first().user


def signed_in_session(ws: int):
    """A session of the owner in workspace `ws`, as the login view would write it (without `last_login`)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from workspaces.admin_site import SESSION_KEY as WORKSPACE_KEY

    user = owner(ws)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[WORKSPACE_KEY] = ws
    store.create()
    return store


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_http(args, ws: int) -> None:
    baselines, lists = cases(ws)
    session = signed_in_session(ws)
    try:
        parts = urlsplit(args.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}", "Host": "localhost"}

        def get(path: str) -> float:
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200 or b'id="login-form"' in body:
                raise SystemExit(f"{path}: HTTP {response.status}")
            return elapsed * 1000

        print("| list | median ms | p95 ms | change page median / p95 ms | median × | p95 × |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, family, path in lists:
            if args.only and args.only.lower() not in name.lower():
                continue
            for _ in range(2):
                get(path), get(baselines[family])
            mine, base = [], []
            for _ in range(args.rounds):
                mine.append(get(path))
                base.append(get(baselines[family]))
            m, b = statistics.median(mine), statistics.median(base)
            p, bp = pct(mine, 0.95), pct(base, 0.95)
            print(
                f"| {name} | {m:.1f} | {p:.1f} | {b:.1f} / {bp:.1f} | {m / b:.2f} | {p / bp:.2f} |",
                flush=True,
            )
    finally:
        session.delete()


def run_explain(args, ws: int) -> None:
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    baselines, lists = cases(ws)
    wanted = [(n, p) for n, _f, p in lists if not args.only or args.only.lower() in n.lower()]
    wanted += [(f"change page ({family})", p) for family, p in baselines.items() if not args.only]
    with transaction.atomic():
        client = Client(HTTP_HOST="localhost")
        client.force_login(owner(ws))
        for name, path in wanted:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            print(f"\n### {name}\n\n`GET {path}`: {len(captured.captured_queries)} queries\n")
            for query in captured.captured_queries:
                sql = query["sql"]
                if not any(t in sql for t in BULK_TABLES) or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                print("```\n" + sql + "\n\n" + plan + "\n```")
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_URL", "http://127.0.0.1:8766"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of each list's statements"
    )
    parser.add_argument("--only", help="only the lists whose name contains this text")
    parser.add_argument(
        "--workspace", type=int, help="the seeded workspace (default: var/bench_million.json)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("admin_lists_bench.py reads the seeded PostgreSQL database: set DATABASE_URL.")
    ws = args.workspace or json.loads((ROOT / "var" / "bench_million.json").read_text())["workspace_id"]
    run_explain(args, ws) if args.explain else run_http(args, ws)


if __name__ == "__main__":
    main()
