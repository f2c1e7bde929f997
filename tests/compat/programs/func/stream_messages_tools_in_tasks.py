"""stream_mode="messages" and "tools" from inside @task calls: they belong to the entrypoint's graph."""

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.func import entrypoint, task


@tool
def count_words(text: str) -> int:
    """How many words a text has."""
    return len(text.split())


@task
def draft(topic: str) -> str:
    model = GenericFakeChatModel(messages=iter([AIMessage(content=f"owls are {topic}")]))
    return model.invoke(topic).content


@task
def review(text: str) -> dict:
    words = count_words.invoke({"text": text})
    return {"messages": [AIMessage(content=f"{words} words", id="review-1")]}


@entrypoint()
def workflow(topic: str) -> dict:
    text = draft(topic).result()
    review(text).result()
    return {"messages": [AIMessage(content="done", id="final-1")]}


for chunk, metadata in workflow.stream("wise", stream_mode="messages"):
    print(repr(chunk.content), metadata["langgraph_node"])
for namespace, mode, chunk in workflow.stream(
    "wise", stream_mode=["messages", "tools"], subgraphs=True
):
    if mode == "messages":
        print(namespace, mode, repr(chunk[0].content))
    else:
        print(namespace, mode, chunk["event"], chunk.get("output"))
