"""``create_react_agent``: a chat model that calls tools in a loop until it answers.

The graph, as LangGraph builds it: ``agent`` (the model) → ``tools`` (a
``ToolNode``) → ``agent`` ... until the model answers without tool calls;
with ``pre_model_hook`` a node before every model call (its
``llm_input_messages`` replace the history sent to the model without
changing the state), with ``post_model_hook`` a node after it, with
``response_format`` a last node asking the model for a structured answer.
``version="v2"`` (the default) sends each tool call to ``tools`` as its own
task; ``"v1"`` runs them all in one task. A tool with ``return_direct=True``
ends the run with its answer.

Example::

    agent = create_react_agent(model, [get_weather], prompt="Be brief.",
                               checkpointer=InMemorySaver())
    agent.invoke({"messages": [("user", "weather in Paris?")]},
                 {"configurable": {"thread_id": "1"}})
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, NotRequired

from langchain_core.messages import AnyMessage, BaseMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, create_model
from typing_extensions import TypedDict

from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.graph.message import add_messages
from cairngraph.graph.state import StateGraph
from cairngraph.managed import RemainingSteps
from cairngraph.prebuilt._agent_model import direct_prompt, prompt_runnable, should_bind_tools
from cairngraph.prebuilt._agent_nodes import (
    AgentTurn,
    ModelCall,
    StructuredResponseNode,
    is_pydantic_schema,
)
from cairngraph.prebuilt._agent_routes import Routes
from cairngraph.prebuilt.tool_node import ToolNode

__all__ = [
    "AgentState",
    "AgentStatePydantic",
    "AgentStateWithStructuredResponse",
    "AgentStateWithStructuredResponsePydantic",
    "create_react_agent",
    "create_tool_calling_executor",
]

StructuredResponse = dict[str, Any] | BaseModel


class AgentState(TypedDict):
    """The agent's state: the conversation and the steps it may still take.

    Example::

        class State(AgentState):
            user_id: str

        agent = create_react_agent(model, tools, state_schema=State)
    """

    messages: Annotated[Sequence[BaseMessage], add_messages]
    remaining_steps: NotRequired[RemainingSteps]


class AgentStatePydantic(BaseModel):
    """:class:`AgentState` as a pydantic model."""

    messages: Annotated[Sequence[BaseMessage], add_messages]
    remaining_steps: RemainingSteps = 25


class AgentStateWithStructuredResponse(AgentState):
    """:class:`AgentState` with the answer asked for by ``response_format``."""

    structured_response: StructuredResponse


class AgentStateWithStructuredResponsePydantic(AgentStatePydantic):
    """:class:`AgentStateWithStructuredResponse` as a pydantic model."""

    structured_response: StructuredResponse


def create_react_agent(
    model: Any,
    tools: Sequence[BaseTool | Callable[..., Any] | dict[str, Any]] | ToolNode,
    *,
    prompt: Any = None,
    response_format: Any = None,
    pre_model_hook: Any = None,
    post_model_hook: Any = None,
    state_schema: Any = None,
    context_schema: type[Any] | None = None,
    checkpointer: Any = None,
    store: Any = None,
    interrupt_before: list[str] | None = None,
    interrupt_after: list[str] | None = None,
    debug: bool = False,
    version: Literal["v1", "v2"] = "v2",
    name: str | None = None,
    config_schema: type[Any] | None = None,
) -> CompiledStateGraph:
    """Build a tool-calling agent graph (see the module docstring).

    ``model`` is a chat model (bound to the tools here unless it already is),
    a runnable, or ``model(state, runtime)`` choosing one per call;
    ``config_schema`` is the old name of ``context_schema``.

    Example::

        agent = create_react_agent(model, [add], checkpointer=InMemorySaver())
    """
    if version not in ("v1", "v2"):
        raise ValueError(f"Invalid version {version}. Supported versions are 'v1' and 'v2'.")
    context_schema = context_schema or config_schema
    state_schema = _checked_state_schema(state_schema, response_format)
    tool_node, builtin = _tool_node(tools)
    tool_list = list(tool_node.tools_by_name.values())
    call = _model_call(model, prompt, tool_list, builtin)
    return_direct = frozenset(tool.name for tool in tool_list if tool.return_direct)
    turn = AgentTurn(
        model=call,
        name=name,
        return_direct=return_direct,
        reads_hook_messages=pre_model_hook is not None,
        pydantic_state=is_pydantic_schema(state_schema),
    )
    workflow = StateGraph(state_schema, context_schema=context_schema)
    workflow.add_node("agent", turn, input_schema=_agent_input(state_schema, pre_model_hook))
    entry = "agent"
    if pre_model_hook is not None:
        workflow.add_node("pre_model_hook", pre_model_hook)
        workflow.add_edge("pre_model_hook", "agent")
        entry = "pre_model_hook"
    workflow.set_entry_point(entry)
    if post_model_hook is not None:
        workflow.add_node("post_model_hook", post_model_hook)
        workflow.add_edge("agent", "post_model_hook")
    if response_format is not None:
        workflow.add_node(
            "generate_structured_response",
            StructuredResponseNode(model=call, response_format=response_format),
        )
    routes = Routes(
        entry=entry,
        version=version,
        post_model_hook=post_model_hook is not None,
        structured=response_format is not None,
        return_direct=return_direct,
    )
    if tool_list:
        workflow.add_node("tools", tool_node)
        routes.connect_tools(workflow)
    else:
        routes.connect_without_tools(workflow)
    return workflow.compile(
        checkpointer=checkpointer,
        store=store,
        interrupt_before=interrupt_before,
        interrupt_after=interrupt_after,
        debug=debug,
        name=name,
    )


create_tool_calling_executor = create_react_agent


def _checked_state_schema(state_schema: Any, response_format: Any) -> Any:
    if state_schema is None:
        return AgentStateWithStructuredResponse if response_format is not None else AgentState
    required = {"messages", "remaining_steps"}
    if response_format is not None:
        required.add("structured_response")
    missing = required - set(typing.get_type_hints(state_schema))
    if missing:
        raise ValueError(f"Missing required key(s) {missing} in state_schema")
    return state_schema


def _tool_node(
    tools: Sequence[BaseTool | Callable[..., Any] | dict[str, Any]] | ToolNode,
) -> tuple[ToolNode, list[dict[str, Any]]]:
    """The ToolNode and the model's built-in tools (plain dicts, bound but never run here)."""
    if isinstance(tools, ToolNode):
        return tools, []
    builtin = [tool for tool in tools if isinstance(tool, dict)]
    return ToolNode([tool for tool in tools if not isinstance(tool, dict)]), builtin


def _model_call(
    model: Any, prompt: Any, tools: list[BaseTool], builtin: list[dict[str, Any]]
) -> ModelCall:
    if not isinstance(model, str | Runnable) and callable(model):
        return ModelCall(model=model, prompt=prompt, static=None)
    if isinstance(model, str):
        model = _init_chat_model(model)
    if (tools or builtin) and should_bind_tools(model, tools, len(builtin)):
        model = model.bind_tools([*tools, *builtin])
    return ModelCall(
        model=model,
        prompt=prompt,
        static=prompt_runnable(prompt) | model,
        direct=direct_prompt(prompt),
    )


def _init_chat_model(model: str) -> Any:
    try:
        from langchain.chat_models import init_chat_model  # type: ignore[import-not-found]
    except ImportError as missing:
        raise ImportError(
            "Please install langchain (`pip install langchain`) to use '<provider>:<model>' "
            "string syntax for `model` parameter."
        ) from missing
    return init_chat_model(model)


def _agent_input(state_schema: Any, pre_model_hook: Any) -> Any:
    """The agent node's input: the state, plus ``llm_input_messages`` with a pre-model hook."""
    if pre_model_hook is None:
        return state_schema
    if is_pydantic_schema(state_schema):
        return create_model(
            "CallModelInputSchema",
            llm_input_messages=(list[AnyMessage], ...),
            __base__=state_schema,
        )

    class CallModelInputSchema(state_schema):  # type: ignore[misc]
        llm_input_messages: list[AnyMessage]

    return CallModelInputSchema
