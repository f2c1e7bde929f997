"""``python -m benchmarks [--quick] [--only GROUP] [--repeats N] [--json FILE]``.

Groups: memory, sqlite, storage (issue 11's SQLite workloads, see
:mod:`benchmarks.storage`), postgres (needs the server), store (the
long-term Store on SQLite and PostgreSQL, see :mod:`benchmarks.store`) and agent
(``create_react_agent`` turns, :mod:`benchmarks.agent`). ``--only prune``
runs :mod:`benchmarks.prune` instead (a store of 10,000 threads pruned; minutes).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys

from benchmarks.agent import WORKLOADS as AGENT
from benchmarks.engines import ENGINES, load
from benchmarks.postgres import WORKLOADS as POSTGRES
from benchmarks.storage import WORKLOADS as STORAGE
from benchmarks.store import WORKLOADS as STORE
from benchmarks.workloads import WORKLOADS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (smoke run)")
    parser.add_argument(
        "--only", choices=["memory", "sqlite", "storage", "postgres", "store", "agent", "prune"]
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.only == "prune":  # destructive, one long run: a table of its own
        from benchmarks import prune

        return prune.main(["--quick"] if args.quick else [])
    repeats = 1 if args.quick else args.repeats
    engines = [load(name) for name in ENGINES]
    rows = []
    details: list[str] = []
    print(f"{'workload':<44} {'unit':>9} {'cairngraph':>11} {'langgraph':>11} {'ratio':>7}")
    for workload in [*WORKLOADS, *STORAGE, *POSTGRES, *STORE, *AGENT]:
        if args.only and workload.group != args.only:
            continue
        samples: dict[str, list[float]] = {engine.name: [] for engine in engines}
        for _ in range(repeats):
            for engine in engines:  # alternate engines so drift hits both alike
                gc.collect()
                samples[engine.name].append(workload.run(engine, args.quick))
        ours, theirs = (statistics.median(samples[name]) for name in ENGINES)
        ratio = theirs / ours if ours else float("inf")
        lines = workload.details() if workload.details else []
        details.extend(["", *lines] if lines else [])
        rows.append(
            {
                "workload": workload.name,
                "unit": workload.unit,
                "cairngraph": ours,
                "langgraph": theirs,
                "ratio": ratio,
                "repeats": repeats,
                "details": lines,
            }
        )
        print(
            f"{workload.name:<44} {workload.unit:>9} {ours:>11.1f} {theirs:>11.1f} {ratio:>6.1f}x",
            flush=True,
        )
    print(
        "\nratio = langgraph / cairngraph (higher is better for cairngraph); medians of "
        f"{repeats} repeat(s), both engines in this one process."
    )
    for line in details:
        print(line)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
