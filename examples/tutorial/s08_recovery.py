"""The recovery pattern: a node fails, the state before it is intact, invoke(None) resumes."""

from typing import TypedDict

from cairngraph.checkpoint.memory import InMemorySaver
from cairngraph.graph import END, START, StateGraph
from examples.tutorial._llm import fake_llm

attempts = {"explain_joke": 0}


class JokeState(TypedDict, total=False):
    topic: str
    joke: str
    explanation: str


def generate_joke(state: JokeState) -> dict[str, str]:
    return {"joke": fake_llm(f"Joke about: {state['topic']}")}


def explain_joke(state: JokeState) -> dict[str, str]:
    attempts["explain_joke"] += 1
    if attempts["explain_joke"] == 1:
        raise ConnectionError("the LLM service timed out")
    return {"explanation": fake_llm(f"Explain: {state['joke']}")}


graph = StateGraph(JokeState)
graph.add_node("generate_joke", generate_joke)
graph.add_node("explain_joke", explain_joke)
graph.add_edge(START, "generate_joke")
graph.add_edge("generate_joke", "explain_joke")
graph.add_edge("explain_joke", END)
workflow = graph.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "1"}}


def safe_invoke(input_state, config):
    try:
        return workflow.invoke(input_state, config=config)
    except Exception as e:  # noqa: BLE001 - the tutorial's pattern: report, then resume
        print("Error, resuming...", repr(e))
        prior = workflow.get_state(config)
        print("state before the failure:", sorted(prior.values), "next:", prior.next)
        print("the failed task:", prior.tasks[0].name, prior.tasks[0].error)
        return workflow.invoke(None, config=config)


result = safe_invoke({"topic": "robots"}, config)
print("recovered:", result["explanation"])
print("explain_joke ran", attempts["explain_joke"], "times; generate_joke was not repeated")
