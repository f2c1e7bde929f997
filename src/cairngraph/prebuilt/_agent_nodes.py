"""The nodes of ``create_react_agent`` that call the model: the agent turn and the
structured response.

Each is an object with ``invoke``/``ainvoke`` (the engine calls the first in
sync runs, the second in async runs). A static model is composed with the
prompt once; a dynamic model (``model(state, runtime)``) is resolved on every
call. When the recursion limit leaves too few steps to run the tools the model
asked for, the turn answers "Sorry, need more steps to process this request."
instead, as LangGraph does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, SystemMessage
from langchain_core.runnables import Runnable, RunnableConfig
from pydantic import BaseModel

from cairngraph.engine._context import maybe_current_task
from cairngraph.errors import CairnGraphError
from cairngraph.prebuilt._agent_model import (
    InvalidChatHistoryError,
    chat_model_of,
    prompt_runnable,
    state_value,
    validate_chat_history,
)
from cairngraph.runtime import Runtime

__all__ = ["ModelCall", "StructuredResponseNode"]

NEED_MORE_STEPS = "Sorry, need more steps to process this request."


class AsyncModelInSyncRunError(CairnGraphError, RuntimeError):
    """An async model callable, but the agent was invoked synchronously."""


def _runtime() -> Runtime[Any]:
    task = maybe_current_task()
    return task.runtime if task is not None else Runtime()


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelCall:
    """How the agent reaches its model: static (with the prompt) or ``model(state, runtime)``."""

    model: Any
    prompt: Any
    static: Runnable[Any, Any] | None
    direct: Callable[[Any], list[Any]] | None = None
    """With a static model and a prompt of messages only: builds the model's input."""

    @property
    def is_async(self) -> bool:
        return self.static is None and inspect.iscoroutinefunction(self.model)

    def resolve(self, state: Any) -> Runnable[Any, Any]:
        if self.static is not None:
            return self.static
        if self.is_async:
            raise AsyncModelInSyncRunError(
                "Async model callable provided but agent invoked synchronously. Use "
                "agent.ainvoke() or agent.astream(), or provide a sync model callable."
            )
        chosen: Runnable[Any, Any] = self.model(state, _runtime())
        return prompt_runnable(self.prompt) | chosen

    async def aresolve(self, state: Any) -> Runnable[Any, Any]:
        if self.static is not None:
            return self.static
        chosen = self.model(state, _runtime())
        if inspect.isawaitable(chosen):
            chosen = await chosen
        model: Runnable[Any, Any] = chosen
        return prompt_runnable(self.prompt) | model


def _traced() -> bool:
    task = maybe_current_task()
    return task is not None and task.trace is not None


def _call_model_run(state: Any, config: RunnableConfig | None) -> Any:
    """When the run reports to callbacks, the ``call_model`` run LangGraph's agent node
    shows (its model call then goes through the prompt runnable, as LangGraph's does)."""
    if config is None or not _traced():
        return None
    from langchain_core.runnables.config import get_callback_manager_for_config

    return get_callback_manager_for_config(config).on_chain_start(None, state, name="call_model")


async def _acall_model_run(state: Any, config: RunnableConfig | None) -> Any:
    if config is None or not _traced():
        return None
    from langchain_core.runnables.config import get_async_callback_manager_for_config

    manager = get_async_callback_manager_for_config(config)
    return await manager.on_chain_start(None, state, name="call_model")


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentTurn:
    """The ``agent`` node: one model call, answering with the model's message."""

    model: ModelCall
    name: str | None
    return_direct: frozenset[str]
    reads_hook_messages: bool
    pydantic_state: bool

    def invoke(self, state: Any, config: RunnableConfig | None = None) -> dict[str, Any]:
        run = _call_model_run(state, config)
        try:
            model_input = self._model_input(state)
            if self.model.direct is not None and run is None:
                response = self.model.model.invoke(self.model.direct(model_input), config)
            else:
                response = self.model.resolve(state).invoke(model_input, config)
            answer = self._answer(state, response)
        except BaseException as error:
            if run is not None:
                run.on_chain_error(error)
            raise
        if run is not None:
            run.on_chain_end(answer)
        return answer

    async def ainvoke(self, state: Any, config: RunnableConfig | None = None) -> dict[str, Any]:
        run = await _acall_model_run(state, config)
        try:
            model_input = self._model_input(state)
            if self.model.direct is not None and run is None:
                response = await self.model.model.ainvoke(self.model.direct(model_input), config)
            else:
                response = await (await self.model.aresolve(state)).ainvoke(model_input, config)
            answer = self._answer(state, response)
        except BaseException as error:
            if run is not None:
                await run.on_chain_error(error)
            raise
        if run is not None:
            await run.on_chain_end(answer)
        return answer

    def _model_input(self, state: Any) -> Any:
        messages = None
        if self.reads_hook_messages:
            messages = state_value(state, "llm_input_messages")
        messages = messages or state_value(state, "messages")
        if messages is None:
            expected = (
                "'llm_input_messages' or 'messages' key"
                if self.reads_hook_messages
                else "'messages' key"
            )
            raise InvalidChatHistoryError(
                f"Expected input to call_model to have {expected}, but got {state}"
            )
        validate_chat_history(messages)
        # The prompt reads ``messages``: the hook's trimmed list takes its place.
        if self.pydantic_state:
            state.messages = messages
        else:
            state["messages"] = messages
        return state

    def _answer(self, state: Any, response: Any) -> dict[str, Any]:
        response.name = self.name
        if self._needs_more_steps(state, response):
            return {"messages": [AIMessage(id=response.id, content=NEED_MORE_STEPS)]}
        return {"messages": [response]}

    def _needs_more_steps(self, state: Any, response: Any) -> bool:
        remaining = state_value(state, "remaining_steps")
        if remaining is None or not isinstance(response, AIMessage):
            return False
        calls = response.tool_calls
        all_direct = all(call["name"] in self.return_direct for call in calls)
        return (remaining < 1 and all_direct) or (remaining < 2 and bool(calls))


@dataclass(frozen=True, slots=True, kw_only=True)
class StructuredResponseNode:
    """The ``generate_structured_response`` node: a second model call for ``response_format``."""

    model: ModelCall
    response_format: Any

    def _request(self, state: Any) -> tuple[list[Any], Any]:
        messages = list(state_value(state, "messages"))
        schema = self.response_format
        if isinstance(schema, tuple):
            system, schema = schema
            messages = [SystemMessage(content=system), *messages]
        return messages, schema

    def invoke(self, state: Any, config: RunnableConfig | None = None) -> dict[str, Any]:
        messages, schema = self._request(state)
        structured = chat_model_of(self.model.resolve(state)).with_structured_output(schema)
        return {"structured_response": structured.invoke(messages, config)}

    async def ainvoke(self, state: Any, config: RunnableConfig | None = None) -> dict[str, Any]:
        messages, schema = self._request(state)
        resolved = await self.model.aresolve(state)
        structured = chat_model_of(resolved).with_structured_output(schema)
        return {"structured_response": await structured.ainvoke(messages, config)}


def is_pydantic_schema(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)
