"""The language model behind the joke workflow: Groq when a key is set, else offline.

Groq is called through its official SDK with the tutorial's settings (model
``llama-3.3-70b-versatile``, temperature 0.5). Its failures become one
:class:`LLMError` with a one-line message saying what to do.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Protocol

MODEL = "llama-3.3-70b-versatile"
TEMPERATURE = 0.5


class LLMError(RuntimeError):
    """The model could not answer; the message says why and what to do."""


class Model(Protocol):
    name: str

    def complete(self, prompt: str) -> str: ...


@dataclass
class GroqModel:
    """Groq's chat completions API, through the ``groq`` SDK."""

    api_key: str
    name: str = f"Groq {MODEL}"

    def complete(self, prompt: str) -> str:
        import groq

        client = groq.Groq(api_key=self.api_key, max_retries=2, timeout=30)
        try:
            reply = client.chat.completions.create(
                model=MODEL,
                temperature=TEMPERATURE,
                messages=[{"role": "user", "content": prompt}],
            )
        except groq.AuthenticationError as error:
            raise LLMError("Groq refused the API key (check GROQ_API_KEY)") from error
        except groq.RateLimitError as error:
            raise LLMError("Groq rate limit reached; wait a minute, then --resume") from error
        except groq.APIConnectionError as error:
            raise LLMError("cannot reach Groq (network?); then run again with --resume") from error
        except groq.APIStatusError as error:
            raise LLMError(f"Groq answered {error.status_code}; try --resume later") from error
        return (reply.choices[0].message.content or "").strip()


@dataclass
class OfflineModel:
    """A deterministic stand-in: the workflow, checkpoints and history are real."""

    name: str = "offline model (set GROQ_API_KEY to use Groq)"

    def complete(self, prompt: str) -> str:
        subject = prompt.rsplit(":", 1)[-1].strip().strip('"') or "nothing"
        pick = int(hashlib.sha256(subject.encode()).hexdigest(), 16)
        if prompt.startswith("Write"):
            endings = (
                "it wanted to get to the punchline",
                "the other side had better Wi-Fi",
                "it was on a roll",
                "nobody told it not to",
            )
            return f"Why did the {subject} do it? Because {endings[pick % len(endings)]}."
        punchline = subject.split("Because", 1)[-1].strip(" .") or subject
        return (
            f"It sets up the classic 'why did it cross' riddle, then answers with "
            f"'{punchline}': a mundane reason where a clever one was expected."
        )


def load_model() -> Model:
    """Groq when ``GROQ_API_KEY`` is set (environment or ``.env``), else the offline model."""
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv comes with the groq extra
        pass
    else:
        load_dotenv()
    key = os.environ.get("GROQ_API_KEY", "").strip()
    if key:
        try:
            import groq  # noqa: F401 - checked here so the message is clear
        except ImportError:
            raise LLMError(
                "GROQ_API_KEY is set but the groq SDK is missing: pip install 'cairngraph[groq]'"
            ) from None
        return GroqModel(api_key=key)
    return OfflineModel()
