"""EncryptedSerializer: AES-256-GCM with key ids; wrong keys and tampering are errors."""

from __future__ import annotations

import base64
import dataclasses
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cairngraph.checkpoint.serde import EncryptedSerializer, MsgpackSerializer, TypeRegistry
from cairngraph.errors import (
    CorruptDataError,
    DecryptionError,
    InvalidConfigError,
    UnregisteredTypeError,
)


@dataclasses.dataclass
class Card:
    number: str


def key() -> bytes:
    return os.urandom(32)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def sealed(**keys: bytes) -> EncryptedSerializer:
    return EncryptedSerializer(MsgpackSerializer(TypeRegistry()), keys=keys)


@settings(max_examples=50, deadline=None)
@given(st.none() | st.binary() | st.recursive(st.text() | st.integers(), st.lists, max_leaves=5))
def test_round_trip_and_tag(value: Any) -> None:
    serde = sealed(k=key())
    tag, payload = serde.dumps_typed(value)
    inner_tag = MsgpackSerializer().dumps_typed(value)[0]
    assert tag == f"{inner_tag}+aesgcm"
    assert serde.loads_typed((tag, payload)) == value


def test_payload_layout_and_secrecy() -> None:
    serde = sealed(**{"2026-11": key()})
    _tag, payload = serde.dumps_typed({"card": "4111-1111"})
    assert payload[0] == 1 and payload[1] == len(b"2026-11")
    assert payload[2:9] == b"2026-11"
    assert b"4111" not in payload
    assert (
        len(payload)
        == 2 + 7 + 12 + len(MsgpackSerializer().dumps_typed({"card": "4111-1111"})[1]) + 16
    )
    assert serde.dumps_typed(1)[1] != serde.dumps_typed(1)[1]  # a fresh nonce every time


def test_rotation_reads_old_keys_and_writes_with_the_active_one() -> None:
    old, new = key(), key()
    before = sealed(k1=old).dumps_typed({"secret": "value"})
    rotated = EncryptedSerializer(
        MsgpackSerializer(), keys={"k1": old, "k2": new}, active_key_id="k2"
    )
    assert rotated.loads_typed(before) == {"secret": "value"}
    after = rotated.dumps_typed({"secret": "value"})
    assert after[1][2:4] == b"k2"
    assert sealed(k2=new).loads_typed(after) == {"secret": "value"}
    with pytest.raises(DecryptionError, match="key 'k1', which this serializer does not have"):
        sealed(k2=new).loads_typed(before)


def test_wrong_key_is_an_error_not_garbage() -> None:
    tag, payload = sealed(k=key()).dumps_typed({"a": 1})
    with pytest.raises(DecryptionError, match="wrong key or tampered payload"):
        sealed(k=key()).loads_typed((tag, payload))


@pytest.mark.parametrize("position", [0, 1, 5, 9, 20, -1])
def test_every_flipped_byte_is_detected(position: int) -> None:
    serde = sealed(k=key(), other=key())
    tag, payload = serde.dumps_typed({"a": "b" * 20})
    flipped = bytearray(payload)
    flipped[position] ^= 1
    with pytest.raises((DecryptionError, CorruptDataError)):
        serde.loads_typed((tag, bytes(flipped)))


def test_the_tag_and_the_key_id_are_authenticated() -> None:
    shared = key()
    serde = sealed(aa=shared, bb=shared)  # the same key under two ids
    tag, payload = serde.dumps_typed(b"raw bytes")
    assert tag == "bytes+aesgcm"
    with pytest.raises(DecryptionError, match="tampered"):
        serde.loads_typed(("msgpack+aesgcm", payload))
    relabelled = payload[:2] + b"bb" + payload[4:]
    with pytest.raises(DecryptionError, match="tampered"):
        serde.loads_typed((tag, relabelled))
    with pytest.raises(DecryptionError, match="truncated"):
        serde.loads_typed((tag, payload[:20]))
    with pytest.raises(CorruptDataError, match="format"):
        serde.loads_typed((tag, b"\x07" + payload[1:]))


def test_plaintext_payloads_are_refused_unless_opted_in() -> None:
    plain = MsgpackSerializer().dumps_typed({"old": True})
    with pytest.raises(DecryptionError, match=r"not encrypted.*allow_plaintext=True"):
        sealed(k=key()).loads_typed(plain)
    lenient = EncryptedSerializer(MsgpackSerializer(), keys={"k": key()}, allow_plaintext=True)
    assert lenient.loads_typed(plain) == {"old": True}


def test_registration_reaches_the_inner_serializer() -> None:
    serde = sealed(k=key())
    with pytest.raises(UnregisteredTypeError):
        serde.dumps_typed(Card("1"))
    serde.register(Card)
    assert serde.loads_typed(serde.dumps_typed(Card("1"))) == Card("1")


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ({}, None, "at least one key"),
        ({"k": b"short"}, None, "is 5 bytes; AES-256 needs exactly 32"),
        ({"k": b64(os.urandom(32))}, None, "must be 32 raw bytes, not str"),
        ({"a:b": os.urandom(32)}, None, "contain no ':'"),
        ({"k": os.urandom(32)}, "missing", "'missing' is not among the keys"),
    ],
)
def test_bad_keys_are_clear_errors(keys: dict[str, Any], active: str | None, message: str) -> None:
    with pytest.raises(InvalidConfigError, match=message):
        EncryptedSerializer(MsgpackSerializer(), keys=keys, active_key_id=active)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("CAIRNGRAPH_ENCRYPTION_KEY", raising=False)
    monkeypatch.delenv("CAIRNGRAPH_ENCRYPTION_KEYS", raising=False)
    return monkeypatch


def test_one_key_from_the_environment(env: pytest.MonkeyPatch) -> None:
    raw = key()
    env.setenv("CAIRNGRAPH_ENCRYPTION_KEY", b64(raw))
    serde = EncryptedSerializer.from_env()
    assert serde.active_key_id == "default"
    payload = serde.dumps_typed([1, 2])
    assert sealed(default=raw).loads_typed(payload) == [1, 2]
    env.setenv("CAIRNGRAPH_ENCRYPTION_KEY", f"2026-12:{b64(raw)}")
    assert EncryptedSerializer.from_env().active_key_id == "2026-12"


def test_many_keys_from_the_environment(env: pytest.MonkeyPatch) -> None:
    first, second, third = key(), key(), key()
    env.setenv("CAIRNGRAPH_ENCRYPTION_KEYS", f"a:{b64(first)}, b:{b64(second)}")
    env.setenv("CAIRNGRAPH_ENCRYPTION_KEY", f"c:{b64(third)}")
    serde = EncryptedSerializer.from_env()
    assert serde.active_key_id == "a"
    for raw, name in ((second, "b"), (third, "c")):
        assert serde.loads_typed(sealed(**{name: raw}).dumps_typed("x")) == "x"


@pytest.mark.parametrize(
    ("keys", "one", "message"),
    [
        ("", "", "no encryption key in the environment"),
        (f"bad:{b64(b'short')}", "", "'bad' is 5 bytes"),
        ("k:not base64!", "", "'k' in the environment is not valid base64"),
        (f"k:{b64(b'1' * 32)}", f"k:{b64(b'2' * 32)}", "'k' is given twice with different keys"),
    ],
)
def test_bad_environment_keys(env: pytest.MonkeyPatch, keys: str, one: str, message: str) -> None:
    env.setenv("CAIRNGRAPH_ENCRYPTION_KEYS", keys)
    env.setenv("CAIRNGRAPH_ENCRYPTION_KEY", one)
    with pytest.raises(InvalidConfigError, match=message):
        EncryptedSerializer.from_env()


def test_missing_cryptography_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives.ciphers.aead", None)
    with pytest.raises(InvalidConfigError, match=r"pip install 'cairngraph\[encryption\]'"):
        sealed(k=key())
