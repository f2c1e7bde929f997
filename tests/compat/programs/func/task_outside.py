"""A task called outside an entrypoint raises; an entrypoint without a checkpointer still runs."""

from langgraph.func import entrypoint, task


@task
def square(x: int) -> int:
    return x * x


try:
    square(3)
except RuntimeError:
    print("outside: a RuntimeError")


@entrypoint()
def main(xs: list[int]) -> int:
    return sum(f.result() for f in [square(x) for x in xs])


print(main.invoke([1, 2, 3]))
print(main.batch([[1], [2, 3]]))
