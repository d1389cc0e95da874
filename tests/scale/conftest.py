"""The tests of the reference setup (PRODUCT.md section 11, `deploy/`): two app servers behind nginx, pgbouncer, a
PostgreSQL primary and streaming replica, Redis, SeaweedFS, two task workers. They talk to it as its users do, over
HTTP, and read its databases with psycopg. `make test-scale` starts the setup (`deploy/up`), runs them with
`SCALE_URL` set, and stops it; without `SCALE_URL` they skip, saying so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("DEPLOY_STATE") or ROOT / "var" / "deploy")  # deploy/lib.sh's state folder
sys.path.insert(0, str(ROOT / "tools"))


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SCALE_URL"):
        return
    skip = pytest.mark.skip(reason="needs the reference setup of deploy/ running (make test-scale starts it)")
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(skip)


@dataclass(frozen=True)
class Setup:
    url: str  # nginx
    apps: tuple[str, str]  # the two app servers, reached directly
    primary: str  # DSNs, direct (not through pgbouncer)
    replica: str
    ctl: Path

    def control(self, *args: str) -> None:
        subprocess.run([str(self.ctl), *args], check=True, timeout=120, capture_output=True)


@pytest.fixture(scope="session")
def setup() -> Setup:
    return Setup(
        url=os.environ["SCALE_URL"].rstrip("/"),
        apps=tuple(
            os.environ.get("SCALE_APP_URLS", "http://127.0.0.1:8101,http://127.0.0.1:8102").split(",")
        ),
        primary=os.environ.get("SCALE_PRIMARY_DSN", "postgres://postgres@127.0.0.1:5433/invoicing"),
        replica=os.environ.get("SCALE_REPLICA_DSN", "postgres://postgres@127.0.0.1:5434/invoicing"),
        ctl=ROOT / "deploy" / "ctl",
    )


def expect(response: requests.Response, *codes: int) -> dict:
    assert response.status_code in codes, (
        f"{response.request.method} {response.url}: {response.status_code} {response.text[:300]}"
    )
    return response.json() if response.content else {}


@dataclass
class Shop:
    workspace: str
    store: str
    client: str
    products: list[dict]
    email: str
    password: str
    token: str

    def root(self, url: str) -> str:
        return f"{url}/v1/workspace/{self.workspace}"

    def session(self, token: str | None = None) -> requests.Session:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token or self.token}"
        return http


@pytest.fixture(scope="session")
def shop(setup: Setup) -> Shop:
    """A workspace made through nginx: an owner, a store, a client, products with stock, the day opened."""
    from till_faults import set_up

    made = set_up(setup.url)
    http = requests.Session()
    body = {"email": made["email"], "password": made["password"], "workspaceId": made["workspaceId"]}
    token = expect(http.post(f"{setup.url}/v1/auth/token", json=body, timeout=30), 200)["access"]
    http.headers["Authorization"] = f"Bearer {token}"
    root = f"{setup.url}/v1/workspace/{made['workspaceId']}"
    client = expect(http.post(f"{root}/clients", json={"name": "عميل التوسع"}, timeout=30), 201)["client"]
    return Shop(
        workspace=made["workspaceId"],
        store=made["storeId"],
        client=str(client["id"]),
        products=made["products"],
        email=made["email"],
        password=made["password"],
        token=token,
    )


def api_key_for(setup: Setup, shop: Shop) -> str:
    """A new API key of the shop: a client that has never written."""
    body = {"name": f"reports-{uuid.uuid4().hex[:6]}"}
    return expect(shop.session().post(f"{shop.root(setup.url)}/api-keys", json=body, timeout=30), 201)["key"]


def statement_calls(dsn: str, table: str) -> int:
    """How many statements naming `table` the server at `dsn` has run (pg_stat_statements)."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query LIKE %s", [f"%{table}%"]
        ).fetchone()
    return int(row[0])


def wait_for(predicate, seconds: float = 30.0, every: float = 0.2) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(every)
    return predicate()
