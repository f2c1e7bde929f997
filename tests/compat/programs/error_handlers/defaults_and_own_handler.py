"""set_node_defaults(error_handler=) covers every node without its own; handlers are not caught."""

import operator
from typing import Annotated

from langgraph.errors import NodeError
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict):
    results: Annotated[list[str], operator.add]


def log_and_continue(state: State, error: NodeError) -> dict:
    return {"results": [f"default handler: {error.node} raised {type(error.error).__name__}"]}


def lookup_weather(state: State) -> dict:
    raise TimeoutError("weather API timed out")


def lookup_news(state: State) -> dict:
    raise KeyError("news")


def lookup_stocks(state: State) -> dict:
    return {"results": ["stocks ok"]}


def news_fallback(state: State) -> dict:
    return {"results": ["news from cache"]}


builder = StateGraph(State).set_node_defaults(error_handler=log_and_continue)
builder.add_node("lookup_weather", lookup_weather)
builder.add_node("lookup_news", lookup_news, error_handler=news_fallback)
builder.add_node("lookup_stocks", lookup_stocks)
for name in ("lookup_weather", "lookup_news", "lookup_stocks"):
    builder.add_edge(START, name)
graph = builder.compile()

result = graph.invoke({"results": []})
print(sorted(result["results"]))
print(sorted(next(iter(chunk)) for chunk in graph.stream({"results": []})))


def broken_default(state: State) -> dict:
    raise ValueError("the default handler itself broke")


strict = StateGraph(State).set_node_defaults(error_handler=broken_default)
strict.add_node("lookup_weather", lookup_weather)
strict.add_edge(START, "lookup_weather")
try:
    strict.compile().invoke({"results": []})
except ValueError as exc:
    print("handler failure escapes:", exc)
