"""``python -m benchmarks.inspector [--threads N] [--steps N] [--repeats N] [--db FILE]``.

How fast the web inspector answers on a big SQLite store. A separate command,
not a group of ``python -m benchmarks``: that registry measures cairngraph and
LangGraph side by side, and LangGraph has no inspector to compare with.

The store, built by running real graphs (sizes are the defaults):

- 10,000 threads, each one run of the tutorial's two-node joke graph
  (4 checkpoints each), with metadata ``{"user": "u<i % 100>", "batch": i % 7}``;
- one thread, ``long``, of 10,000+ checkpoints: a one-node graph that loops
  on itself until ``n`` reaches 10,000 (``durability="async"``, so the build
  is quick; every step is still saved);
- one thread, ``nested``, whose node runs a two-node subgraph on each of 100
  steps (100 root steps, 400 subgraph checkpoints in 100 namespaces).

The inspector runs for real (uvicorn in a thread, on a free port, with the
looping graph loaded, read-write) and each page is fetched over HTTP with
httpx: the median and the slowest of ``--repeats`` fetches per page, in ms,
whole response read, after one untimed first request (shown on its own row:
it compiles the templates). ``--db FILE`` keeps the store for a later run.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, TypedDict
from urllib.parse import quote

import httpx
import uvicorn
from examples.tutorial.joke_graph import build_graph

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.graph import END, START, StateGraph
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector import create_app


class Tick(TypedDict):
    n: int
    goal: int


def _tick(state: Tick) -> dict[str, int]:
    return {"n": state["n"] + 1}


def looping() -> StateGraph:
    """One node that runs again until ``n`` reaches ``goal``."""
    graph = StateGraph(Tick)
    graph.add_node("tick", _tick)
    graph.add_edge(START, "tick")
    graph.add_conditional_edges("tick", lambda s: "tick" if s["n"] < s["goal"] else END)
    return graph


def nesting() -> StateGraph:
    """A node that runs a two-node subgraph, looping until ``n`` reaches ``goal``."""
    inner = StateGraph(Tick)
    inner.add_node("first", lambda state: {"n": state["n"]})
    inner.add_node("second", _tick)
    inner.add_edge(START, "first")
    inner.add_edge("first", "second")
    inner.add_edge("second", END)
    outer = StateGraph(Tick)
    outer.add_node("sub", inner.compile())
    outer.add_edge(START, "sub")
    outer.add_conditional_edges("sub", lambda s: "sub" if s["n"] < s["goal"] else END)
    return outer


def build(path: Path, threads: int, steps: int) -> None:
    saver = SqliteSaver(path)
    try:
        jokes = build_graph().compile(checkpointer=saver, durability="async")
        for i in range(threads):
            meta = {"user": f"u{i % 100}", "batch": i % 7}
            config = {"configurable": {"thread_id": f"thread-{i:05d}"}, "metadata": meta}
            jokes.invoke({"topic": f"topic {i}"}, config)
        loop = looping().compile(checkpointer=saver, durability="async")
        config = {"configurable": {"thread_id": "long"}, "recursion_limit": steps + 10}
        loop.invoke({"n": 0, "goal": steps}, config)
        nested = nesting().compile(checkpointer=saver, durability="async")
        nested.invoke({"n": 0, "goal": 100}, {"configurable": {"thread_id": "nested"}})
    finally:
        saver.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_in_thread(saver: SqliteSaver, graph: CompiledStateGraph) -> tuple[uvicorn.Server, str]:
    port = _free_port()
    app = create_app(saver, graph=graph, read_only=False, token=None)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return server, f"http://127.0.0.1:{port}"


def pages(saver: SqliteSaver, threads: int) -> dict[str, str]:
    """The URLs to time: first and deep pages of every kind."""
    long = {"configurable": {"thread_id": "long"}}
    history = [item.checkpoint.id for item in saver.list(long, limit=None)]
    middle, deep = history[len(history) // 2], history[int(len(history) * 0.9)]
    deep_thread = f"thread-{threads // 10:05d}"  # ~90% down the list, newest first
    joke_id = f"thread-{min(42, threads - 1):05d}"
    joke = next(saver.list({"configurable": {"thread_id": joke_id}}))
    nested = [item for item in saver.list({"configurable": {"thread_id": "nested"}}, limit=None)]
    root = [item for item in nested if item.config["configurable"]["checkpoint_ns"] == ""]
    parent = root[len(root) // 2]
    sub = next(
        item
        for item in nested
        if (item.metadata.get("parents") or {}).get("") == parent.checkpoint.id
    )
    sub_ns = quote(sub.config["configurable"]["checkpoint_ns"], safe="")
    return {
        "thread list, page 1": "/",
        "thread list, deep page (before=)": f"/?before={deep_thread}",
        "thread list, search 'thread-0004'": "/?q=thread-0004",
        "thread list, filter user=u7 (1 in 100)": "/?m=user%3Du7",
        "thread list, filter matching none": "/?m=user%3Dnobody",
        "timeline of 10k thread, page 1": "/thread?thread_id=long",
        "timeline of 10k thread, page at 90%": f"/thread?thread_id=long&before={deep}",
        "step page (graph, 10k thread, middle)": f"/step?thread_id=long&checkpoint_id={middle}",
        "step page (joke thread)": (
            f"/step?thread_id={joke_id}&checkpoint_id={joke.checkpoint.id}"
        ),
        "diff of two steps (10k thread)": f"/diff?thread_id=long&b={middle}&a={deep}",
        "step page with a subgraph (nested thread)": (
            f"/step?thread_id=nested&checkpoint_id={parent.checkpoint.id}"
        ),
        "subgraph step page (nested thread)": (
            f"/step?thread_id=nested&checkpoint_id={sub.checkpoint.id}&ns={sub_ns}"
        ),
        "subgraph scan of a step (nested thread)": (
            f"/subgraphs?thread_id=nested&checkpoint_id={parent.checkpoint.id}"
        ),
        "subgraph scan of a step (10k thread, middle)": (
            f"/subgraphs?thread_id=long&checkpoint_id={middle}"
        ),
        "raw state JSON (10k thread)": f"/state.json?thread_id=long&checkpoint_id={middle}",
    }


def measure(base: str, urls: dict[str, str], repeats: int) -> list[dict[str, Any]]:
    rows = []
    with httpx.Client(base_url=base, timeout=60) as client:
        # The first request of a process compiles the templates: shown apart, then not timed.
        start = time.perf_counter()
        client.get("/").read()
        cold = (time.perf_counter() - start) * 1000
        rows.append(
            {"page": "first request of the process (cold)", "median_ms": cold, "max_ms": cold}
        )
        for name, url in urls.items():
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                response = client.get(url)
                response.read()
                times.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(
                        f"{url} answered {response.status_code}: {response.text[:300]}"
                    )
            rows.append({"page": name, "median_ms": statistics.median(times), "max_ms": max(times)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.inspector", description=__doc__)
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--db", type=Path, help="keep the store here (reused if it exists)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        path = args.db or Path(scratch) / "inspector.db"
        if not path.exists():
            start = time.perf_counter()
            build(path, args.threads, args.steps)
            print(f"built {path} in {time.perf_counter() - start:.1f} s", flush=True)
        saver = SqliteSaver(path)
        graph = looping().compile(checkpointer=saver)
        server, base = serve_in_thread(saver, graph)
        try:
            rows = measure(base, pages(saver, args.threads), args.repeats)
        finally:
            server.should_exit = True
            time.sleep(0.2)
            saver.close()
    print(f"{'page':<46} {'median ms':>10} {'max ms':>8}")
    for row in rows:
        print(f"{row['page']:<46} {row['median_ms']:>10.1f} {row['max_ms']:>8.1f}")
    print(
        f"\n{args.threads} threads + 1 thread of {args.steps} steps + 1 nested thread; "
        f"{args.repeats} fetches each."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
