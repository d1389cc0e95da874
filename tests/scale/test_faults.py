"""Faults (PRODUCT.md section 11): eight retrying tills sell through nginx for a bounded minute while one app server
is killed and started again, pgbouncer is restarted and the replica is stopped (then started). Every sale is
recorded exactly once, the numbers have no gap, the stock equals its ledger, and the reports go on being served
(from the primary) while the replica is down.

A till is what a real one is: every POST carries an `Idempotency-Key`, and a request that fails for the
network's or the server's sake (no answer, 502/503/504, 409 with `Retry-After` for a key still running) is sent
again with the same key until it has an answer.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal

import psycopg
import requests

from tests.scale.conftest import Setup, api_key_for, expect

SELL_SECONDS = float(os.environ.get("SCALE_FAULT_SECONDS", "60"))
TILLS = 8
RETRYABLE = {502, 503, 504}


class RetryingTill(threading.Thread):
    def __init__(
        self, url: str, token: str, root: str, client: str, products: list[dict], until: float, seed: int
    ):
        super().__init__(daemon=True)
        self.url, self.root, self.client, self.products, self.until = url, root, client, products, until
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.rng = random.Random(seed)
        self.sales: list[dict] = []  # {"id", "publicId", "sold": {productId: quantity}}
        self.retries = Counter()
        self.error: str | None = None

    def post(self, path: str, body: dict) -> dict:
        key = str(uuid.uuid4())
        for attempt in range(600):
            try:
                response = self.http.post(
                    f"{self.root}{path}", json=body, headers={"Idempotency-Key": key}, timeout=20
                )
            except requests.RequestException as exc:
                self.retries[type(exc).__name__] += 1
            else:
                if response.status_code in RETRYABLE or (
                    response.status_code == 409 and "Retry-After" in response.headers
                ):
                    self.retries[response.status_code] += 1
                else:
                    assert response.status_code in (200, 201), (
                        path,
                        response.status_code,
                        response.text[:300],
                    )
                    return response.json()
            time.sleep(min(0.05 * (attempt + 1), 1.0))
        raise AssertionError(f"{path}: no answer after 600 tries")

    def run(self) -> None:
        try:
            while time.monotonic() < self.until:
                invoice = self.post("/pos/invoices", {"clientId": self.client})["invoice"]
                sold: Counter[str] = Counter()
                for product in self.rng.sample(self.products, self.rng.randint(1, 2)):
                    quantity = self.rng.randint(1, 3)
                    body = {"productId": product["id"], "quantity": quantity}
                    self.post(f"/pos/invoices/{invoice['id']}/items", body)
                    sold[product["id"]] += quantity
                done = self.post(f"/pos/invoices/{invoice['id']}/complete", {})["invoice"]
                assert done["status"] == "completed"
                self.sales.append({"id": done["id"], "publicId": done["publicId"], "sold": sold})
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = repr(exc)


class Reporter(threading.Thread):
    """Reads the day's X-report every half second as a client that never writes; each answer's status and time."""

    def __init__(self, url: str, key: str, until: float):
        super().__init__(daemon=True)
        self.url, self.until = url, until
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {key}"
        self.answers: list[tuple[float, int]] = []

    def run(self) -> None:
        while time.monotonic() < self.until:
            try:
                status = self.http.get(self.url, timeout=20).status_code
            except requests.RequestException:
                status = 0
            self.answers.append((time.monotonic(), status))
            time.sleep(0.5)


def test_tills_lose_and_double_nothing_while_servers_pgbouncer_and_the_replica_fail(setup: Setup):
    from till_faults import level_and_ledger, set_up

    made = set_up(setup.url)  # a workspace of its own: its numbers start at 1
    body = {"email": made["email"], "password": made["password"], "workspaceId": made["workspaceId"]}
    token = expect(requests.post(f"{setup.url}/v1/auth/token", json=body, timeout=30), 200)["access"]
    root = f"{setup.url}/v1/workspace/{made['workspaceId']}"
    owner = requests.Session()
    owner.headers["Authorization"] = f"Bearer {token}"
    client = expect(owner.post(f"{root}/clients", json={"name": "زبون"}, timeout=30), 201)["client"]["id"]
    products = [product for product in made["products"] if product["stock"] >= 100_000]
    current = expect(owner.get(f"{root}/pos/sessions/current?storeId={made['storeId']}", timeout=30), 200)
    report_url = f"{root}/pos/sessions/{current['session']['id']}/report"

    class Shop:  # what api_key_for needs
        workspace = made["workspaceId"]

        @staticmethod
        def root(url: str) -> str:
            return f"{url}/v1/workspace/{made['workspaceId']}"

        @staticmethod
        def session():
            return owner

    reporter_key = api_key_for(setup, Shop)

    start = time.monotonic()
    until = start + SELL_SECONDS
    tills = [
        RetryingTill(setup.url, token, root, str(client), products, until, seed=index)
        for index in range(TILLS)
    ]
    reporter = Reporter(report_url, reporter_key, until)
    for thread in [*tills, reporter]:
        thread.start()

    def at(fraction: float) -> None:
        time.sleep(max(0.0, start + SELL_SECONDS * fraction - time.monotonic()))

    windows = {}
    at(0.12)
    setup.control("kill-app", "1")
    at(0.3)
    setup.control("start-app", "1")
    at(0.45)
    setup.control("restart-pgbouncer")
    at(0.62)
    setup.control("stop-replica")
    windows["replica down"] = (time.monotonic(), None)
    at(0.88)
    windows["replica down"] = (
        windows["replica down"][0] + 2,
        time.monotonic(),
    )  # 2 s for the first to notice
    setup.control("start-replica")

    for thread in [*tills, reporter]:
        thread.join(timeout=SELL_SECONDS + 180)
    assert not any(thread.is_alive() for thread in [*tills, reporter]), "a till is stuck"
    assert [till.error for till in tills if till.error] == []

    sales = [sale for till in tills for sale in till.sales]
    retries = sum((till.retries for till in tills), Counter())
    print(f"\n{len(sales)} sales by {TILLS} tills in {SELL_SECONDS:g} s; retries {dict(retries)}")
    assert len(sales) >= TILLS  # every till sold
    assert sum(retries.values()) > 0  # the faults were felt

    sold: Counter[str] = Counter()
    for sale in sales:
        sold.update(sale["sold"])
    ws, store = int(made["workspaceId"]), int(made["storeId"])
    with psycopg.connect(setup.primary) as conn:
        rows = conn.execute(
            "SELECT id::text, status, number FROM pos_posinvoice WHERE workspace_id = %s ORDER BY number",
            [ws],
        ).fetchall()
        # Exactly once: the invoices are the tills' sales, no more (a doubled create would be an extra draft).
        assert sorted(row[0] for row in rows) == sorted(sale["id"] for sale in sales)
        assert {row[1] for row in rows} == {"completed"}
        assert [row[2] for row in rows] == list(range(1, len(sales) + 1))  # gapless
        for product in products:
            level, ledger = level_and_ledger(conn, ws, store, int(product["id"]))
            assert level == ledger == Decimal(product["stock"]) - sold[product["id"]], product

    down_from, down_to = windows["replica down"]
    during = [status for moment, status in reporter.answers if down_from <= moment <= down_to]
    print(
        f"X-reports: {dict(Counter(status for _moment, status in reporter.answers))} in all, "
        f"{dict(Counter(during))} while the replica was down ({down_to - down_from:.1f} s)"
    )
    assert during and set(during) == {200}, Counter(during)
