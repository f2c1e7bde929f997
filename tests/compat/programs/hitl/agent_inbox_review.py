"""A node asks a human to review a command with HumanInterrupt; accept, edit, respond, ignore."""

import warnings

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt.interrupt import (
    ActionRequest,
    HumanInterrupt,
    HumanInterruptConfig,
    HumanResponse,
)
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict

warnings.simplefilter("ignore", DeprecationWarning)


class State(TypedDict, total=False):
    command: str
    outcome: str


def review(state: State) -> dict:
    request = HumanInterrupt(
        action_request=ActionRequest(action="run_command", args={"command": state["command"]}),
        config=HumanInterruptConfig(
            allow_ignore=True, allow_respond=True, allow_edit=True, allow_accept=True
        ),
        description="Please review the command before it runs",
    )
    response: HumanResponse = interrupt([request])[0]
    if response["type"] == "accept":
        return {"outcome": f"ran {state['command']}"}
    if response["type"] == "edit":
        return {"outcome": f"ran {response['args']['args']['command']}"}
    if response["type"] == "response":
        return {"outcome": f"skipped: {response['args']}"}
    return {"outcome": "ignored"}


builder = StateGraph(State)
builder.add_node("review", review)
builder.add_edge(START, "review")
builder.add_edge("review", END)
graph = builder.compile(checkpointer=InMemorySaver())

answers = [
    {"type": "accept", "args": None},
    {"type": "edit", "args": {"action": "run_command", "args": {"command": "ls -la"}}},
    {"type": "response", "args": "not now"},
    {"type": "ignore", "args": None},
]
for number, answer in enumerate(answers):
    config = {"configurable": {"thread_id": f"t{number}"}}
    paused = graph.invoke({"command": "ls"}, config)
    (request,) = paused["__interrupt__"][0].value
    print(request["action_request"], request["config"]["allow_edit"], request["description"])
    print(graph.invoke(Command(resume=[answer]), config))
print(HumanInterrupt.__annotations__.keys() == {"action_request", "config", "description"})
