"""``BinaryOperatorAggregate``: a key with a reducer (the engine's own class).

Example::

    from cairngraph.channels.binop import BinaryOperatorAggregate

    total = BinaryOperatorAggregate(int, operator.add)
"""

from cairngraph.engine.channels import BinaryOperatorAggregate

__all__ = ["BinaryOperatorAggregate"]
