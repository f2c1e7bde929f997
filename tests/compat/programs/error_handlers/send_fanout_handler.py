"""Map-reduce with Send: one worker fails, its handler gets that worker's own input."""

import operator
from typing import Annotated

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.errors import NodeError
from langgraph.graph import END, START, StateGraph
from langgraph.types import Send
from typing_extensions import TypedDict


class State(TypedDict):
    urls: list[str]
    pages: Annotated[list[str], operator.add]


class Job(TypedDict):
    url: str


def fan_out(state: State) -> list[Send]:
    return [Send("scrape", {"url": url}) for url in state["urls"]]


def scrape(job: Job) -> dict:
    if "bad" in job["url"]:
        raise ConnectionError(f"{job['url']} refused the connection")
    return {"pages": [f"content of {job['url']}"]}


def skip_page(job: Job, error: NodeError) -> dict:
    return {"pages": [f"skipped {job['url']} ({type(error.error).__name__})"]}


def summarize(state: State) -> dict:
    return {"pages": [f"summary of {len(state['pages'])} pages"]}


builder = StateGraph(State)
builder.add_node("scrape", scrape, error_handler=skip_page)
builder.add_node("summarize", summarize)
builder.add_conditional_edges(START, fan_out, ["scrape"])
builder.add_edge("scrape", "summarize")
builder.add_edge("summarize", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "crawl"}}
urls = ["https://a.example", "https://bad.example", "https://c.example"]
for chunk in graph.stream({"urls": urls, "pages": []}, config, stream_mode="values"):
    print(chunk["pages"])
for state in graph.get_state_history(config):
    print(state.metadata["step"], state.next, [(t.name, t.error) for t in state.tasks])
