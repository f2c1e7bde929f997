"""Every command has help, and a section in docs/cli.md naming each of its options."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from cairngraph.cli import cli
from tests.cli.helpers import invoke

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
COMMANDS = sorted(cli.commands)


def section(name: str) -> str:
    text = DOCS.read_text()
    match = re.search(rf"^## `cairn {name}`\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, f"docs/cli.md has no section '## `cairn {name}`'"
    return match.group(1)


def test_the_group_documents_every_command() -> None:
    assert set(COMMANDS) == {
        "threads",
        "history",
        "show",
        "diff",
        "fork",
        "delete",
        "prune",
        "sweep",
        "verify",
        "export",
        "import",
        "import-langgraph",
        "stats",
        "migrate",
        "run",
        "resume",
        "answer",
        "ui",
    }


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_help_and_a_docs_section(name: str) -> None:
    command = cli.commands[name]
    assert command.help and len(command.help.split()) >= 5, f"cairn {name} has no help text"
    body = section(name)
    assert len(body.split()) >= 15, f"the docs section of cairn {name} says too little"
    for parameter in command.params:
        if isinstance(parameter, click.Option):
            assert parameter.help, f"cairn {name} {parameter.opts[0]} has no help"
            assert any(f"`{opt}" in body for opt in parameter.opts), (
                f"docs/cli.md's section of cairn {name} does not mention {parameter.opts[0]}"
            )
    result = invoke(name, "--help")
    assert result.exit_code == 0 and (command.help.split()[0] in result.stdout)


def test_group_options_have_help() -> None:
    for parameter in cli.params:
        assert isinstance(parameter, click.Option) and parameter.help
