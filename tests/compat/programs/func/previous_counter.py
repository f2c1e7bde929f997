"""`previous` as memory: a counter and a chat log that grow per thread."""

from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task


@task
def reply(message: str) -> str:
    return f"echo: {message}"


@entrypoint(checkpointer=InMemorySaver())
def counter(step: int, previous: int | None = None) -> int:
    return (previous or 0) + step


@entrypoint(checkpointer=InMemorySaver())
def chat(message: str, *, previous: list | None = None) -> list:
    history = list(previous or [])
    history.append({"role": "user", "content": message})
    history.append({"role": "ai", "content": reply(message).result()})
    return history


a = {"configurable": {"thread_id": "a"}}
b = {"configurable": {"thread_id": "b"}}
print(counter.invoke(1, a), counter.invoke(2, a), counter.invoke(10, b), counter.invoke(3, a))
print(chat.invoke("hi", a))
print(chat.invoke("how are you?", a))
print(len(chat.get_state(a).values))
