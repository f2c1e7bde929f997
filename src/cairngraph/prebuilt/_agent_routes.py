"""Where ``create_react_agent``'s graph goes after each node.

After ``agent``: to the tools when the model asked for some (v2: one ``Send``
per call, carrying the state it was made in), else to ``post_model_hook``, the
structured response, or END. After ``post_model_hook``: to the calls still
unanswered, back to the start after a tool answer, else onward. After
``tools``: END when a ``return_direct`` tool answered, else back to the start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from langchain_core.messages import AIMessage, ToolMessage

from cairngraph.constants import END
from cairngraph.graph.state import StateGraph
from cairngraph.prebuilt._agent_model import state_value
from cairngraph.types import Send

__all__ = ["Routes"]


def _sends(calls: list[Any], state: Any) -> list[Send]:
    return [
        Send("tools", {"__type": "tool_call_with_context", "tool_call": call, "state": state})
        for call in calls
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class Routes:
    """The agent graph's routing, from what the agent was built with."""

    entry: str
    version: Literal["v1", "v2"]
    post_model_hook: bool
    structured: bool
    return_direct: frozenset[str]

    @property
    def _after_answer(self) -> str:
        if self.post_model_hook:
            return "post_model_hook"
        return "generate_structured_response" if self.structured else END

    def should_continue(self, state: Any) -> str | list[Send]:
        last = state_value(state, "messages")[-1]
        if not isinstance(last, AIMessage) or not last.tool_calls:
            return self._after_answer
        if self.version == "v1":
            return "tools"
        if self.post_model_hook:
            return "post_model_hook"
        return _sends(last.tool_calls, state)

    def after_post_model_hook(self, state: Any) -> str | list[Send]:
        messages = state_value(state, "messages")
        answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
        last_ai = next(m for m in reversed(messages) if isinstance(m, AIMessage))
        pending = [call for call in last_ai.tool_calls if call["id"] not in answered]
        if pending:
            return _sends(pending, state)
        if isinstance(messages[-1], ToolMessage):
            return self.entry
        return "generate_structured_response" if self.structured else END

    def after_tools(self, state: Any) -> str:
        message: Any = None
        for message in reversed(state_value(state, "messages")):
            if not isinstance(message, ToolMessage):
                break
            if message.name in self.return_direct:
                return END
        # Parallel calls sent one by one: the return_direct one may have run in another task.
        if isinstance(message, AIMessage) and any(
            call["name"] in self.return_direct for call in message.tool_calls
        ):
            return END
        return self.entry

    def connect_tools(self, workflow: StateGraph) -> None:
        """The edges of an agent with tools."""
        agent_paths = ["post_model_hook" if self.post_model_hook else "tools"]
        hook_paths = [self.entry, "tools"]
        finish = "generate_structured_response" if self.structured else END
        (hook_paths if self.post_model_hook else agent_paths).append(finish)
        if self.post_model_hook:
            workflow.add_conditional_edges(
                "post_model_hook", self.after_post_model_hook, path_map=hook_paths
            )
        workflow.add_conditional_edges("agent", self.should_continue, path_map=agent_paths)
        if self.return_direct:
            workflow.add_conditional_edges("tools", self.after_tools, path_map=[self.entry, END])
        else:
            workflow.add_edge("tools", self.entry)

    def connect_without_tools(self, workflow: StateGraph) -> None:
        """The edges of an agent with no tools: model, hooks, structured response, done."""
        last = "agent"
        if self.post_model_hook:
            last = "post_model_hook"
        if self.structured:
            workflow.add_edge(last, "generate_structured_response")
