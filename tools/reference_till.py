"""The reference offline till (PRODUCT.md section 8d, issue 22): how a till should use `POST .../pos/sync`.

Standard library plus `requests`, small enough to read in one sitting and to copy into a real till.

- `sell()` records a sale offline: the till's own clientRef (uuid4), clock and total, appended to a durable
  queue.
- `sync()` sends the queue oldest first, in batches. A batch gets its `Idempotency-Key` and its list of sales
  in the queue *before* it is sent, in one committed transaction, so a till killed between sending and reading
  the answer resends exactly the same body with the same key and gets the same answer. Whole-request failures
  (network, 409/429/5xx) are retried with capped exponential backoff and jitter; `clientRef` makes every sale
  safe to resend even under a new key.

The queue is a SQLite file (WAL, `synchronous=FULL`): every change is one atomic, fsynced transaction, so the
process may be killed at any instant and the queue is either before or after that change, never in between.

CLI (sells N random sales offline, then syncs them; prints a JSON summary):

  .venv/bin/python tools/reference_till.py --url http://127.0.0.1:8000 --email owner@example.com \\
      --password ... --workspace 1 --store 1 --sales 20 --queue /tmp/till-1.sqlite3
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import requests

# Whole-request failures worth retrying as they are. 409: the same key still in flight (PostgreSQL); 503: the
# database is restarting. A 500 is a bug, not weather: the sync stops there and the batch keeps its key.
RETRYABLE = {409, 429, 502, 503, 504}
TIMEOUT = (5.0, 120.0)  # (connect, read): a 500-sale batch may take a while to answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS sale (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,      -- the queue's order: oldest first
    client_ref TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,                         -- the sale's JSON, sent byte for byte on every attempt
    state TEXT NOT NULL DEFAULT 'queued',       -- queued | synced | rejected
    batch_key TEXT,                             -- set while the sale is in a batch not yet answered
    status TEXT,                                -- created | duplicate | rejected, from the answer
    invoice_id TEXT, public_id TEXT, errors TEXT
);
CREATE INDEX IF NOT EXISTS sale_queue ON sale (state, seq);
"""


def now_iso() -> str:
    """The till's clock, in the API's format: UTC with milliseconds and `Z`."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def money(value: Decimal) -> Decimal:
    """Half-up to 2 places: a SAR/EGP/USD till (a KWD one would use 3, as the server does per currency)."""
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def number(value: Decimal | float | int | str) -> int | float:
    """A JSON number for an amount: `float(str(d))` prints back as the same short literal (23.45)."""
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def sale_total(items: list[dict], discounts: list[dict]) -> Decimal:
    """The till's simple total: rounded lines, minus discounts on the subtotal, rounded half-up; no taxes."""
    lines = [money(Decimal(str(i["quantity"])) * Decimal(str(i["unitPrice"]))) for i in items]
    subtotal = sum(lines, Decimal(0))
    total = subtotal
    for d in discounts:
        value = Decimal(str(d["value"]))
        total -= money(subtotal * value / 100) if d["type"] == "percent" else money(value)
    return money(max(total, Decimal(0)))


@dataclass
class SyncReport:
    created: int = 0
    duplicate: int = 0
    rejected: Counter = field(default_factory=Counter)  # by error code; no_open_session stays queued
    attempts: int = 0  # HTTP requests made
    batches: int = 0  # batches answered
    replays: int = 0  # answers marked `Idempotent-Replayed`
    errors: Counter = field(default_factory=Counter)  # whole-request failures by status or exception
    queued: int = 0  # sales still in the queue when sync() returned
    finished: bool = False  # False: stopped early (max_attempts, deadline, or a refusal it cannot retry)

    def as_dict(self) -> dict:
        return asdict(self) | {"rejected": dict(self.rejected), "errors": dict(self.errors)}


class ReferenceTill:
    def __init__(
        self,
        base_url: str,
        workspace_id: str | int,
        token: str,
        store_id: str | int,
        device_id: str,
        queue_path: str | Path,
        *,
        renew_token: Callable[[], str] | None = None,
        backoff: tuple[float, float] = (0.25, 15.0),
    ) -> None:
        """`renew_token` (optional) gives a new access token after a 401; `backoff`: (first, cap) seconds."""
        self.base_url, self.workspace_id, self.token = base_url.rstrip("/"), str(workspace_id), token
        self.store_id, self.device_id = str(store_id), device_id
        self.renew_token, self.backoff = renew_token, backoff
        self.http = requests.Session()
        # isolation_level=None: explicit transactions (BEGIN IMMEDIATE), each change one fsynced commit.
        self.db = sqlite3.connect(str(queue_path), isolation_level=None, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    # -- selling, offline -----------------------------------------------------------------------------------

    def sell(
        self,
        items: list[dict],
        payments: list[dict] | None = None,
        client_id: str | int | None = None,
        discounts: list[dict] | None = None,
    ) -> dict:
        """Records a sale in the queue and returns it. Never touches the network. Without `payments`, the
        customer paid the till's total in cash."""
        created_at = now_iso()
        discounts = discounts or []
        total = sale_total(items, discounts)
        sale = {
            "clientRef": str(uuid.uuid4()),
            "storeId": self.store_id,
            "createdAt": created_at,
            "completedAt": now_iso(),
            "items": [
                {
                    "productId": str(i["productId"]),
                    "quantity": number(i["quantity"]),
                    "unitPrice": number(i["unitPrice"]),
                    "note": i.get("note", ""),
                }
                for i in items
            ],
            "payments": [{"method": p["method"], "amount": number(p["amount"])} for p in payments]
            if payments is not None
            else [{"method": "cash", "amount": number(total)}],
            "total": number(total),
        }
        if discounts:
            sale["discounts"] = [{"reason": "", **d, "value": number(d["value"])} for d in discounts]
        if client_id is not None:
            sale["clientId"] = str(client_id)
        body = json.dumps(sale, ensure_ascii=False, separators=(",", ":"))
        self.db.execute("INSERT INTO sale (client_ref, body) VALUES (?, ?)", (sale["clientRef"], body))
        return sale

    # -- the queue ------------------------------------------------------------------------------------------

    def queued(self) -> int:
        return self.db.execute("SELECT count(*) FROM sale WHERE state = 'queued'").fetchone()[0]

    def synced(self) -> dict[str, dict]:
        """clientRef -> the invoice the server recorded it as (`id`, `publicId`)."""
        rows = self.db.execute("SELECT client_ref, invoice_id, public_id FROM sale WHERE state = 'synced'")
        return {ref: {"id": inv, "publicId": pub} for ref, inv, pub in rows}

    def rejected(self) -> dict[str, dict]:
        """clientRef -> the server's `errors`: the till's own faults, kept aside for a person to look at."""
        rows = self.db.execute("SELECT client_ref, errors FROM sale WHERE state = 'rejected'")
        return {ref: json.loads(errors) for ref, errors in rows}

    def _next_batch(self, batch_size: int, after_seq: int) -> tuple[str, list[tuple[int, str, str]]]:
        """The batch to send: the one sent before and never answered (same key, same sales, same order), else
        the oldest queued sales, given a new key in the same committed transaction."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            row = self.db.execute("SELECT batch_key FROM sale WHERE batch_key IS NOT NULL LIMIT 1").fetchone()
            if row is None:
                key = str(uuid.uuid4())
                self.db.execute(
                    "UPDATE sale SET batch_key = ? WHERE seq IN "
                    "(SELECT seq FROM sale WHERE state = 'queued' AND seq > ? ORDER BY seq LIMIT ?)",
                    (key, after_seq, batch_size),
                )
            else:
                key = row[0]
            sales = self.db.execute(
                "SELECT seq, client_ref, body FROM sale WHERE batch_key = ? ORDER BY seq", (key,)
            ).fetchall()
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return key, sales

    def _record(self, key: str, results: list[dict], report: SyncReport) -> None:
        """Applies one answered batch to the queue, atomically, and releases its key."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for result in results:
                ref, status = result["clientRef"], result["status"]
                if status in ("created", "duplicate"):
                    invoice = result.get("invoice") or {}
                    self.db.execute(
                        "UPDATE sale SET state = 'synced', status = ?, invoice_id = ?, public_id = ? "
                        "WHERE client_ref = ?",
                        (status, str(invoice.get("id")), invoice.get("publicId"), ref),
                    )
                    setattr(report, status, getattr(report, status) + 1)
                else:
                    errors = result.get("errors") or {}
                    code = errors.get("code", "unknown")
                    report.rejected[code] += 1
                    if code != "no_open_session":  # that one the shop fixes by opening the day: retried later
                        self.db.execute(
                            "UPDATE sale SET state = 'rejected', status = 'rejected', errors = ?"
                            " WHERE client_ref = ?",
                            (json.dumps(errors, ensure_ascii=False), ref),
                        )
            self.db.execute("UPDATE sale SET batch_key = NULL WHERE batch_key = ?", (key,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _drop_key(self, key: str) -> None:
        self.db.execute("UPDATE sale SET batch_key = NULL WHERE batch_key = ?", (key,))

    # -- syncing --------------------------------------------------------------------------------------------

    def _post(self, key: str, body: bytes) -> requests.Response:
        url = f"{self.base_url}/v1/workspace/{self.workspace_id}/pos/sync"
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        return self.http.post(url, data=body, headers=headers, timeout=TIMEOUT)

    def sync(
        self, batch_size: int = 500, max_attempts: int | None = None, deadline: float | None = None
    ) -> SyncReport:
        """Sends every queued sale once (a `no_open_session` one stays queued for a later call).

        `max_attempts`: failed requests allowed per batch before giving up; `deadline`: seconds from now after
        which no new attempt starts. Either way the unanswered batch keeps its key for the next call."""
        report, stop_at = SyncReport(), None if deadline is None else time.monotonic() + deadline
        after_seq = 0  # each sale is sent once per call: no_open_session ones are not resent in a loop
        while True:
            key, sales = self._next_batch(batch_size, after_seq)
            if not sales:
                report.finished = True
                break
            # Built from the stored bodies: a resent batch is byte for byte the first one (same fingerprint).
            sales_json = ",".join(s[2] for s in sales)
            body = f'{{"deviceId":{json.dumps(self.device_id)},"sales":[{sales_json}]}}'
            answer = self._send(key, body.encode(), report, max_attempts, stop_at)
            if answer is None:
                break
            if answer == "split":  # 413: the batch is over the body limit; the server kept nothing of it
                self._drop_key(key)
                if len(sales) == 1:
                    report.errors["413 single sale"] += 1
                    break
                batch_size = max(1, len(sales) // 2)
                continue
            if (
                answer == "rekey"
            ):  # 422 idempotency_key_reused: never ours to hit, but clientRef makes a new key safe
                self._drop_key(key)
                continue
            self._record(key, answer, report)
            report.batches += 1
            after_seq = sales[-1][0]
        report.queued = self.queued()
        return report

    def _send(
        self, key: str, body: bytes, report: SyncReport, max_attempts: int | None, stop_at: float | None
    ) -> list[dict] | str | None:
        """POSTs one batch until it is answered: its results, "split", "rekey", or None (gave up)."""
        failures, renewed = 0, False
        while True:
            if stop_at is not None and time.monotonic() >= stop_at:
                return None
            report.attempts += 1
            retry_after = 0.0
            try:
                response = self._post(key, body)
            except requests.RequestException as e:  # refused, reset, timed out: the answer may be lost
                report.errors[type(e).__name__] += 1
            else:
                status = response.status_code
                if status == 200:
                    report.replays += response.headers.get("Idempotent-Replayed") == "true"
                    return response.json()["results"]
                report.errors[str(status)] += 1
                code = _code(response)
                if status == 401 and self.renew_token and not renewed:
                    self.token, renewed = self.renew_token(), True
                    continue
                if status == 413:
                    return "split"
                if status == 422 and code == "idempotency_key_reused":
                    return "rekey"
                if status not in RETRYABLE:
                    report.errors[f"gave up: {status} {code}"] += 1
                    return None
                retry_after = _seconds(response.headers.get("Retry-After"))
            failures += 1
            if max_attempts is not None and failures >= max_attempts:
                return None
            first, cap = self.backoff  # full jitter, but never sooner than the server asked
            time.sleep(max(retry_after, random.uniform(0, min(cap, first * 2 ** (failures - 1)))))


def _code(response: requests.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except ValueError:
        return ""


def _seconds(value: str | None) -> float:
    try:
        return min(float(value or 0), 60.0)
    except ValueError:
        return 0.0


# -- CLI ---------------------------------------------------------------------------------------------------


def login(url: str, email: str, password: str, workspace_id: str) -> str:
    body = {"email": email, "password": password, "workspaceId": workspace_id}
    response = requests.post(f"{url.rstrip('/')}/v1/auth/token", json=body, timeout=30)
    response.raise_for_status()
    return response.json()["access"]


def random_sales(till: ReferenceTill, products: list[dict], count: int, rng: random.Random) -> list[dict]:
    """`count` sales of 1-3 lines of the given products (`{"id", "price"}`), one in five with a discount."""
    sales = []
    for _ in range(count):
        lines = rng.sample(products, k=min(len(products), rng.randint(1, 3)))
        items = [
            {"productId": p["id"], "quantity": rng.randint(1, 3), "unitPrice": p["price"]} for p in lines
        ]
        discounts = [{"type": "percent", "value": 10, "reason": "regular"}] if rng.random() < 0.2 else None
        sales.append(till.sell(items, discounts=discounts))
    return sales


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--email", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--store", required=True)
    ap.add_argument("--sales", type=int, default=10)
    ap.add_argument("--queue", required=True, help="the till's queue file (SQLite); kept between runs")
    ap.add_argument("--device", default="reference-till")
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--seed", type=int)
    args = ap.parse_args(argv)

    def renew() -> str:
        return login(args.url, args.email, args.password, args.workspace)

    till = ReferenceTill(
        args.url, args.workspace, renew(), args.store, args.device, args.queue, renew_token=renew
    )
    root = f"{args.url.rstrip('/')}/v1/workspace/{args.workspace}"
    listed = till.http.get(f"{root}/products", headers={"Authorization": f"Bearer {till.token}"}, timeout=30)
    listed.raise_for_status()
    products = [{"id": p["id"], "price": p["price"]} for p in listed.json()["products"]][:20]
    if not products:
        print("the workspace has no products to sell", file=sys.stderr)
        return 2
    random_sales(till, products, args.sales, random.Random(args.seed))
    started = time.perf_counter()
    report = till.sync(batch_size=args.batch_size)
    out = report.as_dict() | {"sold": args.sales, "seconds": round(time.perf_counter() - started, 2)}
    print(json.dumps(out | {"rejectedSales": till.rejected()}, ensure_ascii=False, indent=1))
    return 0 if report.finished and not report.queued else 1


if __name__ == "__main__":
    sys.exit(main())
