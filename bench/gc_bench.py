"""Garbage-collection benchmark, run by hand: `.venv/bin/python bench/gc_bench.py` (SQLite in a temp dir, or
PostgreSQL with DATABASE_URL: it makes the test database `test_` + the URL's name and drops it at the end).

The shared bench's POS work (one sale: create, 3 items, complete, each POST with an Idempotency-Key; a GET of one
invoice; a page of 100 invoices) called as gunicorn calls the application: a WSGI environ in, the body iterated,
`close()` called, with no test client in between (its own objects would add cycles of their own). It reports:

- the objects each kind of request leaves in reference cycles (garbage only the cyclic collector frees: counted by
  `gc.collect()` after one request with the collector off), with Django's handler and with `config.wsgi.Handler`
  (which empties DRF's renderer context after sending); `--explain` prints their commonest types;
- for each setting, measured one after the other in the same process: the collections per generation and their
  pauses (timed by `gc.callbacks`), and the requests' latencies (median, p99, max).

Settings: `default` (Django's handler, the interpreter's thresholds, nothing frozen: the worker before issue 18);
`freeze` (`gc.freeze()` once loaded); `freeze+release` (and `config.wsgi.Handler`: what `config/wsgi.py` does);
`...+threshold` (also `gc.set_threshold()` with `GC_THRESHOLD`, default `config.wsgi.GC_THRESHOLD`).
`BENCH_ROUNDS` rounds of the three scenarios each (default 200). Prints Markdown tables for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import collections
import gc
import io
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
os.environ["GC_FREEZE"] = "0"  # importing config.wsgi must not freeze: the bench decides per setting
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-")

import django

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from config.wsgi import GC_THRESHOLD, Handler  # noqa: E402

THRESHOLD = (
    tuple(int(n) for n in os.environ["GC_THRESHOLD"].split(","))
    if "GC_THRESHOLD" in os.environ
    else GC_THRESHOLD
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


class Pauses:
    """Every collection's generation and duration, through `gc.callbacks`."""

    def __init__(self) -> None:
        self.started = 0.0
        self.pauses: list[tuple[int, float]] = []

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses.append((info["generation"], time.perf_counter() - self.started))


class Wsgi:
    """Calls a WSGI application as gunicorn does; `handler` can be swapped between settings."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.token = ""

    def __call__(self, method: str, url: str, body=None) -> tuple[int, object]:
        path, _sep, query = url.partition("?")
        data = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data), "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(data)), "CONTENT_TYPE": "application/json",
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
        }  # fmt: skip
        if method == "POST":
            environ["HTTP_IDEMPOTENCY_KEY"] = uuid.uuid4().hex
        status = []
        result = self.handler(environ, lambda line, headers, exc_info=None: status.append(line))
        try:
            content = b"".join(result)
        finally:
            result.close()
        return int(status[0][:3]), json.loads(content) if content else None


def setup(wsgi: Wsgi):
    """A workspace, a client, 3 products without stock, an open session and 150 completed 3-item invoices."""
    from workspaces.models import Client, Membership, Store, User, Workspace
    from workspaces.services import tokens_for

    workspace = Workspace.objects.create(name="Bench", currency="SAR", timezone="Asia/Riyadh")
    store = Store.objects.create(workspace=workspace, name="Main")
    owner = User.objects.create_user(email="gc-bench@example.com", password="x-long-pass-1", name="Bench")
    Membership.objects.create(workspace=workspace, user=owner, role="owner", store=store)
    customer = Client.objects.create(workspace=workspace, name="عميل")
    wsgi.token = tokens_for(user=owner)["access"]
    base = f"/v1/workspace/{workspace.pk}"

    def post(url, body):
        status, answer = wsgi("POST", url, body)
        assert status in (200, 201), answer
        return answer

    products = []
    for n, price in enumerate(("12.50", "3.75", "40")):
        body = {
            "name": f"Item {n}",
            "nameAr": f"صنف {n}",
            "sku": f"GC-{n}",
            "price": price,
            "trackStock": False,
        }
        products.append(post(f"{base}/products", body)["product"]["id"])
    session = post(f"{base}/pos/sessions", {"openingCash": 500})["session"]["id"]

    def flow() -> int:
        invoice = post(f"{base}/pos/invoices", {"clientId": str(customer.pk)})["invoice"]
        url = f"{base}/pos/invoices/{invoice['id']}"
        for product, quantity in zip(products, (1, 2, 3), strict=True):
            answer = post(f"{url}/items", {"productId": str(product), "quantity": quantity})
            total = answer["invoice"]["total"]
        post(f"{url}/complete", {"payments": [{"method": "cash", "amount": total}]})
        return invoice["id"]

    read_id = flow()
    for _ in range(150):
        flow()

    def read():
        assert wsgi("GET", f"{base}/pos/invoices/{read_id}")[0] == 200

    def page():
        _status, answer = wsgi("GET", f"{base}/pos/invoices?posBusinessSessionId={session}&limit=100")
        assert len(answer["invoices"]) == 100

    return {"pos-flow (5 requests)": flow, "pos-read": read, "pos-list (100)": page}


def left_in_cycles(scenario, explain: bool) -> tuple[int, list[tuple[str, int]]]:
    """Objects that one run of `scenario` leaves for the cyclic collector (and the commonest types)."""
    scenario()  # warm
    gc.collect()
    gc.disable()
    try:
        if explain:
            gc.set_debug(gc.DEBUG_SAVEALL)
        scenario()
        found = gc.collect()
        kinds = collections.Counter(type(thing).__qualname__ for thing in gc.garbage).most_common(12)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return found, kinds


def measure(scenarios, rounds: int) -> dict:
    pauses = Pauses()
    latencies: dict[str, list[float]] = {name: [] for name in scenarios}
    gc.callbacks.append(pauses)
    try:
        for _ in range(rounds):
            for name, scenario in scenarios.items():
                start = time.perf_counter()
                scenario()
                latencies[name].append(time.perf_counter() - start)
    finally:
        gc.callbacks.remove(pauses)
    return {"pauses": pauses.pauses, "latencies": latencies}


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    setup_test_environment()
    from django.db import connection

    databases = None
    if connection.vendor == "postgresql":
        from django.test.utils import setup_databases

        databases = setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)
    plain, releasing = WSGIHandler(), Handler()
    wsgi = Wsgi(releasing)
    scenarios = setup(wsgi)
    explain = "--explain" in sys.argv

    lines = [f"GC bench, {connection.vendor}, Python {sys.version.split()[0]}, {ROUNDS} rounds", ""]
    lines += ["| request | objects left in reference cycles: Django's handler | `config.wsgi.Handler` |"]
    lines += ["|---|---:|---:|"]
    for name, scenario in scenarios.items():
        counts = []
        for handler in (plain, releasing):
            wsgi.handler = handler
            found, kinds = left_in_cycles(scenario, explain)
            counts.append(found / 5 if name.startswith("pos-flow") else found)
            if explain:
                print(name, type(handler).__name__, found, kinds, file=sys.stderr)
        lines.append(f"| {name} | {counts[0]:,.0f} | {counts[1]:,.0f} |")
    lines.append("")

    default_threshold = gc.get_threshold()
    settings = [
        ("default", plain, False, default_threshold),
        ("freeze", plain, True, default_threshold),
        ("freeze+release", releasing, True, default_threshold),
        (f"freeze+release+threshold {','.join(map(str, THRESHOLD))}", releasing, True, THRESHOLD),
    ]
    lines += [
        "| setting | tracked objects (frozen) | gen0 / gen1 / gen2 collections | gen2 pause median / max ms | "
        "GC ms per request | flow ms p50 / p99 / max | read ms p50 / p99 | list ms p50 / p99 / max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, handler, freeze, threshold in settings:
        wsgi.handler = handler
        gc.unfreeze()
        gc.set_threshold(*default_threshold)
        gc.collect()
        if freeze:
            gc.freeze()
        gc.set_threshold(*threshold)
        tracked, frozen = len(gc.get_objects()), gc.get_freeze_count()
        result = measure(scenarios, ROUNDS)
        by_generation = collections.defaultdict(list)
        for generation, seconds in result["pauses"]:
            by_generation[generation].append(seconds * 1000)
        full = by_generation[2] or [0.0]
        requests = sum(len(v) for v in result["latencies"].values()) + 4 * ROUNDS  # a flow is 5 requests
        gc_ms = sum(sum(v) for v in by_generation.values()) / requests
        flow, read, page = ([s * 1000 for s in v] for v in result["latencies"].values())
        lines.append(
            f"| {label} | {tracked:,} ({frozen:,}) | {len(by_generation[0])} / {len(by_generation[1])} / "
            f"{len(by_generation[2])} | {statistics.median(full):.1f} / {max(full):.1f} | {gc_ms:.2f} | "
            f"{statistics.median(flow):.1f} / {quantile(flow, 0.99):.1f} / {max(flow):.1f} | "
            f"{statistics.median(read):.1f} / {quantile(read, 0.99):.1f} | {statistics.median(page):.1f} / "
            f"{quantile(page, 0.99):.1f} / {max(page):.1f} |"
        )
    gc.unfreeze()
    gc.set_threshold(*default_threshold)
    print("\n".join(lines))
    if databases is not None:
        from django.test.utils import teardown_databases

        connection.close()
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
