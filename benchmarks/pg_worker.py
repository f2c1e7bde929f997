"""One benchmark worker process: ``python -m benchmarks.pg_worker ENGINE URL PREFIX THREADS``."""

from __future__ import annotations

import sys

from benchmarks.engines import load
from benchmarks.workloads import _config, tutorial


def main(engine_name: str, url: str, prefix: str, threads: int) -> None:
    engine = load(engine_name)
    if engine_name == "langgraph":
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row

        with psycopg.connect(url, autocommit=True, row_factory=dict_row) as conn:
            app = tutorial(engine).compile(checkpointer=PostgresSaver(conn))
            for index in range(threads):
                app.invoke({"topic": "t"}, _config(f"{prefix}-{index}"))
        return
    from cairngraph.checkpoint.postgres import PostgresSaver as Ours

    with Ours.from_conn_string(url, max_size=2) as saver:
        app = tutorial(engine).compile(checkpointer=saver)
        for index in range(threads):
            app.invoke({"topic": "t"}, _config(f"{prefix}-{index}"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
