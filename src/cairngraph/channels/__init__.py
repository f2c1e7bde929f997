"""Channels: what each state key is kept in, under LangGraph's names and module paths.

A state key is a channel. A plain key is a :class:`LastValue`, a key with a
reducer a :class:`BinaryOperatorAggregate`; a key can name another channel
in its annotation, as an instance or as a class (built with the key's type)::

    from typing import Annotated, TypedDict
    from cairngraph.channels import EphemeralValue, Topic

    class State(TypedDict):
        question: str
        scratch: Annotated[str, EphemeralValue]          # gone after one step
        events: Annotated[list[str], Topic(str, accumulate=True)]

These are the engine's own channel classes (:mod:`cairngraph.engine.channels`)
and their siblings, not copies.
"""

from cairngraph.channels.any_value import AnyValue
from cairngraph.channels.base import BaseChannel
from cairngraph.channels.binop import BinaryOperatorAggregate
from cairngraph.channels.delta import DeltaChannel
from cairngraph.channels.ephemeral_value import EphemeralValue
from cairngraph.channels.last_value import LastValue, LastValueAfterFinish
from cairngraph.channels.named_barrier_value import (
    NamedBarrierValue,
    NamedBarrierValueAfterFinish,
)
from cairngraph.channels.topic import Topic
from cairngraph.channels.untracked_value import UntrackedValue

__all__ = [
    "AnyValue",
    "BaseChannel",
    "BinaryOperatorAggregate",
    "DeltaChannel",
    "EphemeralValue",
    "LastValue",
    "LastValueAfterFinish",
    "NamedBarrierValue",
    "NamedBarrierValueAfterFinish",
    "Topic",
    "UntrackedValue",
]
