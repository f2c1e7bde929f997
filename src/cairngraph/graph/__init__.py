"""Build graphs: ``StateGraph``, ``START``/``END``, chat-message state."""

from cairngraph.constants import END, START
from cairngraph.graph.compiled import CompiledStateGraph
from cairngraph.graph.message import MessagesState, add_messages
from cairngraph.graph.state import StateGraph

__all__ = ["END", "START", "CompiledStateGraph", "MessagesState", "StateGraph", "add_messages"]
