"""``BaseChannel``: what every channel is (the engine's base class, under LangGraph's name).

Example::

    from cairngraph.channels.base import BaseChannel

    class Counter(BaseChannel): ...
"""

from cairngraph.engine.channels import BaseChannel

__all__ = ["BaseChannel"]
