"""POS benchmark, run by hand: `make bench` (SQLite in a temp dir, or PostgreSQL with DATABASE_URL).

Every figure is a ratio against a baseline measured in the same run on the same machine, so a noisy machine
moves both: the baseline is an authenticated no-op request (`GET /v1/workspace/:id`) for the API, and the
standard library's `json.dumps` for the renderer. Prints a Markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
if "DATABASE_URL" not in os.environ:
    os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))


def timed(fn, rounds: int = ROUNDS) -> float:
    """Median seconds of `rounds` calls after two warm-up calls."""
    fn()
    fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    setup_test_environment()
    from django.db import connection
    from django.test.utils import get_runner  # noqa: F401

    if connection.vendor == "postgresql":
        from django.test.utils import setup_databases

        setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)

    from invoicing.models import Product, Tax
    from invoicing.services import stock_adjust
    from workspaces.models import Client, Membership, Store, User, Workspace
    from workspaces.services import tokens_for
    from workspaces.tenancy import Access

    workspace = Workspace.objects.create(name="Bench", currency="SAR")
    store = Store.objects.create(workspace=workspace, name="Main")
    owner = User.objects.create_user(email="bench@example.com", password="x-long-pass-1", name="Bench")
    membership = Membership.objects.create(workspace=workspace, user=owner, role="owner", store=store)
    access = Access(workspace=workspace, user=owner, membership=membership, api_key=None)
    customer = Client.objects.create(
        workspace=workspace,
        name="Walk-in",
        pos_discount_type="percent",
        pos_discount_value=Decimal(5),
        pos_discount_active=True,
    )
    vat = Tax.objects.create(workspace=workspace, name="VAT", rate=Decimal(15))
    products = []
    for n in range(5):
        product = Product.objects.create(workspace=workspace, name=f"Item {n}", price=Decimal("12.50"))
        product.taxes.set([vat])
        stock_adjust(
            workspace=workspace,
            store=store,
            product=product,
            quantity=Decimal(10**9),
            reason="bench",
            access=access,
        )
        products.append(product)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=owner)['access']}")
    base = f"/v1/workspace/{workspace.pk}"
    api.post(f"{base}/pos/sessions", {}, format="json")

    def noop():
        assert api.get(base).status_code == 200

    def sale():
        invoice = api.post(f"{base}/pos/invoices", {"clientId": customer.pk}, format="json").json()["invoice"]
        url = f"{base}/pos/invoices/{invoice['id']}"
        for product in products:
            api.post(f"{url}/items", {"productId": product.pk, "quantity": 2}, format="json")
        assert api.post(f"{url}/complete", {}, format="json").status_code == 200

    baseline = timed(noop)
    sale_time = timed(sale, rounds=max(5, ROUNDS // 3))
    for _ in range(100 - 2 - max(5, ROUNDS // 3)):
        sale()  # 100 invoices in all for the list

    def list_100():
        response = api.get(f"{base}/pos/invoices?limit=100")
        assert len(response.json()["invoices"]) == 100

    list_time = timed(list_100, rounds=max(5, ROUNDS // 3))
    payload = api.get(f"{base}/pos/invoices?limit=100").data

    from workspaces.api.renderers import dumps

    def plain(value):
        return json.dumps(value, default=str, ensure_ascii=False)

    render_ours = timed(lambda: dumps(payload))
    render_std = timed(lambda: plain(payload))

    rows = [
        ("authenticated no-op `GET /v1/workspace/:id` (baseline)", baseline, 1.0),
        ("one sale: create + 5 items + complete (7 requests)", sale_time, sale_time / baseline),
        ("list 100 invoices of 5 items", list_time, list_time / baseline),
        ("render those 100 invoices: stdlib `json.dumps` (baseline)", render_std, 1.0),
        ("render them exactly (`workspaces.api.renderers.dumps`)", render_ours, render_ours / render_std),
    ]
    print(f"Database: {connection.vendor}; rounds: {ROUNDS}; median of each.\n")
    print("| measurement | median ms | ratio to its baseline |")
    print("|---|---:|---:|")
    for label, seconds, ratio in rows:
        print(f"| {label} | {seconds * 1000:.2f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
