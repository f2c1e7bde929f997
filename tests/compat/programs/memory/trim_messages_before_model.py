"""Trim the history before the model sees it; the thread keeps every message."""

from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph

seen_by_model = []


class EchoModel(FakeMessagesListChatModel):
    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        seen_by_model.append([m.content for m in messages])
        return super()._generate(messages, stop, run_manager, **kwargs)


model = EchoModel(responses=[AIMessage(content=f"reply {i}") for i in range(5)])


def call_model(state: MessagesState) -> dict:
    window = trim_messages(
        state["messages"],
        strategy="last",
        token_counter=len,
        max_tokens=3,
        start_on="human",
        include_system=True,
    )
    return {"messages": [model.invoke(window)]}


builder = StateGraph(MessagesState)
builder.add_node("call_model", call_model)
builder.add_edge(START, "call_model")
graph = builder.compile(checkpointer=InMemorySaver())

config = {"configurable": {"thread_id": "trim"}}
graph.invoke({"messages": [SystemMessage(content="be brief")]}, config)
for text in ("hi, I am Bob", "I like tea", "what is my name?"):
    result = graph.invoke({"messages": [HumanMessage(content=text)]}, config)
    print(len(result["messages"]), result["messages"][-1].content)
for window in seen_by_model:
    print(window)
print([type(m).__name__ for m in graph.get_state(config).values["messages"]])
