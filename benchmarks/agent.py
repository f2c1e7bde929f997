"""A ReAct agent turn: each engine's own ``create_react_agent``, one scripted model, two tools.

A turn is what a chat user waits for: the user's message, a model call asking
for both tools, the two tool calls, and the model's answer (four supersteps
and their checkpoints). Both engines get the same chat model object (a real
langchain-core ``BaseChatModel`` answering from the conversation) and the
same two ``@tool`` functions, so the figures differ only by what each engine
adds around them. One thread takes every turn, so the history grows as in a
real chat.
"""

from __future__ import annotations

import importlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool

from benchmarks.engines import Engine
from benchmarks.workloads import Workload


class TurnModel(BaseChatModel):
    """Asks for both tools after a user message, answers after their results."""

    @property
    def _llm_type(self) -> str:
        return "benchmark"

    def bind_tools(self, tools: Any, **kwargs: Any) -> Any:
        return self

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        if isinstance(messages[-1], HumanMessage):
            turn = len(messages)
            message = AIMessage(
                "",
                tool_calls=[
                    {"name": "get_weather", "args": {"city": "Paris"}, "id": f"w{turn}"},
                    {"name": "add", "args": {"a": turn, "b": 1}, "id": f"a{turn}"},
                ],
            )
        else:
            message = AIMessage(f"It is sunny; the sum is {messages[-1].content}.")
        return ChatResult(generations=[ChatGeneration(message=message)])


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"It is sunny in {city}."


@tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def agent_turn(saver: str, *, one_thread: bool) -> Callable[[Engine, bool], float]:
    """Microseconds per agent turn with ``saver`` (``memory`` or ``sqlite``).

    ``one_thread``: every turn continues one conversation (its history grows by
    five messages a turn); otherwise each turn is the first of a new thread.
    """

    def run(engine: Engine, quick: bool) -> float:
        prebuilt = importlib.import_module(f"{engine.name}.prebuilt")
        turns = 3 if quick else 30
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "agent.db")
            made = engine.memory() if saver == "memory" else engine.sqlite(path)
            agent = prebuilt.create_react_agent(TurnModel(), [get_weather, add], checkpointer=made)
            agent.invoke({"messages": [("user", "warm up")]}, _config("warm-up"))
            start, cpu = time.perf_counter(), time.process_time()
            for turn in range(turns):
                thread = "chat" if one_thread else f"thread-{turn}"
                agent.invoke({"messages": [("user", f"weather, and {turn}+1?")]}, _config(thread))
            CPU.setdefault((name, engine.name), []).append(
                (time.process_time() - cpu) / turns * 1e6
            )
            return (time.perf_counter() - start) / turns * 1e6

    name = f"{'one thread' if one_thread else 'new thread'}, {saver}"
    return run


CPU: dict[tuple[str, str], list[float]] = {}
"""CPU µs/turn of every run, by (workload, engine): on a busy machine wall time also
counts the waits for other processes, CPU time only this process's work."""


def cpu_details() -> list[str]:
    """The CPU-time figures of the runs so far, one line per workload."""
    lines = ["CPU time per agent turn (all threads of this process), medians:"]
    for label in dict.fromkeys(key[0] for key in CPU):
        ours = statistics.median(CPU.get((label, "cairngraph"), [0.0]))
        theirs = statistics.median(CPU.get((label, "langgraph"), [0.0]))
        ratio = theirs / ours if ours else float("inf")
        lines.append(
            f"  {label:<24} cairngraph {ours:>9.1f}  langgraph {theirs:>9.1f}  {ratio:>5.1f}x"
        )
    return lines


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread}}


WORKLOADS = [
    Workload(
        "ReAct turn, 2 tools, new thread, in-memory",
        "µs/turn",
        agent_turn("memory", one_thread=False),
        "agent",
    ),
    Workload(
        "ReAct turn, 2 tools, new thread, SQLite",
        "µs/turn",
        agent_turn("sqlite", one_thread=False),
        "agent",
    ),
    Workload(
        "ReAct turns 1-30 of one thread, in-memory",
        "µs/turn",
        agent_turn("memory", one_thread=True),
        "agent",
    ),
    Workload(
        "ReAct turns 1-30 of one thread, SQLite",
        "µs/turn",
        agent_turn("sqlite", one_thread=True),
        "agent",
        cpu_details,
    ),
]
