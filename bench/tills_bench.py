"""50 tills on one workspace against 50 workspaces with one till each (issue 18), over HTTP.

Run by hand, never in tests; it starts nothing but drives a running product. From the checkout:

  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/tills_bench DEBUG=0 ALLOWED_HOSTS='*' \\
         DJANGO_SECRET_KEY=<40+ chars> JWT_SIGNING_KEY=<32+ chars> SECURE_SSL_REDIRECT=0 \\
         EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend   # registration mails nobody
  createdb -h 127.0.0.1 -U postgres tills_bench && .venv/bin/python manage.py migrate
  .venv/bin/gunicorn config.wsgi --workers 8 --bind 127.0.0.1:18810 --config /dev/null
      # or: --workers 2 --threads 4 --worker-class gthread (8 threads either way, so that locks can contend)
  .venv/bin/python bench/tills_bench.py --url http://127.0.0.1:18810 --setup \\
      --cpu-pid <gunicorn master pid> --pg-dsn postgres://postgres@127.0.0.1:5432/tills_bench

`--setup` makes through the API 50 workspaces (an owner, a store, a client, 3 products that track stock,
1,000,000 units each, an open session) and a "chain" workspace with `--stores` stores (default 1: every till
shares one session row and one store's stock rows, the worst case); ids in `--state` for later runs. Scenarios
alternate, A B A B, `--rounds` times: "one" (50 tills on the chain, spread over its stores) and "fifty" (a
till on each of the 50 workspaces). A till is a thread with its own `requests.Session` and its owner's token,
looping: create (with `storeId`), add 3 items, complete with cash, each POST with a fresh `Idempotency-Key`.
After `--warmup` s, a request counts when it ends within `--duration` s. A JSON line per run goes to `--out`:
requests/s, sales/s, latency per kind, errors by status, CPU of this client (near 100 %: the GIL made it the
limit), of `--cpu-pid`'s tree, of PostgreSQL, of other processes; with `--pg-dsn`, what the busy backends did
every 0.1 s (mean backends per sample; a lock's holder by `pg_blocking_pids`). Printed: one's throughput (also
per core left free by other processes) and p99 over fifty's, by round, and their medians.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

PRODUCTS = [("Till coffee", "قهوة", 12.5), ("Till tea", "شاي", 7.25), ("Till water", "ماء", 3)]
QUANTITIES = (1, 2, 3)
STOCK = 1_000_000
KINDS = ("create", "item", "complete")
TIMEOUT = 60.0


def latencies(values: list[float]) -> dict:
    """How many, and the nearest-rank p50, p95 and p99 in milliseconds of durations in seconds."""
    values = sorted(values)
    rank = {p: values[max(0, math.ceil(p / 100 * len(values)) - 1)] if values else None for p in (50, 95, 99)}
    return {"n": len(values), **{f"p{p}_ms": v and round(1000 * v, 1) for p, v in rank.items()}}


def expect(response: requests.Response, *codes: int) -> dict:
    if response.status_code not in codes:
        where = f"{response.request.method} {response.request.path_url}"
        raise RuntimeError(f"{where}: {response.status_code} {response.text[:300]}")
    return response.json()


class Owner:
    """A workspace's owner: the access token its tills share, renewed once for all of them on a 401."""

    def __init__(self, base: str, workspace: dict) -> None:
        self.base, self.workspace = base, workspace
        self.lock, self.token = threading.Lock(), workspace.get("token")

    def login(self) -> str:
        body = {k: self.workspace[k] for k in ("email", "password", "workspaceId")}
        answer = requests.post(f"{self.base}/v1/auth/token", json=body, timeout=TIMEOUT)
        self.token = expect(answer, 200)["access"]
        return self.token

    def renew(self, stale: str | None) -> str:
        with self.lock:
            return self.login() if self.token == stale else self.token


@dataclass
class Recorder:
    """One till's figures; only what ends inside the measured window (`start` to `end`) counts."""

    start: float
    end: float
    by_kind: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    flows: list[float] = field(default_factory=list)
    last_error: str = ""

    def inside(self, t: float) -> bool:
        return self.start <= t <= self.end


class Till:
    def __init__(self, base: str, owner: Owner, store: dict, rec: Recorder) -> None:
        self.owner, self.store, self.rec = owner, store, rec
        self.http = requests.Session()
        self.root = f"{base}/v1/workspace/{owner.workspace['workspaceId']}/pos/invoices"

    def post(self, kind: str, path: str, body: dict) -> dict | None:
        for attempt in (1, 2):
            token = self.owner.token
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
            t0 = time.perf_counter()
            try:
                r = self.http.post(self.root + path, json=body, headers=headers, timeout=TIMEOUT)
            except requests.RequestException as e:
                self.fail(kind, f"exc:{type(e).__name__}", repr(e))
                time.sleep(0.05)
                return None
            if r.status_code in (200, 201):
                if self.rec.inside(t1 := time.perf_counter()):
                    self.rec.by_kind[kind].append(t1 - t0)
                return r.json()
            self.fail(kind, str(r.status_code), r.text)
            if r.status_code != 401 or attempt == 2:
                return None
            self.owner.renew(token)
        return None

    def fail(self, kind: str, code: str, detail: str) -> None:
        if self.rec.inside(time.perf_counter()):
            self.rec.errors[f"{kind} {code}"] += 1
            self.rec.last_error = f"{kind} {code}: {detail[:300]}"

    def sale(self) -> dict | None:
        workspace = self.owner.workspace
        body = {"clientId": workspace["clientId"], "storeId": self.store["storeId"]}
        created = self.post("create", "", body)
        if created is None:
            return None
        path = f"/{created['invoice']['id']}"
        last = None
        for product_id, quantity in zip(workspace["productIds"], QUANTITIES, strict=True):
            last = self.post("item", path + "/items", {"productId": product_id, "quantity": quantity})
            if last is None:
                return None
        payments = [{"method": "cash", "amount": last["invoice"]["total"]}]
        done = self.post("complete", path + "/complete", {"payments": payments})
        return done["invoice"] if done else None


def make_workspace(base: str, tag: str, stores: int) -> dict:
    """A workspace: its owner, `stores` stores, a client, 3 stock-tracked products in stock, sessions open."""
    http = requests.Session()
    password = f"Till-{uuid.uuid4().hex[:12]}-Zq9!"
    email = f"till-{tag}-{uuid.uuid4().hex[:8]}@example.com"
    body = dict(email=email, password=password, name=f"Owner {tag}", workspaceName=f"Till bench {tag}")
    reg = expect(http.post(f"{base}/v1/auth/register", json=body, timeout=TIMEOUT), 201)
    ws = str(reg["workspace"]["id"])
    http.headers["Authorization"] = f"Bearer {reg['access']}"
    root = f"{base}/v1/workspace/{ws}"
    store_ids = [str(s["id"]) for s in expect(http.get(f"{root}/stores", timeout=TIMEOUT), 200)["stores"]][:1]
    for n in range(1, stores):
        store = expect(http.post(f"{root}/stores", json={"name": f"Branch {n}"}, timeout=TIMEOUT), 201)
        store_ids.append(str(store["store"]["id"]))
    client = expect(http.post(f"{root}/clients", json={"name": f"عميل {tag}"}, timeout=TIMEOUT), 200, 201)
    product_ids = []
    for i, (name, name_ar, price) in enumerate(PRODUCTS):
        body = {"name": name, "nameAr": name_ar, "sku": f"TILL-{i}", "price": price, "trackStock": True}
        product = expect(http.post(f"{root}/products", json=body, timeout=TIMEOUT), 200, 201)
        product_ids.append(str(product["product"]["id"]))
    sessions = []
    for store_id in store_ids:
        for product_id in product_ids:
            body = {"productId": product_id, "quantity": STOCK, "reason": "bench"}
            expect(http.post(f"{root}/stores/{store_id}/stock-adjustments", json=body, timeout=TIMEOUT), 201)
        body = {"storeId": store_id, "openingCash": 500}
        session = expect(http.post(f"{root}/pos/sessions", json=body, timeout=TIMEOUT), 201)
        sessions.append({"storeId": store_id, "sessionId": str(session["session"]["id"])})
    workspace = dict(email=email, password=password, workspaceId=ws, clientId=str(client["client"]["id"]))
    workspace.update(productIds=product_ids, stores=sessions, token=reg["access"])
    for store in sessions:  # one checked sale per store: the flow works before anything is measured
        rec = Recorder(0, math.inf)
        invoice = Till(base, Owner(base, workspace), store, rec).sale()
        if not invoice or invoice["status"] != "completed" or invoice.get("stockDeductedAt") is None:
            raise RuntimeError(f"the checked sale of workspace {ws} failed: {rec.last_error or invoice}")
    return workspace


def setup(args: argparse.Namespace) -> dict:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        chain = pool.submit(make_workspace, args.url, "chain", args.stores)
        single = list(pool.map(lambda i: make_workspace(args.url, f"w{i}", 1), range(args.tills)))
        state = {"url": args.url, "chain": chain.result(), "single": single}
    Path(args.state).write_text(json.dumps(state, indent=1, ensure_ascii=False))
    print(f"setup: {args.tills + 1} workspaces in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return state


def cpu_snapshot(server_pids: list[int], database: str) -> dict:
    """CPU ticks per process of `server_pids` and their children (gunicorn), of PostgreSQL's backends on
    `database` (else all its processes), and of this process and the whole machine."""
    server, pg = {}, {}
    for name in filter(str.isdigit, os.listdir("/proc")):
        try:  # a backend's title (cmdline): "postgres: 15/main: user database host(port) state"
            raw = Path(f"/proc/{name}/stat").read_text()
            title = Path(f"/proc/{name}/cmdline").read_text() if "(postgres)" in raw else ""
        except OSError:  # the process ended meanwhile
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        ticks = sum(map(int, fields[11:15]))
        if int(name) in server_pids or int(fields[1]) in server_pids:
            server[name] = ticks
        elif "(postgres)" in raw and f" {database} " in title:  # every PostgreSQL process when database == ""
            pg[name] = ticks
    machine = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return dict(server=server, pg=pg, wall=time.perf_counter(), client=time.process_time(), machine=machine)


def cpu_report(a: dict, b: dict, requests_done: int, with_server: bool) -> dict:
    """Percentages of one core (100 = one core busy), and CPU milliseconds per request."""
    wall, tick = b["wall"] - a["wall"], os.sysconf("SC_CLK_TCK")
    total, idle = sum(b["machine"]) - sum(a["machine"]), sum(b["machine"][3:5]) - sum(a["machine"][3:5])
    out = {"client_cpu_pct": round(100 * (b["client"] - a["client"]) / wall, 1)}
    for key in ("server", "pg") if with_server else ("pg",):
        seconds = sum(ticks - a[key].get(pid, 0) for pid, ticks in b[key].items()) / tick
        out[f"{key}_cpu_pct"] = round(100 * seconds / wall, 1)
        out[f"{key}_cpu_ms_per_req"] = round(1000 * seconds / requests_done, 2) if requests_done else None
    busy = (os.cpu_count() or 1) * 100 * (total - idle) / max(total, 1)
    known = sum(v for k, v in out.items() if k.endswith("_cpu_pct"))
    free = (os.cpu_count() or 1) * 100 - (busy - known)  # what other processes left to this bench
    out["rps_per_free_core"] = round(100 * requests_done / wall / max(free, 1.0), 2)
    return out | {"machine_cpu_pct": round(busy, 1), "other_cpu_pct": round(busy - known, 1)}


WAITS_SQL = """
SELECT pid, state, coalesce(wait_event_type || ':' || wait_event, 'on CPU'),
       left(regexp_replace(query, '\\s+', ' ', 'g'), 60), pg_blocking_pids(pid)
  FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
   AND state <> 'idle'
"""


class WaitSampler(threading.Thread):
    """Every 0.1 s: what each busy backend of the bench database does, and who holds the lock it waits for."""

    def __init__(self, dsn: str, start: float, end: float) -> None:
        super().__init__(daemon=True)
        self.dsn, self.start_at, self.end = dsn, start, end
        self.samples, self.backends, self.seen = 0, 0, Counter()

    def run(self) -> None:
        import psycopg  # the product's driver, in its venv

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            time.sleep(max(0.0, self.start_at - time.perf_counter()))
            while time.perf_counter() < self.end:
                busy = {row[0]: row[1:] for row in conn.execute(WAITS_SQL).fetchall()}
                for state, wait, query, blockers in busy.values():
                    key = f"{wait}: {query}" if state == "active" else f"{state} ({wait}): {query}"
                    holder, hops = None, 0  # up the chain of waiters (tuple lock, the row's transaction)
                    while blockers and hops < 9:
                        holder, hops = busy.get(blockers[0]), hops + 1
                        blockers = holder[3] if holder else None
                    self.seen[key] += 1
                    self.seen[f"all {state}, {wait}"] += 1
                    if holder:  # counted once per waiter
                        self.seen[f"holding what a waiter wants: {holder[2]} [{holder[0]}]"] += 1
                self.samples, self.backends = self.samples + 1, self.backends + len(busy)
                time.sleep(0.1)

    def report(self, top: int = 16) -> dict:
        n = max(1, self.samples)
        waits = [[round(count / n, 2), what] for what, count in self.seen.most_common(top)]
        return {"pg_samples": self.samples, "pg_busy": round(self.backends / n, 2), "pg_waits": waits}


def run(args: argparse.Namespace, scenario: str, tills: list[tuple[Owner, dict]], label: str) -> dict:
    start = time.perf_counter() + args.warmup
    end = start + args.duration
    recs = [Recorder(start, end) for _ in tills]
    sampler = WaitSampler(args.pg_dsn, start, end) if args.pg_dsn else None

    def loop(owner: Owner, store: dict, rec: Recorder) -> None:
        till = Till(args.url, owner, store, rec)
        while time.perf_counter() < end:
            began = time.perf_counter()
            try:
                ok = till.sale() is not None
            except Exception as e:  # a till never dies of a surprise answer
                till.fail("sale", f"exc:{type(e).__name__}", repr(e))
                ok = False
            if ok and rec.inside(time.perf_counter()):
                rec.flows.append(time.perf_counter() - began)

    threads = [threading.Thread(target=loop, args=(*t, r)) for t, r in zip(tills, recs, strict=True)]
    for t in threads + ([sampler] if sampler else []):
        t.start()
    time.sleep(max(0.0, start - time.perf_counter()))
    database = urlsplit(args.pg_dsn or "").path.strip("/")
    a = cpu_snapshot(args.cpu_pid, database)
    b, last = a, {"server": a["server"], "pg": a["pg"]}  # a database connection may end in the window:
    while time.perf_counter() < end:  # its CPU up to its last snapshot still counts
        time.sleep(max(0.0, min(0.5, end - time.perf_counter())))
        b = cpu_snapshot(args.cpu_pid, database)
        last = {key: last[key] | b[key] for key in last}
    b = b | last
    for t in threads:
        t.join(TIMEOUT + 5)
    by_kind = {kind: [v for rec in recs for v in rec.by_kind[kind]] for kind in KINDS}
    errors, flows = sum((rec.errors for rec in recs), Counter()), [v for rec in recs for v in rec.flows]
    everything = [v for values in by_kind.values() for v in values]
    out = dict(scenario=scenario, label=label, tills=len(tills), stores=len({s["storeId"] for _, s in tills}))
    rps = round(len(everything) / args.duration, 2)
    out.update(duration_s=args.duration, requests=len(everything), rps=rps)
    out.update({k: v for k, v in latencies(everything).items() if k != "n"})
    out.update(flows=len(flows), flows_per_s=round(len(flows) / args.duration, 2))
    out.update({f"flow_{k}": v for k, v in latencies(flows).items() if k != "n"})
    out["steps"] = {kind: latencies(by_kind[kind]) for kind in KINDS}
    out["errors"] = dict(errors)
    if errors:
        out["last_error"] = next(r.last_error for r in recs if r.last_error)
    out.update(cpu_report(a, b, len(everything), bool(args.cpu_pid)))
    if sampler:
        sampler.join(5)
        out.update(sampler.report())
    out["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return out


COLUMNS = [("  req/s", "rps"), ("sales/s", "flows_per_s"), *((f"  p{p}", f"p{p}_ms") for p in (50, 95, 99))]
COLUMNS += [(f"{kind} p99", kind) for kind in KINDS]
COLUMNS += [(f"{who} %", f"{who}_cpu_pct") for who in ("client", "server", "pg", "other", "machine")]


def _median(runs: list[dict], key: str) -> float | None:
    values = [r["steps"][key]["p99_ms"] if key in KINDS else r.get(key) for r in runs]
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


RATIOS = [("throughput", "rps", "issue 18: >= 0.9"), ("p99", "p99_ms", "issue 18: <= 3")]
RATIOS.insert(1, ("throughput per core left free by other processes", "rps_per_free_core", ""))


def summary(rows: list[dict]) -> str:
    """Medians over rounds per scenario, then one's throughput and p99 over fifty's, round by round."""
    runs = {name: [r for r in rows if r["scenario"] == name] for name in ("one", "fifty")}
    lines = [f"{'scenario':8}" + "".join(f"{title:>{len(title) + 2}}" for title, _ in COLUMNS) + "  errors"]
    for name, mine in runs.items():
        cells = "".join(f"{_median(mine, key)!s:>{len(title) + 2}}" for title, key in COLUMNS)
        lines.append(f"{name:8}{cells}{sum(sum(r['errors'].values()) for r in mine):>8}")
    pairs = list(zip(runs["one"], runs["fifty"], strict=False))
    for what, key, goal in RATIOS:
        ratios = [a[key] / b[key] for a, b in pairs if a[key] and b[key]]
        if ratios:
            each = ", ".join(f"{v:.3f}" for v in ratios)
            lines.append(f"{what} one/fifty: median {statistics.median(ratios):.3f} (rounds {each}) {goal}")
    lines.append("medians over rounds; latencies in ms over every successful request (5 per sale)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True, help="the running product, e.g. http://127.0.0.1:18810")
    ap.add_argument("--state", default="/tmp/tills-state.json", help="ids and credentials from --setup")
    ap.add_argument("--setup", action="store_true", help="make the 51 workspaces first (else reuse --state)")
    ap.add_argument("--tills", type=int, default=50, help="tills on the chain; workspaces of one till")
    ap.add_argument("--stores", type=int, default=1, help="the chain's stores, its tills spread over them")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=20.0, help="measured seconds per run (20)")
    ap.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds before them (2)")
    ap.add_argument("--cpu-pid", type=int, action="append", default=[], help="count this process tree's CPU")
    ap.add_argument("--pg-dsn", help="sample this database's backends; count only their CPU")
    ap.add_argument("--out", default="/tmp/tills-results.jsonl", help="JSON lines, appended")
    ap.add_argument("--label", default="", help="copied into every JSON line (e.g. the gunicorn flags)")
    args = ap.parse_args(argv)
    args.url = args.url.rstrip("/")
    state = setup(args) if args.setup else json.loads(Path(args.state).read_text())
    chain = Owner(args.url, state["chain"])
    singles = [Owner(args.url, w) for w in state["single"][: args.tills]]
    with ThreadPoolExecutor(8) as pool:  # fresh tokens: a reused state's may have expired
        list(pool.map(Owner.login, [chain, *singles]))
    stores = chain.workspace["stores"]
    one = [(chain, stores[i % len(stores)]) for i in range(args.tills)]
    scenarios = {"one": one, "fifty": [(owner, owner.workspace["stores"][0]) for owner in singles]}
    rows = []
    with open(args.out, "a", buffering=1) as out:  # a line at a time
        for n in range(1, args.rounds + 1):
            for name, tills in scenarios.items():
                row = run(args, name, tills, f"{args.label} round={n}".strip())
                rows.append(row)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                print(f"round {n} {name}: {row['rps']} req/s, p99 {row['p99_ms']} ms", file=sys.stderr)
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
