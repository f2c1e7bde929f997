"""Filter streamed tokens by the tags given to a model and by the node's name."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.graph import START, StateGraph
from typing_extensions import TypedDict

joke_model = GenericFakeChatModel(
    messages=iter([AIMessage(content="why did the cat sit")])
).with_config(tags=["joke"])
poem_model = GenericFakeChatModel(messages=iter([AIMessage(content="roses are red")])).with_config(
    tags=["poem"]
)


class State(TypedDict):
    topic: str
    joke: str
    poem: str


def write_joke(state: State) -> dict:
    return {"joke": joke_model.invoke(f"joke about {state['topic']}").content}


def write_poem(state: State) -> dict:
    return {"poem": poem_model.invoke(f"poem about {state['topic']}").content}


builder = StateGraph(State)
builder.add_node("write_joke", write_joke)
builder.add_node("write_poem", write_poem)
builder.add_edge(START, "write_joke")
builder.add_edge(START, "write_poem")
graph = builder.compile()

by_tag = {}
for chunk, metadata in graph.stream({"topic": "cats"}, stream_mode="messages"):
    for tag in ("joke", "poem"):
        if tag in metadata.get("tags", []):
            by_tag.setdefault(tag, []).append(chunk.content)
    assert metadata["langgraph_node"] in ("write_joke", "write_poem")
print({tag: "".join(parts) for tag, parts in sorted(by_tag.items())})
print(sorted(k for k in metadata if k.startswith("langgraph_") or k in ("tags", "ls_provider")))
