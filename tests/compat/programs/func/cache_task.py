"""cache_policy on a task: a second call with the same arguments is served from the cache."""

from langgraph.cache.memory import InMemoryCache
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.func import entrypoint, task
from langgraph.types import CachePolicy

calls = []


@task(cache_policy=CachePolicy(key_func=lambda x, y: f"{x}+{y}"))
def slow_add(x: int, y: int) -> int:
    calls.append((x, y))
    return x + y


@entrypoint(checkpointer=InMemorySaver(), cache=InMemoryCache())
def main(pair: list[int]) -> int:
    return slow_add(pair[0], pair[1]).result()


print(main.invoke([1, 2], {"configurable": {"thread_id": "a"}}))
for chunk in main.stream([1, 2], {"configurable": {"thread_id": "b"}}):
    print(chunk)
print(main.invoke([2, 2], {"configurable": {"thread_id": "c"}}))
print("calls", calls)
slow_add.clear_cache(main.cache)
print(main.invoke([1, 2], {"configurable": {"thread_id": "d"}}))
print("calls", calls)
