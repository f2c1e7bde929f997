"""A stand-in for ``langchain_groq`` so the tutorial's code runs offline, unchanged.

``ChatGroq(...).invoke(prompt)`` returns an object with ``.content``, like
LangChain's AIMessage; the text is deterministic, made from the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class _Reply:
    content: str


class ChatGroq:
    def __init__(self, model: str = "", temperature: float = 0.0, **kwargs: Any) -> None:
        self.model = model
        self.temperature = temperature

    def invoke(self, prompt: str, *args: Any, **kwargs: Any) -> _Reply:
        if prompt.startswith("Generate"):
            topic = prompt.rsplit("topic ", 1)[-1]
            return _Reply(f"Why did the {topic}? To get to the punchline.")
        return _Reply("It subverts the riddle: the answer is about jokes, not roads.")
