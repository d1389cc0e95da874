"""The shared bench through the reference setup (issue 23, PRODUCT.md section 11): `pos-read` and `pos-flow`
through nginx to the two app servers (and pgbouncer), against one app server reached directly, alternately, in
one run; the ratio of their throughputs is what the proxies cost.

Run by hand on a running setup (`deploy/up`), never in tests. From the checkout:

  .venv/bin/python bench/scale_bench.py                      # 3 rounds x 2 scenarios x 2 sides x 10 s
  .venv/bin/python bench/scale_bench.py --rounds 5 --duration 15 --out /tmp/scale-bench.jsonl

It uses `../shared/bench/load.py` (the same load generator, scenarios and client count as the shared bench) and
prints one JSON summary: per scenario, the median requests/s of each side and the median of the per-round ratios
(topology / direct).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT.parent / "shared" / "bench" / "load.py"


def load(*args: str) -> list[dict]:
    done = subprocess.run([sys.executable, str(LOAD), *args], capture_output=True, text=True, check=False)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or any("error" in line for line in lines):
        raise SystemExit(f"load.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--topology", default="http://127.0.0.1:8080", help="nginx in front of the app servers")
    ap.add_argument("--direct", default="http://127.0.0.1:8101", help="one app server, no proxy")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--out", type=Path, default=None, help="results, one JSON line per run")
    args = ap.parse_args(argv)

    state = Path(tempfile.mkdtemp(prefix="scale-bench-")) / "state.json"
    load("--url", args.topology, "--state", str(state), "--setup")
    common = ["--state", str(state), "--clients", str(args.clients)]
    common += ["--duration", str(args.duration), "--warmup", str(args.warmup), "--idempotency-keys"]
    runs: list[dict] = []
    for round_ in range(1, args.rounds + 1):
        for scenario in ("pos-read", "pos-flow"):
            sides = [("direct", args.direct), ("topology", args.topology)]
            if round_ % 2 == 0:
                sides.reverse()  # A B, then B A: neither side always runs on a warmer machine
            for side, url in sides:
                line = load(
                    "--url", url, "--scenario", scenario, "--label", f"{side} round={round_}", *common
                )[-1]
                runs.append({"side": side, "round": round_, "scenario": scenario, **line})
                print(f"round {round_} {scenario:9} {side:9} {line['rps']:8.1f} req/s", file=sys.stderr)
    if args.out:
        args.out.write_text("".join(json.dumps(run) + "\n" for run in runs))

    summary = {}
    for scenario in ("pos-read", "pos-flow"):
        by = {
            side: {
                run["round"]: run["rps"]
                for run in runs
                if run["scenario"] == scenario and run["side"] == side
            }
            for side in ("direct", "topology")
        }
        ratios = [by["topology"][r] / by["direct"][r] for r in by["direct"] if by["direct"][r]]
        summary[scenario] = {
            "direct_rps": statistics.median(by["direct"].values()),
            "topology_rps": statistics.median(by["topology"].values()),
            "ratio": round(statistics.median(ratios), 3),
            "ratios": [round(ratio, 3) for ratio in ratios],
        }
    print(json.dumps({"summary": summary}, indent=2))
    return 0 if all(item["ratio"] >= 0.8 for item in summary.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
