"""The shapes of a human-review interrupt ("agent inbox"): what the graph asks, what it gets.

A node pauses with ``interrupt([HumanInterrupt(...)])`` and reads a
:class:`HumanResponse` from the resume value, as in LangGraph's
``langgraph.prebuilt.interrupt`` (which now points users to
``langchain.agents.interrupt`` for the first three: marked deprecated, for type
checkers, as there).
They are TypedDicts: plain dicts when saved, so a paused thread needs nothing registered.

Example::

    request = HumanInterrupt(
        action_request=ActionRequest(action="run_command", args={"command": "ls"}),
        config=HumanInterruptConfig(
            allow_ignore=True, allow_respond=True, allow_edit=False, allow_accept=True
        ),
        description="Please review the command before it runs",
    )
    response: HumanResponse = interrupt([request])[0]
    if response["type"] == "accept":
        ...
"""

from __future__ import annotations

from typing import Literal

from typing_extensions import TypedDict, deprecated

__all__ = ["ActionRequest", "HumanInterrupt", "HumanInterruptConfig", "HumanResponse"]

_MOVED = "{} has moved to langchain.agents.interrupt in LangGraph 1.x; it works here unchanged."


@deprecated(_MOVED.format("HumanInterruptConfig"), category=DeprecationWarning)
class HumanInterruptConfig(TypedDict):
    """What the reviewer may do with the request."""

    allow_ignore: bool
    """Skip the step."""
    allow_respond: bool
    """Answer in words."""
    allow_edit: bool
    """Change the request's arguments."""
    allow_accept: bool
    """Approve it as it is."""


@deprecated(_MOVED.format("ActionRequest"), category=DeprecationWarning)
class ActionRequest(TypedDict):
    """The action waiting for review: its name and arguments."""

    action: str
    args: dict  # type: ignore[type-arg]  # any JSON-like arguments, as LangGraph's


@deprecated(_MOVED.format("HumanInterrupt"), category=DeprecationWarning)
class HumanInterrupt(TypedDict):
    """What a node passes to ``interrupt()`` to ask a human to review an action."""

    action_request: ActionRequest
    config: HumanInterruptConfig
    description: str | None


class HumanResponse(TypedDict):
    """The reviewer's answer, given back as the resume value.

    ``type`` ``"accept"`` (``args`` None), ``"ignore"`` (None), ``"response"``
    (``args`` the text) or ``"edit"`` (``args`` the edited :class:`ActionRequest`).
    """

    type: Literal["accept", "ignore", "response", "edit"]
    args: str | ActionRequest | None
