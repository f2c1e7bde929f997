"""Adding more nodes safely: a finished thread continues into a node added later."""

from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from examples.tutorial.joke_graph import build_graph


class JokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str
    rating: int


def rate_joke(state: JokeState) -> dict[str, int]:
    joke = state["joke"]
    score = len(joke) % 10 + 1  # dummy heuristic
    return {"rating": score}


checkpoint = InMemorySaver()
config = {"configurable": {"thread_id": "1"}}
graph = build_graph(JokeState)
workflow = graph.compile(checkpointer=checkpoint)
workflow.invoke({"topic": "cats"}, config=config)
print("before:", sorted(workflow.get_state(config).values))

graph.add_node("rate_joke", rate_joke)
graph.add_edge("explain_joke", "rate_joke")
workflow = graph.compile(checkpointer=checkpoint)  # re-compile with the same checkpointer
result = workflow.invoke(None, config=config)  # continues at the new node
print("after invoke(None):", sorted(result), "rating =", result["rating"])
print("last step:", workflow.get_state(config).metadata["step"])

# LangGraph's rule (a finished thread stays finished) is one flag away:
other = {"configurable": {"thread_id": "2"}}
build_graph(JokeState).compile(checkpointer=checkpoint).invoke({"topic": "dogs"}, other)
langgraph_rule = graph.compile(checkpointer=checkpoint, continue_into_new_nodes=False)
print("with continue_into_new_nodes=False:", sorted(langgraph_rule.invoke(None, other)))
