"""A tool with return_direct ends the run; too few steps left gives "Sorry, need more steps"."""

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.tools import tool
from langgraph.errors import GraphRecursionError
from langgraph.prebuilt import create_react_agent


class ScriptedChatModel(BaseChatModel):
    """Answers with the next scripted message."""

    script: list

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


@tool(return_direct=True)
def final_answer(text: str) -> str:
    """Give the final answer directly."""
    return text.upper()


@tool
def step(n: int) -> int:
    """One more step."""
    return n + 1


model = ScriptedChatModel(
    script=[
        AIMessage(
            "",
            id="ai1",
            tool_calls=[{"name": "final_answer", "args": {"text": "done"}, "id": "c1"}],
        ),
    ]
)
agent = create_react_agent(model, [final_answer, step])
result = agent.invoke({"messages": [("user", "finish")]})
print([(m.type, m.content) for m in result["messages"]])

looping = [
    AIMessage("", id=f"ai{i}", tool_calls=[{"name": "step", "args": {"n": i}, "id": f"s{i}"}])
    for i in range(20)
]
agent = create_react_agent(ScriptedChatModel(script=looping), [final_answer, step])
for limit in (2, 3, 4, 5, 6, 7):
    try:
        result = agent.invoke({"messages": [("user", "loop")]}, {"recursion_limit": limit})
    except GraphRecursionError:
        print(limit, "GraphRecursionError")
        continue
    print(limit, [(m.type, m.content) for m in result["messages"]][-2:], len(result["messages"]))
