"""Supplier invoice export benchmark, run by hand: `.venv/bin/python bench/suppliers_export_bench.py`
(SQLite in a temp dir, or PostgreSQL with DATABASE_URL).

Exports 10,000, 100,000 and 200,000 invoices (`BENCH_SIZES=10000,100000` for fewer) as CSV and XLSX through the
API and compares each with the baseline measured in the same run: a plain `csv.writer` over `values_list()` of the
same columns, written to a sink. Time is the median of a few runs without tracing, with the time to the first byte
of the body (both exports stream: issue 18 asks for the first byte of 200,000 rows within 5 s); peak memory is
traced separately (tracemalloc), both as ratios. Memory must stay flat as rows grow. Prints a Markdown table for
docs/PERFORMANCE.md. On PostgreSQL it makes a test database (`test_` + the URL's name) and drops it at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
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

SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "10000,100000,200000").split(","))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


class _Sink:
    def write(self, value: str) -> int:
        return len(value)


def timed(fn, rounds: int) -> tuple[float, float | None]:
    """Median seconds of `rounds` runs, and of the first byte when `fn` returns that moment (`perf_counter`)."""
    samples, firsts = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        first = fn()
        samples.append(time.perf_counter() - start)
        if first is not None:
            firsts.append(first - start)
    return statistics.median(samples), statistics.median(firsts) if firsts else None


def peak(fn) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    setup_test_environment()
    from django.db import connection

    databases = None
    if connection.vendor == "postgresql":
        from django.test.utils import setup_databases

        databases = setup_databases(verbosity=0, interactive=False)
    else:
        call_command("migrate", verbosity=0)

    from suppliers import exports
    from suppliers.models import Supplier, SupplierInvoice
    from tests.conftest import client_for
    from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
    from workspaces.models import Membership

    workspace = WorkspaceFactory(name="مقهى الياسمين")
    owner = UserFactory()
    MembershipFactory(workspace=workspace, user=owner, role=Membership.Role.OWNER)
    suppliers = [
        Supplier.objects.create(workspace=workspace, name=f"مؤسسة التوريدات رقم {n}") for n in range(20)
    ]
    api = client_for(owner)
    url = f"/v1/workspace/{workspace.pk}/supplier-invoices/export"

    def seed(upto: int) -> None:
        have = SupplierInvoice.objects.count()
        batch = []
        for n in range(have, upto):
            total = Decimal(1000 + n % 997) + Decimal("0.25")
            paid = Decimal(n % 3) * Decimal(100)
            batch.append(
                SupplierInvoice(
                    workspace=workspace,
                    supplier=suppliers[n % len(suppliers)],
                    invoice_number=f"INV-{n}",
                    invoice_number_normalised=f"inv-{n}",
                    currency="SAR",
                    total_amount=total,
                    paid_amount=paid,
                    remaining_amount=total - paid,
                    status="pending" if not paid else "partially_paid",
                    issue_date=dt.date(2024, 1, 1) + dt.timedelta(days=n % 300),
                    due_date=dt.date(2024, 2, 1) + dt.timedelta(days=n % 300),
                    description="بن عربي محمص — وصف الفاتورة",
                )
            )
            if len(batch) == 5000:
                SupplierInvoice.objects.bulk_create(batch)
                batch = []
        SupplierInvoice.objects.bulk_create(batch)

    def baseline() -> None:
        writer = csv.writer(_Sink())
        rows = SupplierInvoice.objects.filter(workspace=workspace).values_list(*exports.FIELDS)
        for row in rows.iterator(chunk_size=exports.CHUNK_SIZE):
            writer.writerow(row)

    def export(kind: str) -> float:
        """The whole body, consumed chunk by chunk; returns when its first byte came."""
        response = api.get(url, {"format": kind})
        assert response.status_code == 200
        first = None
        for chunk in response.streaming_content:
            if first is None and chunk:
                first = time.perf_counter()
        response.close()
        return first

    def export_csv() -> float:
        return export("csv")

    def export_xlsx() -> float:
        return export("xlsx")

    lines = [
        f"Supplier invoice export, {connection.vendor}, {dt.date.today()}",
        "",
        "| rows | measurement | first byte s | median s | time ratio | peak MiB (traced) | memory ratio |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in SIZES:
        seed(size)
        rounds = ROUNDS if size <= 10_000 else 1
        (base_t, _none), base_m = timed(baseline, rounds), peak(baseline)
        figures = [("plain `csv.writer` over `values_list()` (baseline)", (base_t, None), base_m)]
        figures.append(("CSV export (`format=csv`)", timed(export_csv, rounds), peak(export_csv)))
        figures.append(("XLSX export (`format=xlsx`)", timed(export_xlsx, rounds), peak(export_xlsx)))
        for name, (seconds, first), memory in figures:
            lines.append(
                f"| {size:,} | {name} | {'' if first is None else f'{first:.3f}'} | {seconds:.2f} | "
                f"{seconds / base_t:.2f} | {memory / 2**20:.1f} | {memory / base_m:.2f} |"
            )
    print("\n".join(lines))
    if databases is not None:
        from django.test.utils import teardown_databases

        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    main()
