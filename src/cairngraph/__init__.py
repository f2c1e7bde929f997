"""cairngraph: stateful graph workflows whose every step is saved.

The public API mirrors LangGraph's module paths:

- :mod:`cairngraph.graph`: ``StateGraph``, ``START``, ``END``, ``MessagesState``, ``add_messages``
- :mod:`cairngraph.types`: ``Command``, ``Send``, ``interrupt``, ``Interrupt``,
  ``StateSnapshot``, ``RetryPolicy``
- :mod:`cairngraph.errors`: every error cairngraph raises, rooted in ``CairnGraphError``
- :mod:`cairngraph.checkpoint.memory`, ``.sqlite``, ``.postgres``: where steps are saved
"""

__version__ = "0.1.0"
