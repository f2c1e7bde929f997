"""``@task``: a function whose calls, made inside a running graph, are durable tasks.

Calling a task returns a future at once; the call runs concurrently with its
caller as a child task of the caller's step (see
:mod:`cairngraph.engine._calls`). Its result is saved under an id made from
the caller and the call's position, so when the caller runs again from the
same checkpoint (a resume, a retry after a crash) a call that had finished
returns its saved result instead of running again.

Invariants: a task's function is called only from inside a running graph
(an entrypoint or a node); anywhere else calling it raises
:class:`~cairngraph.errors.OutsideRunError`. The function itself is never
modified.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Future
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Generic, ParamSpec, TypeVar, overload

from cairngraph.cache.base import BaseCache
from cairngraph.constants import PUSH, RETURN
from cairngraph.engine._cache import CACHE_NS_WRITES, NodeCache, default_key, identifier
from cairngraph.engine._context import TaskContext, maybe_current_task
from cairngraph.engine._timeout import has_native_async, sync_refused
from cairngraph.engine.algo import NodeSpec
from cairngraph.engine.channels import Channel
from cairngraph.errors import InvalidUpdateError, OutsideRunError
from cairngraph.types import CachePolicy, RetryPolicy, TimeoutPolicy

__all__ = ["DEFAULTS", "Defaults", "TaskFunction", "retry_of", "task"]

P = ParamSpec("P")
T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class Defaults:
    """An entrypoint's ``retry_policy`` and ``cache_policy``, for the tasks it calls."""

    retry: RetryPolicy | None
    cache_policy: CachePolicy | None


DEFAULTS: ContextVar[Defaults | None] = ContextVar("cairngraph_task_defaults", default=None)
"""Set while an entrypoint runs; calls (in threads and asyncio tasks alike) inherit it."""


class TaskFunction(Generic[P, T]):
    """What ``@task`` makes of a function: calling it starts a task and returns its future.

    Example::

        @task
        def add_one(x: int) -> int:
            return x + 1

        @entrypoint()
        def main(numbers: list[int]) -> list[int]:
            futures = [add_one(n) for n in numbers]   # they run concurrently
            return [f.result() for f in futures]
    """

    def __init__(
        self,
        func: Callable[P, Awaitable[T]] | Callable[P, T],
        *,
        name: str | None = None,
        retry_policy: Sequence[RetryPolicy] = (),
        cache_policy: CachePolicy | None = None,
        timeout: TimeoutPolicy | None = None,
    ) -> None:
        self.func = func
        self.name = name or _name_of(func)
        self.retry_policy = tuple(retry_policy)
        self.cache_policy = cache_policy
        self.timeout = timeout
        functools.update_wrapper(self, func)
        self.__name__ = self.name  # as LangGraph: name= renames what the task reports
        is_async = inspect.iscoroutinefunction(_target(func))
        if timeout is not None and not (is_async or has_native_async(func)):
            raise sync_refused("task", self.name)
        self.node = NodeSpec(
            name=self.name,
            triggers=(PUSH,),
            run=None if is_async else _run(func),
            arun=_run(func) if is_async else None,
            read=_no_read,
            write=_ReturnWriter(self.name),
            shown_input=functools.partial(_arguments, inspect.signature(_target(func))),
            retry=retry_of(self.retry_policy),
            cache=None if cache_policy is None else self._cache(cache_policy),
            timeout=timeout,
        )

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = maybe_current_task()
        if context is None or context.calls is None:
            raise OutsideRunError(
                f"task {self.name!r} was called outside a running graph. Call tasks from "
                "inside an @entrypoint function (or a graph node) while it runs: "
                "workflow.invoke(input, config)."
            )
        node = self.node
        defaults = DEFAULTS.get()
        if defaults is not None:
            node = self._with(defaults)
        return context.calls.call(context, node, (args, kwargs))  # type: ignore[return-value]

    def clear_cache(self, cache: BaseCache[Any]) -> None:
        """Forget this task's cached results in ``cache``."""
        if self.cache_policy is not None:
            cache.clear([self._namespace()])

    async def aclear_cache(self, cache: BaseCache[Any]) -> None:
        """Async twin of :meth:`clear_cache`."""
        if self.cache_policy is not None:
            await cache.aclear([self._namespace()])

    def _namespace(self) -> tuple[str, ...]:
        # As in LangGraph: one namespace per function, "__dynamic__" for one without a path.
        return (CACHE_NS_WRITES, identifier(self.func) or "__dynamic__")

    def _cache(self, policy: CachePolicy) -> NodeCache:
        user_key = policy.key_func

        def key(input: tuple[tuple[Any, ...], Mapping[str, Any]]) -> str | bytes:
            args, kwargs = input
            return default_key(input) if user_key is None else user_key(*args, **kwargs)

        return NodeCache(CachePolicy(key_func=key, ttl=policy.ttl), self._namespace())

    def _with(self, defaults: Defaults) -> NodeSpec:
        """The node with the entrypoint's policies where the task has none of its own."""
        node = self.node
        retry = node.retry if node.retry is not None else defaults.retry
        cache = node.cache
        if cache is None and defaults.cache_policy is not None:
            cache = self._cache(defaults.cache_policy)
        if retry is node.retry and cache is node.cache:
            return node
        return dataclasses.replace(node, retry=retry, cache=cache)

    def __repr__(self) -> str:
        return f"<task {self.name}>"


@overload
def task(
    __func_or_none__: None = None,
    *,
    name: str | None = None,
    retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
    cache_policy: CachePolicy | None = None,
    timeout: float | timedelta | TimeoutPolicy | None = None,
) -> Callable[[Callable[P, Awaitable[T]] | Callable[P, T]], TaskFunction[P, T]]: ...


@overload
def task(__func_or_none__: Callable[P, Awaitable[T]]) -> TaskFunction[P, T]: ...


@overload
def task(__func_or_none__: Callable[P, T]) -> TaskFunction[P, T]: ...


def task(
    __func_or_none__: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    retry_policy: RetryPolicy | Sequence[RetryPolicy] | None = None,
    cache_policy: CachePolicy | None = None,
    timeout: float | timedelta | TimeoutPolicy | None = None,
) -> Any:
    """Make a function a task: called inside an entrypoint, it runs durably and concurrently.

    ``retry_policy`` retries a failing call (a list: the first policy that
    matches the error decides); the call's future then holds the last error.
    ``timeout`` (``async def`` tasks only) caps each attempt: seconds, a
    ``timedelta``, or a :class:`~cairngraph.types.TimeoutPolicy`; past it the
    attempt is cancelled with ``NodeTimeoutError``.

    Example::

        @task(retry_policy=RetryPolicy(max_attempts=3))
        def fetch(url: str) -> str:
            return download(url)

        @entrypoint(checkpointer=InMemorySaver())
        def crawl(urls: list[str]) -> list[str]:
            return [page.result() for page in [fetch(u) for u in urls]]
    """
    policies: Sequence[RetryPolicy] = (
        ()
        if retry_policy is None
        else (retry_policy,)
        if isinstance(retry_policy, RetryPolicy)
        else tuple(retry_policy)
    )

    policy = TimeoutPolicy.coerce(timeout)

    def decorate(func: Callable[..., Any]) -> TaskFunction[Any, Any]:
        return TaskFunction(
            func, name=name, retry_policy=policies, cache_policy=cache_policy, timeout=policy
        )

    if __func_or_none__ is not None:
        return decorate(__func_or_none__)
    return decorate


def retry_of(policies: Sequence[RetryPolicy]) -> RetryPolicy | None:
    """One policy for the engine: the only one, or the first of several that matches."""
    if not policies:
        return None
    if len(policies) == 1:
        return policies[0]
    return _FirstMatching(policies=tuple(policies))


class _FirstMatching(RetryPolicy):
    """Several retry policies: the first whose ``retry_on`` matches the error decides
    whether to retry and how long to wait, as in LangGraph.

    The engine asks ``should_retry`` then ``delay``; the policy chosen by the first is
    remembered for the second in a context variable, and each task runs in its own
    context, so concurrent tasks never see each other's choice.
    """

    __slots__ = ("chosen", "policies")

    def __init__(self, *, policies: tuple[RetryPolicy, ...]) -> None:
        super().__init__()
        object.__setattr__(self, "policies", policies)
        chosen: ContextVar[RetryPolicy] = ContextVar("cairngraph_retry_choice")
        object.__setattr__(self, "chosen", chosen)

    def should_retry(self, error: Exception, attempt: int) -> bool:
        policies: tuple[RetryPolicy, ...] = self.policies  # type: ignore[attr-defined]
        for policy in policies:
            # attempt 0: does the policy match the error at all (its own limit aside)?
            if policy.should_retry(error, 0):
                self.chosen.set(policy)  # type: ignore[attr-defined]
                return policy.should_retry(error, attempt)
        return False

    def delay(self, attempt: int) -> float:
        policy: RetryPolicy = self.chosen.get()  # type: ignore[attr-defined]
        return policy.delay(attempt)


def _name_of(func: Any) -> str:
    for candidate in (func, getattr(func, "func", None), type(func)):
        name = getattr(candidate, "__name__", None)
        if isinstance(name, str):
            return name
    return str(func)


def _target(func: Any) -> Any:
    return func if inspect.isroutine(func) else getattr(func, "__call__", func)  # noqa: B004


def _run(func: Callable[..., Any]) -> Callable[[Any, Any], Any]:
    """``run(input, task)`` for the engine: ``input`` is the call's ``(args, kwargs)``."""

    def run(input: tuple[tuple[Any, ...], Mapping[str, Any]], task: TaskContext) -> Any:
        args, kwargs = input
        return func(*args, **kwargs)

    return run


def _arguments(
    signature: inspect.Signature, input: tuple[tuple[Any, ...], Mapping[str, Any]]
) -> dict[str, Any]:
    """A call's ``(args, kwargs)`` by parameter name, defaults filled in, ``**kwargs``
    flattened: what callbacks see as its input, as in LangGraph."""
    args, kwargs = input
    try:
        bound = signature.bind_partial(*args, **kwargs)
    except TypeError:
        return {"args": args, "kwargs": dict(kwargs)}
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    arguments.pop("self", None)
    arguments.pop("cls", None)
    for name, parameter in signature.parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD and name in arguments:
            arguments.update(arguments.pop(name))
    return arguments


def _no_read(channels: Mapping[str, Channel]) -> Any:
    return None


class _ReturnWriter:
    """A call's writes: its result, under ``__return__``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, output: Any, read_fresh: Any) -> list[tuple[str, Any]]:
        return [(RETURN, output)]

    def updates_of(self, output: Any) -> list[tuple[str, Any]]:
        return [(RETURN, output)]

    def command_writes(self, command: Any) -> list[tuple[str, Any]]:
        raise InvalidUpdateError(
            f"task {self.name!r} cannot take a Command: a task returns a value to its caller"
        )
