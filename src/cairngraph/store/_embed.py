"""Semantic search's parts: the embedder, the texts of a value, and cosine similarity.

Invariants:

- ``IndexConfig["embed"]`` is duck-typed: an object with ``embed_documents`` and
  ``embed_query`` (LangChain's ``Embeddings``; ``aembed_*`` used when present),
  a plain function, or an async function. langchain-core is never imported.
- Vectors are stored unit-length as float32 (:func:`pack`), so cosine similarity
  is a dot product; a zero vector scores 0. The embedder must return ``dims``
  numbers per text, else :class:`EmbeddingError` names the text's count.
- Paths follow LangGraph's: ``"$"`` (the whole value as sorted JSON), dotted
  fields, ``[i]``/``[*]`` for lists, ``{a,b}`` for several fields, ``*`` for
  every field. A path that yields several texts stores one vector per text,
  named ``path.i``; an item's score is its best vector's.
"""

from __future__ import annotations

import array
import asyncio
import inspect
import json
import math
import operator
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol, runtime_checkable

from cairngraph.errors import CairnGraphError

__all__ = [
    "Embedder",
    "EmbeddingError",
    "EmbeddingsLike",
    "Index",
    "pack",
    "best_first",
    "similarities",
    "texts_at",
    "tokenize_path",
    "unpack",
]


class EmbeddingError(CairnGraphError, ValueError):
    """The ``index`` config, or what its embed function returned, cannot be used."""


@runtime_checkable
class EmbeddingsLike(Protocol):
    """What a LangChain ``Embeddings`` object offers (duck-typed)."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


class Embedder:
    """Embeds texts with whatever ``embed`` is, sync or async.

    Example::

        embedder = Embedder(lambda texts: [[len(t), 1.0] for t in texts], dims=2)
        embedder.embed(["a", "bb"])
    """

    def __init__(self, embed: Any, dims: int) -> None:
        self.dims = dims
        self._object = embed if isinstance(embed, EmbeddingsLike) else None
        self._function: Callable[[list[str]], Any] | None = None
        self._is_async = False
        if self._object is None:
            if isinstance(embed, str):
                raise EmbeddingError(
                    f"index['embed'] is the string {embed!r}; cairngraph does not resolve "
                    "provider strings. Pass the model itself, e.g. "
                    f"langchain.embeddings.init_embeddings({embed!r}), or a function"
                )
            if not callable(embed):
                raise EmbeddingError(
                    f"index['embed'] must be a function list[str] -> list[list[float]], an "
                    f"async one, or an Embeddings object; got {type(embed).__name__}"
                )
            self._function = embed
            call = getattr(embed, "__call__", None)  # noqa: B004 - a callable object's method
            self._is_async = inspect.iscoroutinefunction(embed) or inspect.iscoroutinefunction(call)

    def embed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        """Vectors for ``texts``, from a sync context."""
        if not texts:
            return []
        if self._object is not None:
            if query:
                return self._check(texts, [self._object.embed_query(text) for text in texts])
            return self._check(texts, self._object.embed_documents(texts))
        assert self._function is not None
        if self._is_async:
            return self._check(texts, _run_coroutine(self._function(texts)))
        return self._check(texts, self._function(texts))

    async def aembed(self, texts: list[str], query: bool = False) -> list[list[float]]:
        """Vectors for ``texts``, from a coroutine (a sync embedder runs in a thread)."""
        if not texts:
            return []
        if self._object is not None:
            name = "aembed_query" if query else "aembed_documents"
            method = getattr(self._object, name, None)
            if method is None:
                return await asyncio.to_thread(self.embed, texts, query)
            if query:
                found = list(await asyncio.gather(*(method(text) for text in texts)))
                return self._check(texts, found)
            return self._check(texts, await method(texts))
        assert self._function is not None
        if self._is_async:
            return self._check(texts, await self._function(texts))
        return await asyncio.to_thread(self.embed, texts, query)

    def _check(self, texts: list[str], vectors: Any) -> list[list[float]]:
        vectors = list(vectors)
        if len(vectors) != len(texts):
            raise EmbeddingError(
                f"the embed function returned {len(vectors)} vectors for {len(texts)} texts; "
                "it must return one per text"
            )
        for text, vector in zip(texts, vectors, strict=True):
            if len(vector) != self.dims:
                raise EmbeddingError(
                    f"the embed function returned {len(vector)} numbers for {text[:40]!r}, but "
                    f"index['dims'] is {self.dims}; make them agree"
                )
        return [[float(number) for number in vector] for vector in vectors]


def _run_coroutine(work: Awaitable[Any]) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(_awaited(work))
    if inspect.iscoroutine(work):
        work.close()
    raise EmbeddingError(
        "index['embed'] is an async function, called from a sync store method inside a "
        "running event loop; use the async methods (aput, asearch) there"
    )


async def _awaited(work: Awaitable[Any]) -> Any:
    return await work


@dataclass(frozen=True, slots=True)
class Index:
    """A store's ``index`` config, checked: the embedder and the default paths."""

    embedder: Embedder
    dims: int
    fields: tuple[str, ...]

    @classmethod
    def of(cls, config: Mapping[str, Any] | None) -> Index | None:
        """Check ``config`` (an :class:`~cairngraph.store.base.IndexConfig`) or pass None."""
        if config is None:
            return None
        unknown = set(config) - {"embed", "dims", "fields", "distance_type", "ann_index_config"}
        if unknown:
            raise TypeError(
                f"index config has unknown keys {sorted(unknown)}; use embed, dims, fields"
            )
        distance = config.get("distance_type", "cosine")
        if distance != "cosine":
            raise EmbeddingError(
                f"index['distance_type'] is {distance!r}; cairngraph's stores rank by cosine "
                "similarity only. Drop the key, or set it to 'cosine'"
            )
        dims = config.get("dims")
        if not isinstance(dims, int) or isinstance(dims, bool) or dims <= 0:
            raise EmbeddingError(f"index['dims'] must be a positive int, got {dims!r}")
        if "embed" not in config:
            raise EmbeddingError("index needs 'embed': a function or an Embeddings object")
        fields = tuple(config.get("fields") or ("$",))
        return cls(Embedder(config["embed"], dims), dims, fields)


def texts_at(value: Mapping[str, Any], paths: Sequence[str]) -> list[tuple[str, str]]:
    """``(vector name, text)`` for each text found at ``paths`` in ``value``."""
    found: list[tuple[str, str]] = []
    for path in paths:
        texts = _extract(dict(value), tokenize_path(path), 0) if path != "$" else [_json(value)]
        if len(texts) == 1:
            found.append((path, texts[0]))
        else:
            found.extend((f"{path}.{i}", text) for i, text in enumerate(texts))
    return found


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _leaf(value: Any) -> list[str]:
    if isinstance(value, bool | int | float | str):
        return [str(value)]
    if isinstance(value, list | dict):
        return [_json(value)]
    return []


def _extract(value: Any, tokens: list[str], at: int) -> list[str]:
    if at == len(tokens):
        return _leaf(value)
    token = tokens[at]
    if token.startswith("[") and token.endswith("]"):
        if not isinstance(value, list):
            return []
        inside = token[1:-1]
        if inside == "*":
            return [text for entry in value for text in _extract(entry, tokens, at + 1)]
        try:
            index = int(inside)
        except ValueError:
            return []
        index = index + len(value) if index < 0 else index
        return _extract(value[index], tokens, at + 1) if 0 <= index < len(value) else []
    if token.startswith("{") and token.endswith("}"):
        if not isinstance(value, dict):
            return []
        texts: list[str] = []
        for field in (part.strip() for part in token[1:-1].split(",")):
            texts.extend(_extract(value, tokenize_path(field), 0) if field else [])
        return texts
    if token == "*":
        entries = value.values() if isinstance(value, dict) else value
        if not isinstance(value, dict | list):
            return []
        return [text for entry in entries for text in _extract(entry, tokens, at + 1)]
    if isinstance(value, dict) and token in value:
        return _extract(value[token], tokens, at + 1)
    return []


def tokenize_path(path: str) -> list[str]:
    """Split ``"a.b[0].{c,d}"`` into ``["a", "b", "[0]", "{c,d}"]``."""
    tokens: list[str] = []
    current = ""
    depth = 0
    for char in path:
        if depth:
            tokens[-1] += char
            depth += (char in "[{") - (char in "]}")
        elif char in "[{":
            if current:
                tokens.append(current)
            current, depth = "", 1
            tokens.append(char)
        elif char == ".":
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def pack(vector: Sequence[float]) -> bytes:
    """``vector`` scaled to unit length, as float32 bytes (little-endian)."""
    norm = math.sqrt(sum(number * number for number in vector))
    scaled = array.array("f", (number / norm for number in vector) if norm else vector)
    if sys.byteorder == "big":
        scaled.byteswap()
    return scaled.tobytes()


def unpack(data: bytes) -> array.array[float]:
    """The float32 numbers :func:`pack` wrote."""
    numbers = array.array("f")
    numbers.frombytes(data)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers


def similarities(query: bytes, vectors: Sequence[bytes]) -> list[float]:
    """Cosine similarity of the packed ``query`` to each packed vector.

    With numpy importable, one matrix product; otherwise the same sums in
    pure Python (slower, same ranking up to float rounding).
    """
    return best_first(query, vectors)[0]


def best_first(query: bytes, vectors: Sequence[bytes]) -> tuple[list[float], list[int]]:
    """The similarities, and the indexes of ``vectors`` from most to least similar
    (ties in their given order)."""
    if not vectors:
        return [], []
    np = None if _PURE else _numpy()
    if np is not None:
        matrix = np.frombuffer(b"".join(vectors), dtype="<f4").reshape(len(vectors), -1)
        scores = matrix @ np.frombuffer(query, dtype="<f4")
        order = np.argsort(-scores, kind="stable")
        return [float(score) for score in scores.tolist()], [int(at) for at in order.tolist()]
    point = unpack(query)
    found = [sum(map(operator.mul, point, unpack(vector))) for vector in vectors]
    return found, sorted(range(len(found)), key=lambda at: -found[at])


_PURE = False
"""Tests set this to check the pure-Python path gives the numpy path's ranking."""


@cache
def _numpy() -> Any:
    try:
        import numpy
    except ImportError:
        return None
    return numpy
