"""The agent's chat model: Groq when it can be used, else a deterministic offline model.

Groq needs ``langchain-groq`` (``pip install langchain-groq``) and a key in
``GROQ_API_KEY``; without either, the offline model answers, and the run,
its checkpoints, the interrupt and the history are just as real.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable

GROQ_MODEL = "llama-3.3-70b-versatile"


class OfflineModel(BaseChatModel):
    """Plans from the conversation alone, so a second process continues where the first stopped.

    After the user's request it checks the calendar; after the calendar it
    books the first free slot; after the booking it reports what happened.
    """

    @property
    def _llm_type(self) -> str:
        return "offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, BaseMessage]:
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=_next_message(messages))])


def _next_message(messages: list[BaseMessage]) -> AIMessage:
    start = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    results = [m for m in messages[start:] if isinstance(m, ToolMessage)]
    turn = len(results)
    if turn == 0:
        day = _day(str(messages[start].content))
        return _call("check_calendar", {"day": day}, turn)
    if turn == 1:
        free = json.loads(str(results[0].content))
        slot = free["free"][0] if free["free"] else "09:00"
        return _call("book_meeting", {"day": free["day"], "time": slot, "title": "Sync"}, turn)
    return AIMessage(f"Done: {results[-1].content}")


def _day(request: str) -> str:
    found = re.search(r"monday|tuesday|wednesday|thursday|friday", request.lower())
    return found.group(0) if found else "monday"


def _call(name: str, args: dict[str, Any], turn: int) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": f"call_{turn}_{name}"}])


def load_model() -> tuple[Any, str]:
    """The model to use and a one-line description of it."""
    key = os.environ.get("GROQ_API_KEY")
    if key and importlib.util.find_spec("langchain_groq") is not None:
        from langchain_groq import ChatGroq

        return ChatGroq(model=GROQ_MODEL, temperature=0), f"Groq {GROQ_MODEL}"
    why = (
        "langchain-groq is not installed (pip install langchain-groq)"
        if key
        else "set GROQ_API_KEY (and pip install langchain-groq) to use Groq"
    )
    return OfflineModel(), f"offline scripted model ({why})"
