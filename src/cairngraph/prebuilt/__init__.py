"""Prebuilt agents: ``ToolNode``, ``tools_condition``, ``create_react_agent``, ``ValidationNode``.

They work on LangChain chat models, messages and tools, so this package needs
langchain-core (``pip install 'cairngraph[agents]'``); importing it without
raises an ImportError that says so. The rest of cairngraph never needs it.

Example::

    from cairngraph.prebuilt import create_react_agent

    agent = create_react_agent(model, [search], checkpointer=InMemorySaver())
    agent.invoke({"messages": [("user", "weather in Paris?")]}, config)
"""

from __future__ import annotations

try:
    import langchain_core  # noqa: F401 - only checks that the extra is installed
except ImportError as missing:
    raise ImportError(
        "cairngraph.prebuilt needs langchain-core, which is not installed. "
        "Install the agents extra: pip install 'cairngraph[agents]'"
    ) from missing

from cairngraph.prebuilt._injection import InjectedState, InjectedStore, ToolRuntime
from cairngraph.prebuilt.chat_agent_executor import create_react_agent
from cairngraph.prebuilt.tool_node import ToolNode, tools_condition
from cairngraph.prebuilt.tool_validator import ValidationNode

__all__ = [
    "InjectedState",
    "InjectedStore",
    "ToolNode",
    "ToolRuntime",
    "ValidationNode",
    "create_react_agent",
    "tools_condition",
]
