"""handle_tool_errors: the default, True, a string, a callable, exception types, False."""

from langchain_core.messages import AIMessage
from langchain_core.tools import ToolException, tool
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode


@tool
def divide(a: int, b: int) -> float:
    """Divide a by b."""
    return a / b


@tool
def lookup(key: str) -> str:
    """Look something up."""
    raise KeyError(key)


def calls(*items):
    return {
        "messages": [
            AIMessage(
                "",
                tool_calls=[
                    {"name": name, "args": args, "id": f"c{i}"}
                    for i, (name, args) in enumerate(items)
                ],
            )
        ]
    }


def show(label, node, request):
    builder = StateGraph(MessagesState)
    builder.add_node("tools", node)
    builder.add_edge(START, "tools")
    graph = builder.compile()
    try:
        result = graph.invoke(request)
    except (ArithmeticError, LookupError, ToolException) as error:
        print(label, "raised", type(error).__name__, error)
        return
    for message in result["messages"][1:]:
        print(label, message.status, repr(message.content), message.name, message.tool_call_id)


def on_zero(error: ZeroDivisionError) -> str:
    return f"cannot divide: {error}"


def any_error(error) -> str:
    return "something failed"


request = calls(("divide", {"a": 1, "b": 0}), ("divide", {"a": 6, "b": 3}))
bad_args = calls(("divide", {"a": "x"}))
unknown = calls(("multiply", {"a": 1}))
show("default", ToolNode([divide]), request)
show("default-args", ToolNode([divide]), bad_args)
show("default-unknown", ToolNode([divide]), unknown)
show("true", ToolNode([divide], handle_tool_errors=True), request)
show("string", ToolNode([divide], handle_tool_errors="Try again."), request)
show("callable", ToolNode([divide, lookup], handle_tool_errors=on_zero), request)
show(
    "callable-other",
    ToolNode([divide, lookup], handle_tool_errors=on_zero),
    calls(("lookup", {"key": "k"})),
)
show(
    "callable-any",
    ToolNode([lookup], handle_tool_errors=any_error),
    calls(("lookup", {"key": "k"})),
)
show(
    "types",
    ToolNode([divide, lookup], handle_tool_errors=(KeyError,)),
    calls(("lookup", {"key": "k"})),
)
show("type", ToolNode([divide], handle_tool_errors=ZeroDivisionError), request)
show("false", ToolNode([divide], handle_tool_errors=False), request)
show("false-args", ToolNode([divide], handle_tool_errors=False), bad_args)
