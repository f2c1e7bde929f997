"""input_schema and output_schema: callers send a question and get only the answer."""

from typing import TypedDict

from langgraph.graph import END, START, StateGraph


class InputState(TypedDict):
    question: str


class OutputState(TypedDict):
    answer: str


class OverallState(InputState, OutputState):
    scratch: str


def think(state: InputState) -> dict:
    return {"scratch": f"thinking about {state['question']}"}


def answer(state: OverallState) -> dict:
    return {"answer": state["scratch"].replace("thinking about", "answer to")}


builder = StateGraph(OverallState, input_schema=InputState, output_schema=OutputState)
builder.add_node("think", think)
builder.add_node("answer", answer)
builder.add_edge(START, "think")
builder.add_edge("think", "answer")
builder.add_edge("answer", END)
graph = builder.compile()

print(graph.invoke({"question": "life"}))
print(graph.invoke({"question": "tea", "scratch": "ignored?"}))
for chunk in graph.stream({"question": "stream"}, stream_mode="values"):
    print(chunk)
for chunk in graph.stream({"question": "updates"}):
    print(chunk)
