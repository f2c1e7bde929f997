"""``cairngraph.prebuilt.interrupt``: the human-review request and answer shapes."""

from __future__ import annotations

import warnings

from cairngraph.prebuilt.interrupt import (
    ActionRequest,
    HumanInterrupt,
    HumanInterruptConfig,
    HumanResponse,
)


def test_the_moved_shapes_are_marked_deprecated_and_build_plain_dicts() -> None:
    for shape in (HumanInterrupt, ActionRequest, HumanInterruptConfig):
        assert "langchain.agents.interrupt" in shape.__deprecated__  # type: ignore[attr-defined]
    request = HumanInterrupt(
        action_request=ActionRequest(action="send_email", args={"to": "ann"}),
        config=HumanInterruptConfig(
            allow_ignore=False, allow_respond=True, allow_edit=True, allow_accept=True
        ),
        description=None,
    )
    assert type(request) is dict
    assert request["action_request"] == {"action": "send_email", "args": {"to": "ann"}}


def test_a_human_response_is_not_deprecated() -> None:
    assert not hasattr(HumanResponse, "__deprecated__")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        answer = HumanResponse(type="response", args="later, please")
    assert answer == {"type": "response", "args": "later, please"}
