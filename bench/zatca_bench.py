"""The cost of ZATCA phase 2 on a till's writes (issue 20): `pos-flow` (create, three items, complete, each POST with
an `Idempotency-Key`) in a store with an onboarded sandbox device against the same flow in a store without one.

Run by hand, never in tests, on its own PostgreSQL database (it makes two workspaces and sells in both):

  createdb -h 127.0.0.1 -U postgres zatca_bench
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/zatca_bench DJANGO_SETTINGS_MODULE=config.settings DEBUG=0 \\
      DJANGO_SECRET_KEY=<40+ chars> JWT_SIGNING_KEY=<32+ chars> ALLOWED_HOSTS='*' SECURE_SSL_REDIRECT=0 \\
      .venv/bin/python bench/zatca_bench.py --rounds 6 --sales 60
  dropdb -h 127.0.0.1 -U postgres zatca_bench

In one process, through Django's full request path (middleware, authentication, DRF, rendering; no HTTP
parsing), the two scenarios alternate A B A B. A request's CPU is this process's (`time.process_time`) plus its
PostgreSQL backend's (`/proc/<pid>/stat`, utime + stime), divided by the requests made. Printed: each round's CPU
per request of both, the ratio signed / unsigned by round, and the median ratio (the issue's goal: at most 1.5).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from decimal import Decimal  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import RefreshToken  # noqa: E402

from invoicing.models import Product, StockLevel, Tax  # noqa: E402
from invoicing.zatca.onboarding import zatca_onboard  # noqa: E402
from workspaces.models import Client, Membership, Store, User, Workspace  # noqa: E402
from workspaces.tenancy import Access  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
ADDRESS = {
    "street": "King Fahd Road",
    "buildingNumber": "1234",
    "district": "Al Olaya",
    "city": "Riyadh",
    "postalCode": "12345",
    "shortAddress": "RRRD2929",
}


def backend_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def shop(name: str, *, signed: bool) -> tuple[APIClient, Workspace, Store, Client, list[Product]]:
    """A workspace with its owner, a store (onboarded in sandbox when `signed`), a client, three products with 15%
    VAT and plenty of stock, and an open day."""
    owner = User.objects.create_user(
        email=f"{uuid.uuid4().hex}@bench.sa", password="x-bench-password", name=name
    )
    workspace = Workspace.objects.create(
        name=name, vat_number="310122393500003", cr_number="1010010000", legal_name=name
    )
    membership = Membership.objects.create(workspace=workspace, user=owner, role=Membership.Role.OWNER)
    store = Store.objects.create(workspace=workspace, name=f"{name} store", national_address=ADDRESS)
    if signed:
        access = Access(workspace=workspace, user=owner, membership=membership, api_key=None)
        zatca_onboard(store=store, access=access, otp="123345", environment="sandbox")
    vat = Tax.objects.create(workspace=workspace, name="VAT", rate=Decimal(15))
    products = []
    for index, price in enumerate(("12.50", "7.25", "3.00")):
        product = Product.objects.create(workspace=workspace, name=f"P{index}", price=Decimal(price))
        product.taxes.set([vat])
        StockLevel.objects.create(workspace=workspace, store=store, product=product, quantity=Decimal(10**9))
        products.append(product)
    client = Client.objects.create(workspace=workspace, name="Walk-in")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner).access_token}")
    opened = api.post(f"/v1/workspace/{workspace.pk}/pos/sessions", {"storeId": store.pk}, format="json")
    assert opened.status_code == 201, opened.content
    return api, workspace, store, client, products


def flow(api: APIClient, workspace: Workspace, client: Client, products: list[Product], sales: int) -> int:
    base = f"/v1/workspace/{workspace.pk}/pos/invoices"
    requests = 0

    def post(url: str, body: dict, status: int) -> dict:
        nonlocal requests
        response = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        requests += 1
        assert response.status_code == status, response.content
        return response.json()

    for _ in range(sales):
        invoice = post(base, {"clientId": client.pk}, 201)["invoice"]
        for quantity, product in enumerate(products, start=1):
            post(f"{base}/{invoice['id']}/items", {"productId": product.pk, "quantity": quantity}, 201)
        post(f"{base}/{invoice['id']}/complete", {}, 200)
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--sales", type=int, default=60, help="sales per scenario per round")
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    shops = {"unsigned": shop("Unsigned", signed=False), "signed": shop("Signed", signed=True)}
    for api, workspace, _store, client, products in shops.values():  # warm up: compiled reads, caches
        flow(api, workspace, client, products, 5)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    ratios = []
    for round_ in range(1, options.rounds + 1):
        cost = {}
        for name, (api, workspace, _store, client, products) in shops.items():
            start_cpu, start_pg = time.process_time(), backend_cpu(backend)
            requests = flow(api, workspace, client, products, options.sales)
            cost[name] = (time.process_time() - start_cpu + backend_cpu(backend) - start_pg) / requests
        ratios.append(cost["signed"] / cost["unsigned"])
        print(
            f"round {round_}: unsigned {1000 * cost['unsigned']:.2f} ms/request, signed "
            f"{1000 * cost['signed']:.2f} ms/request, ratio {ratios[-1]:.3f}"
        )
    print(f"median ratio signed / unsigned: {statistics.median(ratios):.3f} (goal: at most 1.5)")


if __name__ == "__main__":
    main()
