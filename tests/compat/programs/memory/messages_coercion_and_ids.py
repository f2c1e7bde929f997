"""add_messages turns dicts, tuples and strings into messages, gives them ids, replaces by id."""

from typing import Annotated

from langchain_core.messages import AnyMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


def reply(state: State) -> dict:
    first = state["messages"][0]
    return {
        "messages": [
            {"role": "assistant", "content": "from a dict"},
            ("ai", "from a tuple"),
            {"role": "user", "content": "edited first", "id": first.id},
        ]
    }


builder = StateGraph(State)
builder.add_node("reply", reply)
builder.add_edge(START, "reply")
graph = builder.compile()

result = graph.invoke(
    {"messages": [("user", "hello"), "plain string", {"role": "system", "content": "sys"}]}
)
for message in result["messages"]:
    print(type(message).__name__, repr(message.content), bool(message.id))
print(len({m.id for m in result["messages"]}))

print(add_messages([("user", "a")], [])[0].content)
merged = add_messages(
    [{"role": "user", "content": "x", "id": "1"}], [{"role": "ai", "content": "y", "id": "1"}]
)
print([(type(m).__name__, m.content, m.id) for m in merged])
