"""The supplier invoice export as production serves it, run by hand, never in tests:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<new database> .venv/bin/python bench/suppliers_export_gunicorn.py

Creates that database (it must not exist), migrates it, inserts `ROWS` supplier invoices (default 200,000) by SQL,
starts gunicorn on it from the repository root (so with `gunicorn.conf.py`, one worker), downloads the export as
XLSX and CSV twice each over HTTP, and prints the time to the first byte of the body and to the last, then stops
gunicorn and drops the database. Issue 18 asks for the XLSX's first byte of 200,000 rows within 5 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
ROWS = int(os.environ.get("ROWS", "200000"))
PORT = int(os.environ.get("PORT", "18870"))
URL = os.environ["DATABASE_URL"]
NAME = urlparse(URL).path.lstrip("/")

SEED = """
INSERT INTO suppliers_supplierinvoice (created_at, updated_at, invoice_number, invoice_number_normalised, currency,
    total_amount, paid_amount, remaining_amount, status, issue_date, due_date, description, supplier_id, workspace_id)
SELECT now() - n * interval '1 minute', now(), 'INV-' || n, 'inv-' || n, 'SAR', 1000.25 + mod(n, 997),
    mod(n, 3) * 100, 1000.25 + mod(n, 997) - mod(n, 3) * 100,
    CASE WHEN mod(n, 3) = 0 THEN 'pending' ELSE 'partially_paid' END, date '2024-01-01' + mod(n, 300),
    date '2024-02-01' + mod(n, 300), 'بن عربي محمص — وصف الفاتورة', (%(suppliers)s)[1 + mod(n, 20)], %(workspace)s
FROM generate_series(1, %(rows)s) AS n
"""


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(sql)


def fetch(url: str, token: str) -> tuple[float, float, int]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        size = len(response.read(1))
        first = time.perf_counter() - start
        while chunk := response.read(65536):
            size += len(chunk)
    return first, time.perf_counter() - start, size


def main() -> None:
    admin(f'CREATE DATABASE "{NAME}"')
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from suppliers.models import Supplier
        from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
        from workspaces.models import Membership
        from workspaces.services import tokens_for

        workspace = WorkspaceFactory(name="مقهى الياسمين")
        owner = UserFactory()
        MembershipFactory(workspace=workspace, user=owner, role=Membership.Role.OWNER)
        suppliers = [
            Supplier.objects.create(
                workspace=workspace, name=f"مؤسسة التوريدات رقم {n}", tax_number="300000000000003"
            )
            for n in range(20)
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                SEED, {"suppliers": [s.pk for s in suppliers], "workspace": workspace.pk, "rows": ROWS}
            )
            cursor.execute("ANALYZE suppliers_supplierinvoice")
        token = tokens_for(user=owner)["access"]
        connection.close()

        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{PORT}",
                "-w",
                "1",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=os.environ,
        )
        base = f"http://127.0.0.1:{PORT}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/v1/me", timeout=2)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.2)
        url = f"{base}/v1/workspace/{workspace.pk}/supplier-invoices/export?format="
        print("| rows | format | run | first byte s | last byte s | MiB |\n|---:|---|---:|---:|---:|---:|")
        for kind in ("xlsx", "csv"):
            for run in (1, 2):
                first, total, size = fetch(url + kind, token)
                print(
                    f"| {ROWS:,} | {kind} | {run} | {first:.3f} | {total:.2f} | {size / 2**20:.1f} |",
                    flush=True,
                )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
