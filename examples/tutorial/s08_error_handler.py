"""An error handler: a node that fails for good hands its failure to a fallback in its step."""

from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.errors import NodeError
from cairngraph.graph import END, START, StateGraph
from cairngraph.types import Command, RetryPolicy
from examples.tutorial._llm import fake_llm


class JokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str


def generate_joke(state: JokeState) -> dict[str, str]:
    return {"joke": fake_llm(f"Joke about: {state['topic']}")}


def explain_joke(state: JokeState) -> dict[str, str]:
    raise ConnectionError("the LLM service timed out")


def canned_explanation(state: JokeState, error: NodeError) -> Command:
    # Runs once the retry policy gave up; gets the node's input and, as `error`, the failure.
    print("handling", error)
    return Command(update={"explanation": "(no explanation today)"}, goto="sign_off")


def sign_off(state: JokeState) -> dict[str, str]:
    return {"explanation": state["explanation"] + " Thanks for reading."}


graph = StateGraph(JokeState)
graph.add_node("generate_joke", generate_joke)
graph.add_node(
    "explain_joke",
    explain_joke,
    retry_policy=RetryPolicy(max_attempts=2, initial_interval=0.01, jitter=False),
    error_handler=canned_explanation,
)
graph.add_node("sign_off", sign_off)
graph.add_edge(START, "generate_joke")
graph.add_edge("generate_joke", "explain_joke")
graph.add_edge("sign_off", END)
workflow = graph.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "1"}}

for update in workflow.stream({"topic": "robots"}, config):
    print(update)
failed = list(workflow.get_state_history(config))[2]
print("saved on the failed step:", [(task.name, task.error) for task in failed.tasks])
