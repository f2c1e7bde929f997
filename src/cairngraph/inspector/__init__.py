"""The web inspector behind ``cairn ui``: browse threads, steps, state, diffs; act on them.

Pages: the thread list (search by thread id, filter by metadata), a thread's
timeline (forks as branches), a step's state (collapsible and raw JSON), its
pending writes, errors and interrupts, the graph with the step's next nodes
highlighted, and the diff between two steps. With a graph and
``read_only=False``: resume, fork from a step, edit state, answer an
interrupt — each a POST carrying a per-process CSRF token.

Invariants: it reads and writes only through the public saver and graph API;
every page reads one bounded page of data; off localhost every request needs
the access token. See ``docs/inspector.md``.
"""

from __future__ import annotations

import secrets
import sys
from typing import TextIO

from starlette.applications import Starlette

from cairngraph.checkpoint.base import BaseCheckpointSaver
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector._actions import write_routes
from cairngraph.inspector._app import build_app
from cairngraph.inspector._security import LocalHostGate

__all__ = ["LOCAL_HOSTS", "create_app", "serve"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
"""Hosts that only this machine can reach: the inspector needs no token there."""


def create_app(
    saver: BaseCheckpointSaver,
    *,
    graph: CompiledStateGraph | None = None,
    read_only: bool,
    token: str | None,
) -> Starlette:
    """The inspector as an ASGI app over ``saver`` (and ``graph``, for the write actions).

    Without ``graph``, or with ``read_only=True``, there are no write routes
    and no write buttons. With ``token``, every request must carry it (as
    ``?token=`` once, then as the cookie that answer sets), or gets 401.

    Example::

        from cairngraph.checkpoint.sqlite import SqliteSaver
        saver = SqliteSaver("runs.db", read_only=True)
        app = create_app(saver, read_only=True, token=None)
        # uvicorn.run(app, host="127.0.0.1", port=8765)
    """
    return build_app(saver, graph, read_only=read_only, token=token, write_routes=write_routes)


def serve(
    db: str,
    *,
    graph: str | None = None,
    blobs: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    read_only: bool = False,
    out: TextIO | None = None,
) -> None:
    """Serve the inspector for the store ``db`` until interrupted (Ctrl-C).

    ``db`` is a SQLite path, ``sqlite:///path`` or a ``postgresql://`` URL;
    ``graph`` (``"module:attr"``) enables the write actions unless
    ``read_only``; ``blobs`` names the blob store of its big values (a
    directory or ``s3://bucket/prefix``). Binding to a host other than localhost makes a token; the
    URL to open, with it, is printed to ``out`` (stdout by default). Without
    a token, requests naming another host than localhost are refused (403).

    Example::

        serve("runs.db", graph="myapp.flows:graph", host="127.0.0.1", port=8765, read_only=False)
    """
    import uvicorn

    from cairngraph.cli._open import load_graph, open_saver

    token = None if host in LOCAL_HOSTS else secrets.token_urlsafe(24)
    stream = out or sys.stdout
    # Nothing writes without a graph, so the store is then opened read-only too.
    with open_saver(db, read_only=read_only or graph is None, blobs=blobs) as saver:
        compiled = None if graph is None else load_graph(graph, saver)
        app = create_app(saver, graph=compiled, read_only=read_only, token=token)
        # Bound to localhost, no token: refuse other Host names (DNS rebinding).
        served = app if token is not None else LocalHostGate(app, hosts=LOCAL_HOSTS)
        shown = f"[{host}]" if ":" in host else host
        query = "" if token is None else f"?token={token}"
        mode = "read-only" if read_only or compiled is None else "read-write"
        print(f"cairn inspector ({mode}) on http://{shown}:{port}/{query}", file=stream, flush=True)
        uvicorn.run(served, host=host, port=port, log_level="warning")
