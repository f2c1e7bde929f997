"""A chat model that answers from a script: the tests' stand-in for an LLM.

It is a real langchain-core ``BaseChatModel`` (callbacks, ``invoke``/``ainvoke``,
message ids all come from langchain-core); only the text it answers is fixed.
``bind_tools`` binds the tools' schemas as a real model does, so an agent can
tell a bound model from an unbound one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable, RunnableLambda
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field


class ScriptedChatModel(BaseChatModel):
    """Answers with ``script`` in order; records every list of messages it was sent."""

    script: list[AIMessage]
    structured: list[dict[str, Any]] = Field(default_factory=list)
    seen: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, BaseMessage]:
        return self.bind(tools=[convert_to_openai_tool(tool) for tool in tools], **kwargs)

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        def answer(messages: list[BaseMessage]) -> Any:
            self.seen.append(list(messages))
            data = self.structured.pop(0)
            return schema(**data) if isinstance(schema, type) else data

        return RunnableLambda(answer)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.seen.append(list(messages))
        if not self.script:
            raise AssertionError(f"the script has no answer left for {messages}")
        return ChatResult(generations=[ChatGeneration(message=self.script.pop(0))])


def calls(*items: tuple[str, dict[str, Any]], message_id: str = "ai") -> AIMessage:
    """An AI message asking for tool calls ``(name, args)``, ids ``c0``, ``c1``..."""
    return AIMessage(
        "",
        id=message_id,
        tool_calls=[
            {"name": name, "args": args, "id": f"c{i}"} for i, (name, args) in enumerate(items)
        ],
    )
