"""A model tagged TAG_NOSTREAM stays out of stream_mode="messages"; the other one streams."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict


class State(TypedDict, total=False):
    draft: str
    answer: str


hidden = GenericFakeChatModel(messages=iter([AIMessage("internal notes")])).with_config(
    tags=[TAG_NOSTREAM]
)
shown = GenericFakeChatModel(messages=iter([AIMessage("final answer")]))


def think(state: State) -> dict:
    return {"draft": hidden.invoke("think").content}


def reply(state: State) -> dict:
    return {"answer": shown.invoke(state["draft"]).content}


builder = StateGraph(State)
builder.add_node("think", think)
builder.add_node("reply", reply)
builder.add_edge(START, "think")
builder.add_edge("think", "reply")
graph = builder.compile()

for chunk, metadata in graph.stream({}, stream_mode="messages"):
    print(metadata["langgraph_node"], repr(chunk.content))
print(TAG_NOSTREAM)
