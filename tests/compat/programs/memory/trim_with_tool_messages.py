"""trim_messages keeps tool-call pairs valid (start_on, end_on, allow_partial=False) in a node."""

from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from langchain_core.messages.utils import count_tokens_approximately
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph


def model(state: MessagesState) -> dict:
    window = trim_messages(
        state["messages"],
        strategy="last",
        token_counter=count_tokens_approximately,
        max_tokens=60,
        start_on="human",
        end_on=("human", "tool"),
        include_system=True,
    )
    return {
        "messages": [
            AIMessage(
                content=" | ".join(type(m).__name__[0] + ":" + str(m.content)[:6] for m in window)
            )
        ]
    }


builder = StateGraph(MessagesState)
builder.add_node("model", model)
builder.add_edge(START, "model")
graph = builder.compile(checkpointer=InMemorySaver())

history = [
    SystemMessage(content="you are terse"),
    HumanMessage(content="what is the weather in paris today"),
    AIMessage(content="", tool_calls=[{"name": "weather", "args": {"city": "paris"}, "id": "t1"}]),
    ToolMessage(content="sunny and warm", tool_call_id="t1"),
    AIMessage(content="It is sunny in Paris."),
    HumanMessage(content="and tomorrow?"),
]
config = {"configurable": {"thread_id": "trim"}}
result = graph.invoke({"messages": history}, config)
print(result["messages"][-1].content)
result = graph.invoke(
    {"messages": [HumanMessage(content="thanks, and in rome for the week ahead please")]}, config
)
print(result["messages"][-1].content)
print(len(graph.get_state(config).values["messages"]))
