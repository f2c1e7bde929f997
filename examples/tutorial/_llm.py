"""A deterministic stand-in for the tutorial's LLM, so every example runs offline."""

from __future__ import annotations


def fake_llm(prompt: str) -> str:
    """Answers a joke prompt or an explanation prompt with fixed, readable text."""
    if prompt.startswith("Joke about:"):
        topic = prompt.split(":", 1)[1].strip()
        return f"Why did the {topic} cross the road? To get to the punchline."
    return "It answers a riddle literally, which is the whole joke."
