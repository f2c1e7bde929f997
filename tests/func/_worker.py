"""A process running one entrypoint on a SQLite file, for the crash test.

``python -m tests.func._worker DB SIDE COUNT [--resume] [--parallel]``: the
entrypoint calls ``COUNT`` tasks one after another (with ``--parallel``: all at
once, task ``i`` taking ``i`` times longer than task 0); each task appends its
index to SIDE (one line per execution) before it finishes. With ``--resume``
the process continues the thread with ``invoke(None, config)`` and prints the
result.
"""

from __future__ import annotations

import sys
import time

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.func import entrypoint, task

THREAD = {"configurable": {"thread_id": "crash"}}


def main(db: str, side: str, count: int, resume: bool, parallel: bool) -> None:
    with SqliteSaver.from_conn_string(db) as saver:

        @task
        def work(index: int) -> int:
            with open(side, "a") as log:
                log.write(f"{index}\n")
            time.sleep(0.03 * (index + 1) if parallel else 0.03)
            return index

        @entrypoint(checkpointer=saver)
        def pipeline(n: int) -> list[int]:
            if parallel:
                return [future.result() for future in [work(index) for index in range(n)]]
            return [work(index).result() for index in range(n)]

        result = pipeline.invoke(None if resume else count, THREAD)
        print(result, flush=True)


if __name__ == "__main__":
    flags = sys.argv[4:]
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), "--resume" in flags, "--parallel" in flags)
