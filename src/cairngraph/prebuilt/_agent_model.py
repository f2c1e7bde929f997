"""The model side of ``create_react_agent``: prompts, binding tools, finding the chat model.

- ``prompt`` becomes a runnable from state to model input: None reads
  ``state["messages"]``; a string or ``SystemMessage`` goes before them; a
  callable or runnable is called with the state.
- A model is bound to the tools unless it already is (``model.bind_tools``
  before); then the bound tools must be the agent's tools.
- ``response_format`` asks the underlying chat model (found through a prompt
  sequence and a binding) for ``with_structured_output``.

Invariant: the history sent to the model never has a tool call without its
answer; that is checked before every model call, with an error naming the calls.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableBinding, RunnableLambda, RunnableSequence
from langchain_core.tools import BaseTool

from cairngraph.errors import CairnGraphError

__all__ = [
    "InvalidChatHistoryError",
    "chat_model_of",
    "direct_prompt",
    "prompt_runnable",
    "should_bind_tools",
    "state_value",
    "validate_chat_history",
]

PROMPT_NAME = "Prompt"


class InvalidChatHistoryError(CairnGraphError, ValueError):
    """The messages sent to the model have a tool call that was never answered."""


class InvalidModelError(CairnGraphError, TypeError):
    """``create_react_agent`` was given a model it cannot use for this."""


def state_value(state: Any, key: str, default: Any = None) -> Any:
    """``state[key]`` for dict states, ``state.key`` for objects."""
    return state.get(key, default) if isinstance(state, dict) else getattr(state, key, default)


def prompt_runnable(prompt: Any) -> Runnable[Any, Any]:
    """The runnable turning the agent's state into the model's input."""
    if prompt is None:
        return RunnableLambda(lambda state: state_value(state, "messages"), name=PROMPT_NAME)
    if isinstance(prompt, str | SystemMessage):
        system = SystemMessage(content=prompt) if isinstance(prompt, str) else prompt
        return RunnableLambda(
            lambda state: [system, *state_value(state, "messages")], name=PROMPT_NAME
        )
    if isinstance(prompt, Runnable):
        return prompt
    if inspect.iscoroutinefunction(prompt) or callable(prompt):
        return RunnableLambda(prompt, name=PROMPT_NAME)
    raise InvalidModelError(f"Got unexpected type for `prompt`: {type(prompt)}")


def direct_prompt(prompt: Any) -> Callable[[Any], list[Any]] | None:
    """For a prompt that is only messages (None, a string, a SystemMessage), the function
    building the model's input; None for a callable or runnable prompt.

    The agent calls such prompts itself instead of through a runnable: the model
    sees the same messages, with two runnable calls (and their callback set-up)
    fewer per turn.
    """
    if prompt is None:
        return lambda state: state_value(state, "messages")
    if isinstance(prompt, str | SystemMessage):
        system = SystemMessage(content=prompt) if isinstance(prompt, str) else prompt
        return lambda state: [system, *state_value(state, "messages")]
    return None


def _first_model_step(model: Any) -> Any:
    if isinstance(model, RunnableSequence):
        return next(
            (step for step in model.steps if isinstance(step, RunnableBinding | BaseChatModel)),
            model,
        )
    return model


def should_bind_tools(model: Any, tools: Sequence[BaseTool], builtin: int = 0) -> bool:
    """Whether ``model`` still needs ``bind_tools``; a model bound before must match ``tools``."""
    model = _first_model_step(model)
    if not isinstance(model, RunnableBinding) or "tools" not in model.kwargs:
        return True
    bound = model.kwargs["tools"]
    if len(tools) != len(bound) - builtin:
        raise ValueError(
            "Number of tools in the model.bind_tools() and tools passed to create_react_agent "
            f"must match Got {len(tools)} tools, expected {len(bound) - builtin}"
        )
    names = set()
    for spec in bound:
        if spec.get("type") == "function":
            names.add(spec["function"]["name"])
        elif spec.get("name"):
            names.add(spec["name"])
    missing = {tool.name for tool in tools} - names
    if missing:
        raise ValueError(f"Missing tools '{missing}' in the model.bind_tools()")
    return False


def chat_model_of(model: Any) -> BaseChatModel:
    """The chat model under a prompt sequence and a ``bind_tools`` binding."""
    model = _first_model_step(model)
    if isinstance(model, RunnableBinding):
        model = model.bound
    if not isinstance(model, BaseChatModel):
        raise InvalidModelError(
            "Expected `model` to be a ChatModel or RunnableBinding (e.g. model.bind_tools(...)), "
            f"got {type(model)}"
        )
    return model


def validate_chat_history(messages: Sequence[BaseMessage]) -> None:
    """Raise when an AI message's tool call has no ToolMessage answering it."""
    answered = {m.tool_call_id for m in messages if isinstance(m, ToolMessage)}
    unanswered = [
        call
        for message in messages
        if isinstance(message, AIMessage)
        for call in message.tool_calls
        if call["id"] not in answered
    ]
    if unanswered:
        raise InvalidChatHistoryError(
            "Found AIMessages with tool_calls that do not have a corresponding ToolMessage. "
            f"Here are the first few of those tool calls: {unanswered[:3]}.\n\n"
            "Every tool call (LLM requesting to call a tool) in the message history MUST have a "
            "corresponding ToolMessage (result of a tool invocation to return to the LLM) - this "
            "is required by most LLM providers. To fix it, answer each pending tool call with a "
            "ToolMessage (e.g. update_state with one) before sending a new message."
        )
