"""The inspector's Starlette app: read pages always, write actions only when allowed.

Invariants: pages are whole HTML documents rendered on the server (htmx, when
present, only swaps them in place), so every page works without JavaScript.
The write routes exist only with a graph and ``read_only=False``: otherwise a
POST finds no route (404/405) and no page shows a write button. Every page
reads one bounded page of data (see ``_reads.py``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from cairngraph.checkpoint.base import BaseCheckpointSaver, config_checkpoint_id
from cairngraph.errors import CheckpointNotFoundError, InvalidConfigError
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector import _reads, _subgraphs
from cairngraph.inspector._drawing import graph_svg
from cairngraph.inspector._security import TokenGate
from cairngraph.inspector._values import diff, dumps, to_json

__all__ = ["Inspector", "build_app"]

_PAGE = 50
_MAX_PAGE = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspector:
    """What every route needs: the saver, the graph (or None), the mode and the page renderer."""

    saver: BaseCheckpointSaver
    graph: CompiledStateGraph | None
    writable: bool
    csrf: str
    templates: Jinja2Templates

    def page(self, request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context.setdefault("writable", self.writable)
        context.setdefault("ns", "")
        ns = context["ns"]
        context.update(
            csrf=self.csrf,
            has_graph=self.graph is not None,
            nsq=f"&ns={quote(ns, safe='')}" if ns else "",
        )
        return self.templates.TemplateResponse(request, name, context, status_code=status)


def _limit(request: Request) -> int:
    text = request.query_params.get("limit", "")
    if not text:
        return _PAGE
    if not text.isdigit() or not 0 < int(text) <= _MAX_PAGE:
        raise InvalidConfigError(f"limit={text!r}: give a whole number from 1 to {_MAX_PAGE}")
    return int(text)


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name, "")
    if not value:
        raise InvalidConfigError(f"this page needs ?{name}=...; open it from the thread list")
    return value


def threads_page(inspector: Inspector, request: Request) -> Response:
    search = request.query_params.get("q", "")
    filters = [text for text in request.query_params.getlist("m") if text.strip()]
    page = _reads.thread_page(
        inspector.saver,
        search=search,
        filter=_reads.parse_filters(filters),
        before=request.query_params.get("before") or None,
        limit=_limit(request),
    )
    template = "_thread_rows.html" if request.headers.get("HX-Target") == "thread-rows" else None
    return inspector.page(
        request, template or "threads.html", page=page, search=search, filters=filters
    )


def _ns(request: Request) -> str:
    """The page's subgraph namespace (``?ns=``); the root graph's, ``""``, by default."""
    return request.query_params.get("ns", "")


def thread_page(inspector: Inspector, request: Request) -> Response:
    thread_id = _required(request, "thread_id")
    ns = _ns(request)
    found = _reads.timeline(
        inspector.saver,
        thread_id,
        before=request.query_params.get("before") or None,
        limit=_limit(request),
        ns=ns,
        subgraphs=lambda item: _subgraphs.namespaces_run(inspector.saver, thread_id, item, ns),
    )
    return inspector.page(request, "thread.html", timeline=found, ns=ns)


def step_page(inspector: Inspector, request: Request) -> Response:
    thread_id = _required(request, "thread_id")
    ns = _ns(request)
    item = _reads.read_step(inspector.saver, thread_id, _required(request, "checkpoint_id"), ns)
    # The graph's own view (next nodes, task names, drawing, actions) is of the root graph.
    graph = inspector.graph if ns == "" else None
    snapshot = None
    if graph is not None:
        snapshot = graph.get_state(_reads.thread_config(thread_id, item.checkpoint.id))
    values = snapshot.values if snapshot is not None else _reads.state_values(item)
    names = {task.id: task.name for task in snapshot.tasks} if snapshot else {}
    newer = _reads.newer_checkpoint(inspector.saver, thread_id, item.checkpoint.id, ns)
    subgraphs, more_subgraphs = _subgraphs.subgraph_rows(
        inspector.saver,
        thread_id,
        item,
        ns=ns,
        tasks=[(task.name, task.id) for task in snapshot.tasks] if snapshot else None,
    )
    parent_ns = _subgraphs.parent_namespace(ns)
    drawn = graph.get_graph() if graph is not None else None
    return inspector.page(
        request,
        "step.html",
        ns=ns,
        writable=inspector.writable and ns == "",
        subgraphs=subgraphs,
        more_subgraphs=more_subgraphs,
        parent_ns=parent_ns,
        parent_ns_step=(item.metadata.get("parents") or {}).get(parent_ns) if ns else None,
        thread_id=thread_id,
        item=item,
        step=item.metadata.get("step"),
        metadata=to_json(item.metadata),
        state=to_json(values),
        raw=_clipped(dumps(to_json(values))),
        parent_id=None if item.parent_config is None else config_checkpoint_id(item.parent_config),
        newer_id=None if newer is None else newer.checkpoint.id,
        next_nodes=snapshot.next if snapshot else (),
        writes=_reads.StepWrites.of(item, names),
        drawing=None if drawn is None or snapshot is None else graph_svg(drawn, snapshot.next),
        nodes=[] if drawn is None else [n for n in drawn.nodes if not n.startswith("__")],
    )


_RAW_SHOWN = 200_000


def _clipped(text: str) -> str:
    """At most :data:`_RAW_SHOWN` characters of raw JSON inline; ``state.json`` has it all."""
    if len(text) <= _RAW_SHOWN:
        return text
    return text[:_RAW_SHOWN] + f"\n… {len(text) - _RAW_SHOWN:,} more characters: open raw JSON"


def subgraphs_page(inspector: Inspector, request: Request) -> Response:
    thread_id = _required(request, "thread_id")
    ns = _ns(request)
    item = _reads.read_step(inspector.saver, thread_id, _required(request, "checkpoint_id"), ns)
    newer = _reads.newer_checkpoint(inspector.saver, thread_id, item.checkpoint.id, ns)
    rows, more = _subgraphs.subgraph_scan(
        inspector.saver,
        thread_id,
        item.checkpoint.id,
        ns=ns,
        newer_id=None if newer is None else newer.checkpoint.id,
    )
    return inspector.page(
        request,
        "subgraphs.html",
        thread_id=thread_id,
        item=item,
        ns=ns,
        subgraphs=rows,
        more_subgraphs=more,
    )


def state_json(inspector: Inspector, request: Request) -> Response:
    thread_id = _required(request, "thread_id")
    ns = _ns(request)
    item = _reads.read_step(inspector.saver, thread_id, _required(request, "checkpoint_id"), ns)
    body = {
        "thread_id": thread_id,
        "checkpoint_ns": ns,
        "checkpoint_id": item.checkpoint.id,
        "metadata": to_json(item.metadata),
        "values": to_json(_reads.state_values(item)),
        "pending_writes": [
            {"task_id": w.task_id, "channel": w.channel, "value": to_json(w.value)}
            for w in item.pending_writes
        ],
    }
    return JSONResponse(body)


def diff_page(inspector: Inspector, request: Request) -> Response:
    thread_id = _required(request, "thread_id")
    ns = _ns(request)
    new = _reads.read_step(inspector.saver, thread_id, _required(request, "b"), ns)
    old_id = request.query_params.get("a") or (
        None if new.parent_config is None else config_checkpoint_id(new.parent_config)
    )
    old = None if old_id is None else _reads.read_step(inspector.saver, thread_id, old_id, ns)
    changes = diff(
        to_json(_reads.state_values(old)) if old is not None else {},
        to_json(_reads.state_values(new)),
    )
    return inspector.page(
        request, "diff.html", thread_id=thread_id, old=old, new=new, changes=changes, ns=ns
    )


Handler = Callable[[Inspector, Request], Response]


def _read_route(inspector: Inspector, handler: Handler) -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        try:
            return handler(inspector, request)
        except CheckpointNotFoundError as error:
            return inspector.page(request, "error.html", 404, title="Not found", message=str(error))
        except InvalidConfigError as error:
            return inspector.page(
                request, "error.html", 400, title="Bad request", message=str(error)
            )

    return endpoint


def build_app(
    saver: BaseCheckpointSaver,
    graph: CompiledStateGraph | None,
    *,
    read_only: bool,
    token: str | None,
    write_routes: Callable[[Inspector], list[Route]],
) -> Starlette:
    """The app of :func:`cairngraph.inspector.create_app` (which documents it)."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("cairngraph.inspector", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    for name in environment.list_templates():  # compiled now, not by the first visitor
        environment.get_template(name)
    inspector = Inspector(
        saver=saver,
        graph=graph,
        writable=graph is not None and not read_only,
        csrf=secrets.token_urlsafe(32),
        templates=Jinja2Templates(env=environment),
    )
    routes: list[Route | Mount] = [
        Route("/", _read_route(inspector, threads_page), methods=["GET"], name="threads_page"),
        Route("/thread", _read_route(inspector, thread_page), methods=["GET"], name="thread_page"),
        Route("/step", _read_route(inspector, step_page), methods=["GET"], name="step_page"),
        Route(
            "/subgraphs",
            _read_route(inspector, subgraphs_page),
            methods=["GET"],
            name="subgraphs_page",
        ),
        Route(
            "/state.json", _read_route(inspector, state_json), methods=["GET"], name="state_json"
        ),
        Route("/diff", _read_route(inspector, diff_page), methods=["GET"], name="diff_page"),
        Mount("/static", StaticFiles(packages=[("cairngraph.inspector", "static")]), name="static"),
    ]
    if inspector.writable:
        routes.extend(write_routes(inspector))
    app = Starlette(routes=routes)
    app.state.inspector = inspector
    if token is not None:
        app.add_middleware(TokenGate, token=token)
    return app
