"""Offline sync against online selling (issue 22, PRODUCT.md 8d): is a 500-sale batch cheaper per sale?

Run by hand, never in tests; it starts nothing but drives a running product. From the checkout:

  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sync_bench DEBUG=0 ALLOWED_HOSTS='*' \\
         DJANGO_SECRET_KEY=<40+ chars> JWT_SIGNING_KEY=<32+ chars> SECURE_SSL_REDIRECT=0 \\
         EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend   # registration mails nobody
  createdb -h 127.0.0.1 -U postgres sync_bench && .venv/bin/python manage.py migrate
  .venv/bin/gunicorn config.wsgi --workers 8 --bind 127.0.0.1:18820 --config /dev/null
  .venv/bin/python bench/sync_bench.py --url http://127.0.0.1:18820 --setup \\
      --cpu-pid <gunicorn master pid> --pg-dsn postgres://postgres@127.0.0.1:5432/sync_bench

`--setup` makes through the API one workspace (an owner, a store, a client, 3 products that track stock with
1,000,000 units each, the day opened; bench/tills_bench.py's `make_workspace`), ids in `--state` for later
runs.
Then, alternating A B A B for `--rounds` rounds (default 3):

- A, "batch": the reference till (tools/reference_till.py) sells `--sales` (500) sales of 3 items offline,
  then sends them as ONE `POST .../pos/sync` batch; its wall time is the batch request's (goal: under 30 s).
- B, "online": the same number of 3-item sales made through the online API over 8 client threads (create with
  `storeId`, 3 x add an item, complete with cash: 5 POSTs a sale, each with a fresh `Idempotency-Key`;
  tills_bench.py's `Till`).

CPU is counted as tills_bench.py counts it (from /proc): `--cpu-pid`'s process tree (the gunicorn master and
its workers) plus PostgreSQL's backends on `--pg-dsn`'s database (all of PostgreSQL's processes without it),
sampled every 0.5 s so that a connection ending mid-run still counts. Printed: CPU per sale of each, their
ratio A/B per round and the median (goal: at most 0.5), and the batch's wall time. A JSON line per run goes to
`--out`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from reference_till import ReferenceTill  # the till under test
from tills_bench import Owner, Recorder, Till, cpu_snapshot, make_workspace  # its accounting and online till

THREADS = 8
QUANTITIES = (1, 2, 3)  # as tills_bench.py's online sale: the same three lines in both scenarios


def measured(run: Callable[[], dict], pids: list[int], database: str) -> dict:
    """Runs `run`, snapshotting CPU every 0.5 s: the server's and PostgreSQL's CPU seconds over the run."""
    done = threading.Event()
    first = cpu_snapshot(pids, database)
    last = {"server": first["server"], "pg": first["pg"]}

    def sample() -> None:
        while not done.wait(0.5):
            snap = cpu_snapshot(pids, database)
            for key in last:  # a process that ended keeps its last figure
                last[key] = last[key] | snap[key]

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    out = run()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    final = cpu_snapshot(pids, database)
    tick = os.sysconf("SC_CLK_TCK")
    for key in last:
        last[key] = last[key] | final[key]
        out[f"{key}_cpu_s"] = round(sum(t - first[key].get(pid, 0) for pid, t in last[key].items()) / tick, 2)
    return out | {"wall_s": round(wall, 2), "cpu_s": round(out["server_cpu_s"] + out["pg_cpu_s"], 2)}


def batch(args: argparse.Namespace, owner: Owner, store: dict, n: int) -> Callable[[], dict]:
    """Scenario A: the sales are made offline before measuring; the measured part is the one sync request."""
    workspace = owner.workspace
    queue = Path(tempfile.mkdtemp(prefix="sync-bench-")) / "queue.sqlite3"
    till = ReferenceTill(
        args.url,
        workspace["workspaceId"],
        owner.token,
        store["storeId"],
        f"bench-{n}",
        queue,
        renew_token=owner.login,
    )
    prices = dict(zip(workspace["productIds"], (12.5, 7.25, 3), strict=True))  # tills_bench.PRODUCTS
    for _ in range(args.sales):
        lines = zip(workspace["productIds"], QUANTITIES, strict=True)
        till.sell([{"productId": p, "quantity": q, "unitPrice": prices[p]} for p, q in lines])

    def run() -> dict:
        report = till.sync(batch_size=args.sales)
        till.db.close()
        shutil.rmtree(queue.parent)
        ok = report.created == args.sales and report.attempts == 1
        return {
            "sales": report.created,
            "errors": dict(report.errors) | dict(report.rejected),
            "one_request": ok,
        }

    return run


def online(args: argparse.Namespace, owner: Owner, store: dict) -> Callable[[], dict]:
    """Scenario B: `--sales` sales through the online API, 8 threads taking the next sale from a count."""

    def run() -> dict:
        left, lock, done, errors = [args.sales], threading.Lock(), Counter(), Counter()

        def loop() -> None:
            rec = Recorder(0, math.inf)
            till = Till(args.url, owner, store, rec)
            while True:
                with lock:
                    if left[0] == 0:
                        break
                    left[0] -= 1
                invoice = till.sale()
                with lock:
                    done["sales"] += invoice is not None
            with lock:
                errors.update(rec.errors)

        threads = [threading.Thread(target=loop) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"sales": done["sales"], "errors": dict(errors)}

    return run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the running product, e.g. http://127.0.0.1:18820")
    ap.add_argument("--state", default="/tmp/sync-bench-state.json", help="ids and credentials from --setup")
    ap.add_argument("--setup", action="store_true", help="make the workspace first (else reuse --state)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sales", type=int, default=500, help="sales per run, and the batch's size (500)")
    ap.add_argument("--cpu-pid", type=int, action="append", required=True, help="the gunicorn master's pid")
    ap.add_argument("--pg-dsn", help="count only the CPU of this database's backends")
    ap.add_argument("--out", default="/tmp/sync-bench-results.jsonl", help="JSON lines, appended")
    ap.add_argument("--label", default="", help="copied into every JSON line (e.g. the gunicorn flags)")
    args = ap.parse_args(argv)
    args.url = args.url.rstrip("/")
    if args.setup:
        Path(args.state).write_text(json.dumps(make_workspace(args.url, "sync", 1), ensure_ascii=False))
    owner = Owner(args.url, json.loads(Path(args.state).read_text()))
    owner.login()
    store = owner.workspace["stores"][0]
    database = urlsplit(args.pg_dsn or "").path.strip("/")
    rows = []
    with open(args.out, "a", buffering=1) as out:
        for n in range(1, args.rounds + 1):
            for scenario in ("batch", "online"):
                run = batch(args, owner, store, n) if scenario == "batch" else online(args, owner, store)
                row = measured(run, args.cpu_pid, database)
                row |= {"scenario": scenario, "round": n, "label": args.label}
                row["cpu_ms_per_sale"] = round(1000 * row["cpu_s"] / max(1, row["sales"]), 2)
                rows.append(row)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr)
    pairs = list(zip(rows[0::2], rows[1::2], strict=True))
    ratios = [a["cpu_ms_per_sale"] / b["cpu_ms_per_sale"] for a, b in pairs if b["cpu_ms_per_sale"]]
    walls = [a["wall_s"] for a, _ in pairs]
    for name in ("batch", "online"):
        mine = [r for r in rows if r["scenario"] == name]
        per_sale = statistics.median(r["cpu_ms_per_sale"] for r in mine)
        print(
            f"{name:6}: median CPU {per_sale} ms per sale (server + PostgreSQL),"
            f" wall {[r['wall_s'] for r in mine]} s"
        )
    print(
        f"CPU per sale batch/online: median {statistics.median(ratios):.3f} (rounds "
        + ", ".join(f"{r:.3f}" for r in ratios)
        + ") goal: <= 0.5"
    )
    print(
        f"the {args.sales}-sale batch request: median {statistics.median(walls):.1f} s"
        f" (max {max(walls):.1f}) goal: < 30 s"
    )
    failed = [
        r for r in rows if r["sales"] != args.sales or (r["scenario"] == "batch" and not r["one_request"])
    ]
    if failed:
        print(f"{len(failed)} runs did not record every sale in one go: see {args.out}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
