"""``ValidationNode``: check the model's tool calls against schemas, without running tools.

Each tool call of the last AI message is validated against the schema of its
name (a pydantic model, a tool's ``args_schema``, or a function's signature).
A valid call is answered with a ToolMessage holding the validated arguments
as JSON; an invalid one with the error text and ``additional_kwargs
{"is_error": True}``, so a graph can send the model back to fix it.
Validation is pure and fast, so the calls are checked in order, in the node's
own thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from langchain_core.messages import AIMessage, ToolCall, ToolMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool, create_schema_from_function
from pydantic import BaseModel, ValidationError

from cairngraph.prebuilt._tool_errors import ToolNodeInputError

__all__ = ["ValidationNode"]

FormatError = Callable[[BaseException, ToolCall, type[BaseModel]], str]


def _default_format_error(error: BaseException, call: ToolCall, schema: type[BaseModel]) -> str:
    return f"{error!r}\n\nRespond after fixing all validation errors."


def _schema_of(
    given: BaseTool | type[BaseModel] | Callable[..., Any],
) -> tuple[str, type[BaseModel]]:
    if isinstance(given, BaseTool):
        schema = given.args_schema
        if schema is None:
            raise ToolNodeInputError(f"Tool {given.name} does not have an args_schema defined.")
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
            raise ToolNodeInputError(
                "Validation node only works with tools that have a pydantic BaseModel "
                f"args_schema. Got {given.name} with args_schema: {schema}."
            )
        return given.name, schema
    if isinstance(given, type) and issubclass(given, BaseModel):
        return given.__name__, given
    if callable(given):
        return given.__name__, cast(
            "type[BaseModel]", create_schema_from_function("Validation", given)
        )
    raise ToolNodeInputError(
        "Unsupported input to ValidationNode. Expected BaseModel, tool or function. "
        f"Got: {type(given)}."
    )


class ValidationNode(Runnable[Any, Any]):
    """Answer each tool call with its validated arguments, or with what is wrong with them.

    Example::

        class Weather(BaseModel):
            city: str

        builder.add_node("validate", ValidationNode([Weather]))
    """

    def __init__(
        self,
        schemas: Sequence[BaseTool | type[BaseModel] | Callable[..., Any]],
        *,
        format_error: FormatError | None = None,
        name: str = "validation",
        tags: list[str] | None = None,
    ) -> None:
        self.name = name
        self.tags = tags
        self._format_error = format_error or _default_format_error
        self.schemas_by_name: dict[str, type[BaseModel]] = dict(map(_schema_of, schemas))

    def invoke(self, input: Any, config: RunnableConfig | None = None, **kwargs: Any) -> Any:
        """Validate the tool calls of the last message of ``input`` (a list or a state dict)."""
        if kwargs:
            raise TypeError(
                f"ValidationNode.invoke() got unexpected keyword arguments: {sorted(kwargs)}"
            )
        if isinstance(input, list):
            messages: Any = input
        else:
            messages = input.get("messages", [])
            if not messages:
                raise ToolNodeInputError("No message found in input")
        last = messages[-1]
        if not isinstance(last, AIMessage):
            raise ToolNodeInputError("Last message is not an AIMessage")
        answers = [self._answer(call) for call in last.tool_calls]
        return answers if isinstance(input, list) else {"messages": answers}

    def _answer(self, call: ToolCall) -> ToolMessage:
        schema = self.schemas_by_name[call["name"]]
        try:
            content = schema.model_validate(call["args"]).model_dump_json()
        except ValidationError as error:
            return ToolMessage(
                content=self._format_error(error, call, schema),
                name=call["name"],
                tool_call_id=str(call["id"]),
                additional_kwargs={"is_error": True},
            )
        return ToolMessage(content=content, name=call["name"], tool_call_id=str(call["id"]))
