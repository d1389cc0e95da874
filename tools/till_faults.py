"""The offline till's fault run (issue 22, PRODUCT.md 8d): each sale recorded exactly once, whatever dies.

It makes a fresh PostgreSQL database, migrates it, starts gunicorn on it, sets up a workspace through the API
(stock-tracked products, one of them with too little stock so that some sales go short, the day opened), lets
the reference till (tools/reference_till.py) sell `--sales` sales offline, and syncs them in small batches
while a fault thread SIGKILLs a gunicorn worker every 1-2 s (the master respawns it) for `--fault-seconds`
(with `--cut-connections`, also ends the database's backends every 5 s, a restart's effect on the server
without restarting anything), and, with `--restart-postgres` only, restarts PostgreSQL once in the middle of
that window. Then it checks the database:

- exactly N invoices, all `offline`, N distinct `client_ref`s, the till's; each the invoice the till recorded;
- POS numbers gapless 1..N (nothing else is sold in that workspace);
- for every product: stock level == sum of its movements == initial stock - quantities the till sold;
- a batch of already-synced sales sent again under a new key answers `duplicate` with the same invoices.

It prints a JSON summary and exits 1 if a check failed. Gunicorn is stopped at the end, always; the database
is dropped when every check passed (kept for a look otherwise, or always with `--keep-db`). From the checkout:

  .venv/bin/python tools/till_faults.py --db till_faults_small --sales 100      # a quick one
  .venv/bin/python tools/till_faults.py --sales 1000 --restart-postgres   # restarts the shared PostgreSQL!
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_till import ReferenceTill, SyncReport, login, random_sales

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
# (name, price, initial stock): the water runs out mid-run, so offline sales below zero are exercised too.
PRODUCTS = [("Fault coffee", "12.5", 100_000), ("Fault tea", "7.25", 100_000), ("Fault water", "3", 60)]
PRODUCTS.append(("Fault cake", "19.99", 100_000))


def server_env(db: str) -> dict[str, str]:
    """What bench/tills_bench.py's recipe exports: production settings, no mail, plain HTTP."""
    return os.environ | {
        "DEBUG": "0",
        "DJANGO_SECRET_KEY": "till-faults-" + "s" * 40,
        "JWT_SIGNING_KEY": "till-faults-jwt-" + "k" * 32,
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "*",
        "DATABASE_URL": f"{PG}/{db}",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def recreate_database(db: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')


def drop_database(db: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The gunicorn master's workers, from /proc (its direct children)."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:
            raw = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        if int(raw[raw.rfind(")") + 2 :].split()[1]) == pid:
            found.append(int(name))
    return found


def wait_until_up(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            requests.get(f"{url}/v1/auth/token", timeout=2)  # a 405 is an answer: the server is up
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer within 60 s")


def expect(response: requests.Response, *codes: int) -> dict:
    if response.status_code not in codes:
        raise RuntimeError(
            f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
        )
    return response.json()


def set_up(url: str) -> dict:
    """Owner, workspace, its first store, products tracking stock with their initial stock, the day opened."""
    http = requests.Session()
    email, password = f"faults-{uuid.uuid4().hex[:8]}@example.com", f"Faults-{uuid.uuid4().hex[:12]}-Zq9!"
    body = {"email": email, "password": password, "name": "Fault owner", "workspaceName": "Till faults"}
    reg = expect(http.post(f"{url}/v1/auth/register", json=body, timeout=30), 201)
    ws = str(reg["workspace"]["id"])
    http.headers["Authorization"] = f"Bearer {reg['access']}"
    root = f"{url}/v1/workspace/{ws}"
    store = str(expect(http.get(f"{root}/stores", timeout=30), 200)["stores"][0]["id"])
    products = []
    for i, (name, price, stock) in enumerate(PRODUCTS):
        body = {"name": name, "sku": f"FAULT-{i}", "price": float(price), "trackStock": True}
        product = expect(http.post(f"{root}/products", json=body, timeout=30), 201)["product"]
        body = {"productId": product["id"], "quantity": stock, "reason": "opening count"}
        expect(http.post(f"{root}/stores/{store}/stock-adjustments", json=body, timeout=30), 201)
        products.append({"id": str(product["id"]), "price": price, "stock": stock})
    expect(http.post(f"{root}/pos/sessions", json={"storeId": store, "openingCash": 500}, timeout=30), 201)
    return {"email": email, "password": password, "workspaceId": ws, "storeId": store, "products": products}


class Faults(threading.Thread):
    """For `seconds` (or until stopped): SIGKILL one gunicorn worker every 1-2 s; with `cut_connections`, also
    end the run database's backends every ~5 s (the workers' kept connections break, as in a restart, but
    nothing else on the machine notices); with `restart_postgres`, restart PostgreSQL once, half-way."""

    def __init__(
        self, master: int, seconds: float, db: str, cut_connections: bool, restart_postgres: bool
    ) -> None:
        super().__init__(daemon=True)
        self.master, self.seconds, self.db = master, seconds, db
        self.cut_connections, self.restart_postgres = cut_connections, restart_postgres
        self.stop, self.kills, self.cuts, self.pg_restarts, self.notes = threading.Event(), 0, 0, 0, []

    def run(self) -> None:
        start = time.monotonic()
        restart_at = start + self.seconds / 2 if self.restart_postgres else None
        cut_at = start + 5 if self.cut_connections else None
        while not self.stop.wait(random.uniform(1.0, 2.0)) and time.monotonic() - start < self.seconds:
            workers = children(self.master)
            if workers:
                try:
                    os.kill(random.choice(workers), signal.SIGKILL)
                    self.kills += 1
                except ProcessLookupError:
                    pass  # it ended meanwhile (a previous kill's respawn)
            if cut_at is not None and time.monotonic() >= cut_at:
                cut_at += 5
                with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                    self.cuts += conn.execute(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        (self.db,),
                    ).fetchone()[0]
            if restart_at is not None and time.monotonic() >= restart_at:
                restart_at = None
                version = sorted(os.listdir("/etc/postgresql"))[-1]
                command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                self.pg_restarts += done.returncode == 0
                if done.returncode:
                    self.notes.append(f"pg restart failed: {done.stderr.strip()[:200]}")


def merge(total: SyncReport, part: SyncReport) -> None:
    for name in ("created", "duplicate", "attempts", "batches", "replays"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    total.rejected.update(part.rejected)
    total.errors.update(part.errors)
    total.queued, total.finished = part.queued, part.finished


def resend_check(url: str, setup: dict, till: ReferenceTill, count: int = 50) -> tuple[bool, str]:
    """Already-synced sales sent again under a fresh key (no replay of a stored answer): all `duplicate`, each
    with the invoice the till recorded first."""
    rows = till.db.execute("SELECT body FROM sale ORDER BY seq LIMIT ?", (count,)).fetchall()
    body = {"deviceId": "fault-till", "sales": [json.loads(r[0]) for r in rows]}
    headers = {"Authorization": f"Bearer {till.token}", "Idempotency-Key": str(uuid.uuid4())}
    for _ in range(20):  # a worker may still be respawning
        try:
            response = requests.post(
                f"{url}/v1/workspace/{setup['workspaceId']}/pos/sync", json=body, headers=headers, timeout=120
            )
        except requests.RequestException:
            time.sleep(1)
            continue
        if response.status_code != 200:
            return False, f"{response.status_code} {response.text[:200]}"
        recorded, results = till.synced(), response.json()["results"]
        first = {ref: invoice["id"] for ref, invoice in recorded.items()}
        wrong = [
            r
            for r in results
            if r["status"] != "duplicate" or str(r["invoice"]["id"]) != first.get(r["clientRef"])
        ]
        ok = len(results) == len(rows) and not wrong
        return ok, f"{len(results)} answered, {len(wrong)} not `duplicate` of the first invoice"
    return False, "no answer"


def level_and_ledger(conn: psycopg.Connection, workspace: int, store: int, product: int) -> tuple:
    """A product's stock level in a store, and the sum of its movements there (the ledger it must equal)."""
    return conn.execute(
        "SELECT (SELECT quantity FROM invoicing_stocklevel WHERE workspace_id = %(ws)s"
        "        AND store_id = %(st)s AND product_id = %(p)s),"
        "       (SELECT sum(delta) FROM invoicing_stockmovement WHERE workspace_id = %(ws)s"
        "        AND store_id = %(st)s AND product_id = %(p)s)",
        {"ws": workspace, "st": store, "p": product},
    ).fetchone()


def check_database(
    db: str, setup: dict, sales: list[dict], till: ReferenceTill
) -> dict[str, tuple[bool, str]]:
    n, ws, store = len(sales), int(setup["workspaceId"]), int(setup["storeId"])
    sold = Counter()
    for sale in sales:
        for item in sale["items"]:
            sold[item["productId"]] += Decimal(str(item["quantity"]))
    checks = {}
    with psycopg.connect(f"{PG}/{db}") as conn:
        total, refs, offline, completed, mismatched, short = conn.execute(
            "SELECT count(*), count(DISTINCT client_ref), count(*) FILTER (WHERE offline),"
            " count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE total_mismatch),"
            " count(*) FILTER (WHERE stock_short) FROM pos_posinvoice WHERE workspace_id = %s",
            (ws,),
        ).fetchone()
        checks["invoices"] = (
            total == offline == refs == completed == n,
            f"{total} invoices, {offline} offline, "
            f"{refs} distinct clientRefs, {completed} completed; {n} sold",
        )
        checks["info"] = (True, f"{mismatched} total mismatches, {short} sold short of stock")
        by_ref = dict(
            conn.execute(
                "SELECT client_ref::text, id::text FROM pos_posinvoice WHERE workspace_id = %s", (ws,)
            ).fetchall()
        )
        recorded = till.synced()
        wrong = [
            s["clientRef"]
            for s in sales
            if by_ref.get(s["clientRef"]) is None
            or by_ref[s["clientRef"]] != recorded.get(s["clientRef"], {}).get("id")
        ]
        checks["till's invoices"] = (
            not wrong,
            f"{len(wrong)} sales whose invoice differs from the till's record",
        )
        numbers = [
            r[0]
            for r in conn.execute(
                "SELECT number FROM pos_posinvoice WHERE workspace_id = %s ORDER BY number", (ws,)
            ).fetchall()
        ]
        checks["numbers"] = (
            numbers == list(range(1, n + 1)),
            f"{len(numbers)} numbers, {len(set(numbers))} distinct, from {numbers[:1]} to {numbers[-1:]}",
        )
        for product in setup["products"]:
            level, ledger = level_and_ledger(conn, ws, store, int(product["id"]))
            expected = Decimal(product["stock"]) - sold[product["id"]]
            checks[f"stock {product['id']}"] = (
                level == ledger == expected,
                f"level {level}, movements {ledger}, expected {expected}",
            )
    return checks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="till_faults", help="database to (re)create; it is dropped first")
    ap.add_argument("--sales", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--fault-seconds", type=float, default=30.0, help="how long workers are killed")
    ap.add_argument(
        "--cut-connections", action="store_true", help="end the run database's backends every 5 s"
    )
    ap.add_argument("--restart-postgres", action="store_true", help="restart the machine's PostgreSQL once")
    ap.add_argument("--timeout", type=float, default=900.0, help="give the sync this long in all")
    ap.add_argument("--keep-db", action="store_true")
    ap.add_argument("--seed", type=int)
    args = ap.parse_args(argv)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.db):
        ap.error("--db: a plain lower-case database name")
    started, env, port = time.perf_counter(), server_env(args.db), free_port()
    url = f"http://127.0.0.1:{port}"
    recreate_database(args.db)
    python = str(ROOT / ".venv/bin/python")
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    log = tempfile.NamedTemporaryFile("w", prefix="till-faults-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "config.wsgi",
        "--workers",
        "2",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    # Its own session: stopping it (and, if need be, its process group) can touch nothing else.
    server = subprocess.Popen(
        [*command, "--config", "/dev/null"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )
    faults = Faults(server.pid, args.fault_seconds, args.db, args.cut_connections, args.restart_postgres)
    try:
        wait_until_up(url)
        setup = set_up(url)

        def renew() -> str:
            return login(url, setup["email"], setup["password"], setup["workspaceId"])

        queue = Path(tempfile.mkdtemp(prefix="till-faults-")) / "queue.sqlite3"
        till = ReferenceTill(
            url,
            setup["workspaceId"],
            renew(),
            setup["storeId"],
            "fault-till",
            queue,
            renew_token=renew,
            backoff=(0.2, 5.0),
        )
        sales = random_sales(till, setup["products"], args.sales, random.Random(args.seed))
        sync_started = time.perf_counter()
        faults.start()
        report, end = SyncReport(), time.monotonic() + args.timeout
        failing = 0  # syncs in a row that ended on a 500
        while till.queued() and time.monotonic() < end:  # a sync stops at its deadline; unreachable otherwise
            part = till.sync(batch_size=args.batch_size, deadline=end - time.monotonic())
            merge(report, part)
            gave_up = [error for error in part.errors if error.startswith("gave up")]
            if any(not error.startswith("gave up: 500") for error in gave_up):  # a 4xx no retry will cure
                break
            # A 500 fails a check below, but the run goes on (the batch kept its key: the next sync resends it)
            # to see whether the sales still land exactly once; ten in a row is a server that is just broken.
            failing = failing + 1 if gave_up else 0
            if failing == 10:
                break
            time.sleep(0.5 if gave_up else 0)
        sync_seconds = time.perf_counter() - sync_started
        faults.stop.set()
        faults.join()
        checks = check_database(args.db, setup, sales, till)
        checks["queue empty"] = (
            till.queued() == 0 and not till.rejected(),
            f"{till.queued()} queued, rejected: {till.rejected() or 'none'}",
        )
        checks["resent"] = resend_check(url, setup, till)
        server_errors = report.errors.get(
            "500", 0
        )  # section 2: a database out of reach is a 503, never a 500
        checks["no 500"] = (not server_errors, f"{server_errors} answers 500")
    finally:
        faults.stop.set()
        server.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    failed = {name: detail for name, (ok, detail) in checks.items() if not ok}
    summary = {
        "sales": args.sales,
        "invoices": report.created + report.duplicate,
        "created": report.created,
        "duplicatesAnswered": report.duplicate,
        "rejected": dict(report.rejected),
        "attempts": report.attempts,
        "batches": report.batches,
        "replayedAnswers": report.replays,
        "requestErrors": dict(report.errors),
        "workerKills": faults.kills,
        "backendsEnded": faults.cuts,
        "pgRestarts": faults.pg_restarts,
        "faultNotes": faults.notes,
        "syncSeconds": round(sync_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "checks": {name: ("ok" if ok else "FAILED") + f": {detail}" for name, (ok, detail) in checks.items()},
        "ok": not failed,
        "gunicornLog": log.name,
    }
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    if not failed and not args.keep_db:  # else kept for a look, with the till's queue (`till.db`)
        drop_database(args.db)
        shutil.rmtree(queue.parent)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
