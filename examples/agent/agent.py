"""The meeting agent: two tools, one of which waits for a human to approve it.

``book_meeting`` calls ``interrupt()`` before it books: the run pauses, the
pause is saved with the thread, and whoever answers (this process or another
one, later) resumes it with ``Command(resume="yes")`` or ``"no"``.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.tools import tool

from cairngraph.prebuilt import create_react_agent
from cairngraph.types import interrupt

CALENDAR = {"monday": ["09:00", "14:00"], "tuesday": ["11:00"], "wednesday": []}

PROMPT = (
    "You book meetings. First call check_calendar for the day asked, then book_meeting "
    "in a free slot, then say what happened."
)


@tool
def check_calendar(day: str) -> str:
    """The free slots of a weekday, as JSON."""
    return json.dumps({"day": day, "free": CALENDAR.get(day.lower(), ["10:00"])})


@tool
def book_meeting(day: str, time: str, title: str) -> str:
    """Book a meeting; a human must approve it first."""
    answer = interrupt({"action": "book_meeting", "day": day, "time": time, "title": title})
    if str(answer).strip().lower() not in ("y", "yes"):
        return f"Not booked: the human said {answer!r}."
    return f"Booked {title!r} on {day} at {time}."


def build(model: Any, checkpointer: Any) -> Any:
    """The agent graph, saving every step with ``checkpointer``."""
    return create_react_agent(
        model, [check_calendar, book_meeting], prompt=PROMPT, checkpointer=checkpointer
    )


def tool_history(agent: Any, config: dict[str, Any]) -> list[tuple[int, str, str, str]]:
    """``(step, tool, arguments, result)`` of every tool call of the thread, oldest first."""
    last = agent.get_state(config)
    results = {m.tool_call_id: str(m.content) for m in last.values["messages"] if m.type == "tool"}
    rows: list[tuple[int, str, str, str]] = []
    for snapshot in reversed(list(agent.get_state_history(config))):
        if snapshot.metadata is None or snapshot.metadata["source"] != "loop":
            continue
        for task in snapshot.tasks:
            for message in (task.result or {}).get("messages", []):
                for call in getattr(message, "tool_calls", None) or []:
                    result = results.get(call["id"], "(waiting for approval)")
                    rows.append(
                        (snapshot.metadata["step"], call["name"], json.dumps(call["args"]), result)
                    )
    return rows
