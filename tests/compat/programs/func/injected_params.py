"""config, store and runtime injected into an entrypoint; context through context_schema."""

from dataclasses import dataclass

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.runtime import Runtime


@dataclass
class Context:
    user: str


@task
def greet(name: str) -> str:
    return f"hello {name}"


@entrypoint(checkpointer=InMemorySaver(), context_schema=Context)
def main(x: int, *, config: RunnableConfig, runtime: Runtime[Context]) -> dict:
    return {
        "thread": config["configurable"]["thread_id"],
        "user": runtime.context.user,
        "greeting": greet(runtime.context.user).result(),
        "x": x,
    }


print(main.invoke(1, {"configurable": {"thread_id": "7"}}, context=Context(user="ada")))
print(main.invoke(2, {"configurable": {"thread_id": "7"}}, context={"user": "bob"}))
