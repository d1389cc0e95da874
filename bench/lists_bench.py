"""Every list and filter against a single-object GET, at a million rows: run by hand, never in tests.

1. Seed:   DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7bench .venv/bin/python bench/seed_million.py
2. Serve, with production settings (DEBUG off) and the same environment for steps 2 to 4:
           export DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7bench DEBUG=0 SECURE_SSL_REDIRECT=0 \
             ALLOWED_HOSTS=localhost,127.0.0.1 DJANGO_SECRET_KEY=<any> JWT_SIGNING_KEY=<any, 32+ characters>
           .venv/bin/gunicorn config.wsgi -w 2 -b 127.0.0.1:8765
3. Time:   .venv/bin/python bench/lists_bench.py [--rounds 100] [--url http://127.0.0.1:8765] [--only NAME]
4. Plans:  .venv/bin/python bench/lists_bench.py --explain [--only NAME]

Timing goes by HTTP against the running server with a bearer token minted here for the seeded owner (the same
settings, so the same signing key), one keep-alive connection. Each round requests the list, then the single-object
GET of its family (a POS invoice, a supplier invoice, an api2 invoice, an order), alternating, so machine noise moves
both sides; it prints the medians, the p95s and their ratios as a Markdown table.

`--explain` runs each list in-process through Django's test client inside `CaptureQueriesContext`, then prints
`EXPLAIN (ANALYZE, BUFFERS)` of every SQL statement the request ran that reads a bulk table (the invoices, their
items and payments, the orders), with the query count of the request.
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

from django.db import connection  # noqa: E402

BULK_TABLES = (
    "pos_posinvoice",
    "pos_pospayment",
    "suppliers_supplierinvoice",
    "invoicing_invoice",
    "orders_order",
    "orders_orderinvoice",
)


def scalar(query: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


def cases(ws: int) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """(baselines by family, [(name, family, path)])."""
    v1 = f"/v1/workspace/{ws}"
    pos_id = scalar("SELECT max(id) FROM pos_posinvoice WHERE workspace_id = %s", [ws])
    sup = scalar(
        "SELECT supplier_id || '/invoices/' || id FROM suppliers_supplierinvoice WHERE workspace_id = %s "
        "ORDER BY id DESC LIMIT 1",
        [ws],
    )
    supplier_id = sup.split("/")[0]
    api2_id = scalar("SELECT max(id) FROM invoicing_invoice WHERE workspace_id = %s", [ws])
    order_id = scalar("SELECT max(id) FROM orders_order WHERE workspace_id = %s", [ws])
    invoiced_order = scalar("SELECT max(order_id) FROM orders_orderinvoice WHERE workspace_id = %s", [ws])
    first_day = scalar("SELECT min(business_date) FROM pos_posinvoice WHERE workspace_id = %s", [ws])
    session_big = scalar(
        "SELECT id FROM pos_businesssession WHERE workspace_id = %s AND status = 'closed' "
        "ORDER BY business_date DESC LIMIT 1",
        [ws],
    )
    session_early = scalar(
        "SELECT id FROM pos_businesssession WHERE workspace_id = %s ORDER BY business_date LIMIT 1", [ws]
    )
    client_id = scalar("SELECT min(id) FROM workspaces_client WHERE workspace_id = %s", [ws])
    day = first_day.toordinal()

    def date(offset: int) -> str:
        return type(first_day).fromordinal(day + offset).isoformat()

    store_id = scalar("SELECT min(store_id) FROM invoicing_invoice WHERE workspace_id = %s", [ws])
    api2_total = scalar("SELECT count(*) FROM invoicing_invoice WHERE workspace_id = %s", [ws])
    baselines = {
        "pos": f"{v1}/pos/invoices/{pos_id}",
        "supplier": f"{v1}/suppliers/{sup}",
        "api2": f"/api2/invoices/{api2_id}.json",
        "orders": f"/orders/{order_id}",
    }
    lists = [
        ("POS list, page 1", "pos", f"{v1}/pos/invoices"),
        ("POS one day early (day 10)", "pos", f"{v1}/pos/invoices?startDate={date(10)}&endDate={date(10)}"),
        (
            "POS one day mid-year (day 180)",
            "pos",
            f"{v1}/pos/invoices?startDate={date(180)}&endDate={date(180)}",
        ),
        ("POS January", "pos", f"{v1}/pos/invoices?startDate={date(0)}&endDate={date(30)}"),
        ("POS status=draft", "pos", f"{v1}/pos/invoices?status=draft"),
        ("POS one client", "pos", f"{v1}/pos/invoices?clientId={client_id}"),
        ("POS one session (early)", "pos", f"{v1}/pos/invoices?posBusinessSessionId={session_early}"),
        ("POS X-report of a big day", "pos", f"{v1}/pos/sessions/{session_big}/report"),
        ("supplier list, page 1", "supplier", f"{v1}/supplier-invoices"),
        ("supplier status=paid", "supplier", f"{v1}/supplier-invoices?status=paid"),
        ("supplier overdue=true", "supplier", f"{v1}/supplier-invoices?overdue=true"),
        ("supplier overdue=false", "supplier", f"{v1}/supplier-invoices?overdue=false"),
        (
            "supplier issue dates early (days 10-12)",
            "supplier",
            f"{v1}/supplier-invoices?issueDateFrom={date(10)}&issueDateTo={date(12)}",
        ),
        (
            "supplier issue dates, first quarter",
            "supplier",
            f"{v1}/supplier-invoices?issueDateFrom={date(0)}&issueDateTo={date(90)}",
        ),
        (
            "supplier due dates mid-year (one week)",
            "supplier",
            f"{v1}/supplier-invoices?dueDateFrom={date(180)}&dueDateTo={date(187)}",
        ),
        ("supplier one supplier", "supplier", f"{v1}/suppliers/{supplier_id}/invoices"),
        ("supplier q=batch 12345 (one)", "supplier", f"{v1}/supplier-invoices?q=batch%2012345"),
        ("supplier q=sahara (a fifth)", "supplier", f"{v1}/supplier-invoices?q=sahara"),
        ("supplier q=sup-19999", "supplier", f"{v1}/supplier-invoices?q=sup-19999"),
        ("supplier aging", "supplier", f"{v1}/supplier-invoices/aging"),
        ("api2 page 1", "api2", "/api2/invoices.json"),
        ("api2 page 10 at limit 100", "api2", "/api2/invoices.json?page=10&limit=100"),
        ("api2 page 1000 (mid)", "api2", "/api2/invoices.json?page=1000&limit=100"),
        (
            "api2 last page at limit 100",
            "api2",
            f"/api2/invoices.json?page={-(-api2_total // 100)}&limit=100",
        ),
        ("api2 one month", "api2", f"/api2/invoices.json?date_from={date(31)}&date_to={date(58)}"),
        ("api2 one store", "api2", f"/api2/invoices.json?store_id={store_id}"),
        ("api2 search PO", "api2", "/api2/invoices.json?search=PO-12345"),
        ("orders list, page 1", "orders", "/orders"),
        ("order invoices, page 1", "orders", "/invoices"),
        ("order invoices of one order", "orders", f"/invoices?orderId={invoiced_order}"),
    ]
    return baselines, lists


def owner_token(ws: int) -> str:
    from workspaces.models import Membership
    from workspaces.services import tokens_for

    membership = Membership.objects.select_related("user").filter(workspace_id=ws, role="owner").first()
    return tokens_for(user=membership.user, workspace_id=ws)["access"]


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_http(args, ws: int) -> None:
    baselines, lists = cases(ws)
    token = owner_token(ws)
    parts = urlsplit(args.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Host": "localhost"}

    def get(path: str) -> float:
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}")
        return elapsed * 1000

    print("| request | median ms | p95 ms | single GET median / p95 ms | median × | p95 × |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, family, path in lists:
        if args.only and args.only.lower() not in name.lower():
            continue
        for _ in range(3):
            get(path), get(baselines[family])
        mine, base = [], []
        for _ in range(args.rounds):
            mine.append(get(path))
            base.append(get(baselines[family]))
        m, b = statistics.median(mine), statistics.median(base)
        p, bp = pct(mine, 0.95), pct(base, 0.95)
        print(f"| {name} | {m:.1f} | {p:.1f} | {b:.1f} / {bp:.1f} | {m / b:.2f} | {p / bp:.2f} |", flush=True)


def run_explain(args, ws: int) -> None:
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    _baselines, lists = cases(ws)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {owner_token(ws)}", HTTP_HOST="localhost")
    for name, _family, path in lists:
        if args.only and args.only.lower() not in name.lower():
            continue
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        print(f"\n### {name}\n\n`GET {path}`: {len(captured.captured_queries)} queries\n")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not any(table in sql for table in BULK_TABLES) or not sql.lstrip().upper().startswith(
                "SELECT"
            ):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print("```\n" + sql + "\n\n" + plan + "\n```")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", default=os.environ.get("BENCH_URL", "http://127.0.0.1:8765"))
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of each list"
    )
    parser.add_argument("--only", help="only the requests whose name contains this text")
    parser.add_argument(
        "--workspace", type=int, help="the seeded workspace (default: var/bench_million.json)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("lists_bench.py reads the seeded PostgreSQL database: set DATABASE_URL.")
    ws = args.workspace or json.loads((ROOT / "var" / "bench_million.json").read_text())["workspace_id"]
    run_explain(args, ws) if args.explain else run_http(args, ws)


if __name__ == "__main__":
    main()
