"""Names the engine reserves: the graph's entry and exit, and its internal channels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["END", "START", "TAG_HIDDEN", "TAG_NOSTREAM"]

START: Final = "__start__"
"""The virtual node a run starts from: ``add_edge(START, "first_node")``."""
END: Final = "__end__"
"""The virtual node that ends a run: ``add_edge("last_node", END)``."""
TAG_NOSTREAM: Final = "nostream"
"""A chat model or tool tagged with it (``model.with_config(tags=[TAG_NOSTREAM])``) is
not streamed in ``stream_mode="messages"``/``"tools"``."""
TAG_HIDDEN: Final = "langsmith:hidden"
"""A node or run tagged with it is hidden from tracing and ``astream_events``."""

TASKS: Final = "__pregel_tasks"
"""Channel holding the :class:`~cairngraph.types.Send` packets of the next step."""
INTERRUPT_SEEN: Final = "__interrupt__"
"""``versions_seen`` key: channel versions at the last ``interrupt_before/after`` pause."""
PULL: Final = "__pregel_pull"
"""Task path prefix of a node triggered by its channels."""
PUSH: Final = "__pregel_push"
"""Task path prefix of a node started by a ``Send`` (or by a ``@task`` call)."""
RETURN: Final = "__return__"
"""The write holding what a ``@task`` call returned (its saved result)."""
ROOT: Final = "__root__"
"""The one channel of a root schema such as ``StateGraph(Annotated[list, operator.add])``."""
PREVIOUS: Final = "__previous__"
"""Channel of an entrypoint: what it returned, or ``entrypoint.final(save=)``, last run."""

RAN: Final = "__ran__"
"""``versions_seen`` key naming the nodes of the step that made the checkpoint."""
DEFAULT_RECURSION_LIMIT: Final = 10007
"""Steps a run may take when its config names no ``recursion_limit`` (LangGraph's default)."""

ERROR_HANDLER_PREFIX: Final = "__error_handler__"
"""A node's own error handler runs as the node ``__error_handler__<node>``."""

DEFAULT_ERROR_HANDLER: Final = "__default_error_handler__"
"""The node ``set_node_defaults(error_handler=...)`` adds."""

NULL_TASK_ID: Final = "00000000-0000-0000-0000-000000000000"
"""The task id of writes that belong to no task: a ``Command(update=, goto=)`` input."""


BRANCH_PREFIX: Final = "branch:to:"
"""Prefix of the trigger channels: a write to ``branch:to:<node>`` starts ``<node>``."""


def branch_channel(node: str) -> str:
    """The trigger channel an edge writes to start ``node``."""
    return f"{BRANCH_PREFIX}{node}"


def branch_targets(channels: Iterable[str]) -> list[str]:
    """The nodes the trigger channels among ``channels`` start, in their order."""
    return [name[len(BRANCH_PREFIX) :] for name in channels if name.startswith(BRANCH_PREFIX)]


def join_channel(sources: tuple[str, ...], target: str) -> str:
    """The barrier channel of ``add_edge([a, b], target)``."""
    return f"join:{'+'.join(sources)}:{target}"
