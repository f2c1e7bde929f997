"""The public names of each public module, pinned: a change here is an API change."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "cairngraph.graph": {
        "END",
        "START",
        "CompiledStateGraph",
        "MessagesState",
        "StateGraph",
        "add_messages",
    },
    "cairngraph.types": {
        "All",
        "CachePolicy",
        "Checkpointer",
        "Command",
        "Durability",
        "GraphOutput",
        "Interrupt",
        "Overwrite",
        "PregelTask",
        "RetryPolicy",
        "Send",
        "StateSnapshot",
        "StateUpdate",
        "StreamMode",
        "StreamPart",
        "StreamWriter",
        "TimeoutPolicy",
        "interrupt",
    },
    "cairngraph.func": {"entrypoint", "task"},
    "cairngraph.typing": {
        "ContextT",
        "ContextT_contra",
        "InputT",
        "NodeInputT",
        "NodeInputT_contra",
        "OutputT",
        "StateT",
        "StateT_co",
        "StateT_contra",
    },
    "cairngraph.checkpoint.memory": {"InMemorySaver", "MemorySaver"},
    "cairngraph.checkpoint.langgraph": {
        "ImportReport",
        "LangGraphDecoder",
        "import_postgres",
        "import_sqlite",
        "version_of",
    },
    "cairngraph.prebuilt": {
        "InjectedState",
        "InjectedStore",
        "ToolNode",
        "ToolRuntime",
        "ValidationNode",
        "create_react_agent",
        "tools_condition",
    },
    "cairngraph.prebuilt.tool_node": {
        "InjectedState",
        "InjectedStore",
        "ToolCallRequest",
        "ToolCallWithContext",
        "ToolNode",
        "ToolRuntime",
        "msg_content_output",
        "tools_condition",
    },
    "cairngraph.prebuilt.chat_agent_executor": {
        "AgentState",
        "AgentStatePydantic",
        "AgentStateWithStructuredResponse",
        "AgentStateWithStructuredResponsePydantic",
        "create_react_agent",
        "create_tool_calling_executor",
    },
    "cairngraph.prebuilt.tool_validator": {"ValidationNode"},
    "cairngraph.runtime": {"ExecutionInfo", "Runtime", "ServerInfo", "get_runtime"},
    "cairngraph.config": {"get_config", "get_store", "get_stream_writer"},
    "cairngraph.managed": {
        "IsLastStep",
        "IsLastStepManager",
        "ManagedValue",
        "RemainingSteps",
        "RemainingStepsManager",
    },
    "cairngraph.checkpoint.serde": {
        "EncryptedSerializer",
        "MsgpackSerializer",
        "SerializerProtocol",
        "SupportsRegistration",
        "TypeRegistry",
        "TypedPayload",
        "register",
        "shared_registry",
    },
    "cairngraph.channels": {
        "AnyValue",
        "BaseChannel",
        "BinaryOperatorAggregate",
        "DeltaChannel",
        "EphemeralValue",
        "LastValue",
        "LastValueAfterFinish",
        "NamedBarrierValue",
        "NamedBarrierValueAfterFinish",
        "Topic",
        "UntrackedValue",
    },
    "cairngraph.channels.any_value": {"AnyValue"},
    "cairngraph.channels.base": {"BaseChannel"},
    "cairngraph.channels.binop": {"BinaryOperatorAggregate"},
    "cairngraph.channels.delta": {"DeltaChannel"},
    "cairngraph.channels.ephemeral_value": {"EphemeralValue"},
    "cairngraph.channels.last_value": {"LastValue", "LastValueAfterFinish"},
    "cairngraph.channels.named_barrier_value": {
        "NamedBarrierValue",
        "NamedBarrierValueAfterFinish",
    },
    "cairngraph.channels.topic": {"Topic"},
    "cairngraph.store.base": {
        "NOT_PROVIDED",
        "BaseStore",
        "GetOp",
        "IndexConfig",
        "InvalidNamespaceError",
        "Item",
        "ListNamespacesOp",
        "MatchCondition",
        "NamespaceMatchType",
        "NamespacePath",
        "NotProvided",
        "Op",
        "PutOp",
        "Result",
        "SearchItem",
        "SearchOp",
        "TTLConfig",
    },
    "cairngraph.store.memory": {"InMemoryStore"},
    "cairngraph.store.sqlite": {"SqliteStore"},
    "cairngraph.store.sqlite.aio": {"AsyncSqliteStore"},
    "cairngraph.store.postgres": {"PostgresStore"},
    "cairngraph.store.postgres.aio": {"AsyncPostgresStore"},
    "cairngraph.channels.untracked_value": {"UntrackedValue"},
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_public_names(module: str) -> None:
    loaded = importlib.import_module(module)
    assert set(loaded.__all__) == PUBLIC[module]
    for name in loaded.__all__:
        assert getattr(loaded, name) is not None


def test_errors_share_one_root() -> None:
    from cairngraph import errors

    for name in errors.__all__:
        value = getattr(errors, name)
        if (
            isinstance(value, type)
            and issubclass(value, Exception)
            and not issubclass(value, Warning)
        ):
            assert issubclass(value, errors.CairnGraphError), name


def test_langgraph_is_never_imported() -> None:
    import subprocess
    import sys

    code = (
        "import sys, cairngraph.graph, cairngraph.types, cairngraph.checkpoint.memory;"
        "import cairngraph.channels;"
        "from cairngraph.graph import StateGraph, START;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('langgraph', 'langchain')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
