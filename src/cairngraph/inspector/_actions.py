"""The write actions: resume, fork from a step, edit state, answer an interrupt.

Each is a POST through the compiled graph's public API (``invoke``,
``update_state``), checked first for the process's CSRF secret (403 without
it; nothing runs). A success answers 303 to the step it made, so a reload
never posts twice. A run that fails shows its error (the engine has saved it
as the step's error write, so the step page shows it too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from cairngraph.checkpoint.base import RunnableConfig, config_checkpoint_id
from cairngraph.errors import CheckpointNotFoundError, InvalidConfigError
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.inspector._app import Inspector
from cairngraph.inspector._reads import read_step, thread_config
from cairngraph.inspector._security import csrf_ok
from cairngraph.types import Command

__all__ = ["write_routes"]

Action = Callable[[CompiledStateGraph, RunnableConfig, Any], RunnableConfig]


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidConfigError(f"the form has no {name!r} field; post it from a step page")
    return value


def _json_field(form: Any, name: str) -> Any:
    text = _field(form, name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidConfigError(
            f"the {name!r} field is not JSON ({error.msg} at line {error.lineno}, column "
            f'{error.colno}); write for example {{"key": "value"}} or "yes"'
        ) from None


def _latest(graph: CompiledStateGraph, config: RunnableConfig) -> RunnableConfig:
    configurable = dict(config.get("configurable") or {})
    configurable.pop("checkpoint_id", None)
    return graph.get_state({"configurable": configurable}).config


def resume(graph: CompiledStateGraph, config: RunnableConfig, form: Any) -> RunnableConfig:
    """Run the thread on from its latest checkpoint (after an error, or an interrupt_before)."""
    latest = _latest(graph, config)
    graph.invoke(None, latest)
    return _latest(graph, config)


def fork(graph: CompiledStateGraph, config: RunnableConfig, form: Any) -> RunnableConfig:
    """Run again from this step: the new steps branch off it."""
    graph.invoke(None, config)
    return _latest(graph, config)


def edit(graph: CompiledStateGraph, config: RunnableConfig, form: Any) -> RunnableConfig:
    """``update_state`` at this step with the JSON object in ``values``, as the node ``as_node``."""
    values = _json_field(form, "values")
    as_node = form.get("as_node") or None
    return graph.update_state(config, values, as_node=as_node)


def answer(graph: CompiledStateGraph, config: RunnableConfig, form: Any) -> RunnableConfig:
    """Resume this step's interrupt with the JSON in ``resume`` (by its id when several wait)."""
    value = _json_field(form, "resume")
    interrupt_id = form.get("interrupt_id") or ""
    pending = graph.get_state(config).interrupts
    if len(pending) > 1 and interrupt_id:
        value = {interrupt_id: value}
    graph.invoke(Command(resume=value), config)
    return _latest(graph, config)


def _perform(
    inspector: Inspector, graph: CompiledStateGraph, action: Action, form: Any
) -> RunnableConfig:
    thread_id = _field(form, "thread_id")
    item = read_step(inspector.saver, thread_id, _field(form, "checkpoint_id"))
    return action(graph, thread_config(thread_id, item.checkpoint.id), form)


def _route(inspector: Inspector, name: str, action: Action) -> Route:
    graph = inspector.graph
    assert graph is not None  # routes are only made for an inspector with a graph

    async def endpoint(request: Request) -> Response:
        if not await csrf_ok(request, inspector.csrf):
            return PlainTextResponse(
                "403: this form lacks the inspector's CSRF token; reload the page and post again.",
                status_code=403,
            )
        form = await request.form()
        thread_id = str(form.get("thread_id") or "")
        try:
            # Reads and runs block: in a worker thread, as Starlette runs sync endpoints.
            made = await run_in_threadpool(_perform, inspector, graph, action, form)
        except CheckpointNotFoundError as error:
            return inspector.page(request, "error.html", 404, title="Not found", message=str(error))
        except InvalidConfigError as error:
            return inspector.page(
                request, "error.html", 400, title="Bad request", message=str(error)
            )
        # A node failed: shown as a 500 page; the engine saved it as the step's error too.
        except Exception as error:  # noqa: BLE001 - reported to the user, not swallowed
            message = f"{type(error).__name__}: {error}"
            return inspector.page(
                request,
                "error.html",
                500,
                title=f"{name} failed",
                message=message,
                thread_id=thread_id,
            )
        target = config_checkpoint_id(made)
        url = request.url_for("step_page").include_query_params(
            thread_id=thread_id, checkpoint_id=target
        )
        return RedirectResponse(str(url), status_code=303)

    return Route(f"/actions/{name}", endpoint, methods=["POST"], name=f"action_{name}")


def write_routes(inspector: Inspector) -> list[Route]:
    """The POST routes; :func:`cairngraph.inspector.create_app` adds them only when writable."""
    actions: dict[str, Action] = {"resume": resume, "fork": fork, "edit": edit, "answer": answer}
    return [_route(inspector, name, action) for name, action in actions.items()]
