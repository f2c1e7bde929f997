"""The inspector in a real browser: Debian's Chromium, headless, against ``serve`` in a subprocess.

Walks what a person does: open a thread, step through its history, view a
diff, fork from a step, answer an interrupt — with JavaScript (htmx swaps the
pages in place) and without it (plain links and forms). Each page is
screenshotted; ``UPDATE_SCREENSHOTS=1`` writes them to ``docs/images/``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from cairngraph.checkpoint.sqlite import SqliteSaver
from tests.inspector.flows import fill

ROOT = Path(__file__).resolve().parents[2]
# A loaded CI machine answers slower than playwright's 5 s default: wait up to 30 s.
expect.set_options(timeout=30_000)
IMAGES = ROOT / "docs" / "images"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    db: Path, *, graph: str | None, host: str = "127.0.0.1"
) -> tuple[subprocess.Popen[str], str]:
    """``serve`` in a child process; returns it and the URL it printed, once it answers."""
    port = _free_port()
    code = (
        "import sys; from cairngraph.inspector import serve; "
        f"serve({str(db)!r}, graph={graph!r}, host={host!r}, port={port}, read_only=False)"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    url = re.search(r"(http://\S+)", line)
    assert url, f"serve printed {line!r}, not its URL"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return child, url.group(1)
        time.sleep(0.05)
    child.kill()
    raise AssertionError(f"serve did not listen on port {port} within 20 s")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "runs.db"
    saver = SqliteSaver(db)
    fill(saver)
    saver.close()
    child, url = start_server(db, graph="tests.inspector.flows:builder")
    try:
        yield url
    finally:
        child.terminate()
        child.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def _shot(page: Page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"inspector-{name}.png"), full_page=True)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / f"inspector-{name}.png"), full_page=True)


def test_a_person_inspects_forks_and_answers(browser: Browser, server: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server)
    assert page.evaluate("typeof htmx") == "object"  # the packaged htmx, served offline
    expect(page.locator("a.thread-link")).to_have_count(6)
    _shot(page, tmp_path, "threads")
    page.fill("#q", "review")  # htmx searches as one types
    expect(page.locator("a.thread-link")).to_have_count(3)
    page.click("a.thread-link:text-is('review-forked')")
    expect(page.locator("h1")).to_contain_text("review-forked")
    expect(page.locator(".badge.fork")).to_have_text("branch from step 1")
    _shot(page, tmp_path, "timeline")

    page.locator("a.step-link").last.click()  # the oldest step, then forwards
    expect(page.locator("h1")).to_contain_text("Step -1")
    steps = [page.locator("h1").inner_text()]
    while page.locator("a.newer-step").count():
        page.click("a.newer-step")
        expect(page.locator("h1")).not_to_have_text(steps[-1])
        steps.append(page.locator("h1").inner_text())
    assert [s.split()[1] for s in steps] == ["-1", "0", "1", "2", "2"]
    _shot(page, tmp_path, "step")

    page.click("a.diff-link")
    expect(page.locator("table.diff tr.changed")).to_have_count(1)
    expect(page.locator("table.diff")).to_contain_text("a better post")
    _shot(page, tmp_path, "diff")

    page.goto(server + "thread?thread_id=review-paused")
    page.locator("a.step-link").nth(1).click()  # step 0, before the draft was written
    expect(page.locator("h1")).to_contain_text("Step 0")
    page.click("form.fork button")  # a "fork" copy of step 0, then write runs again: step 2
    expect(page.locator("h1")).to_contain_text("Step 2")
    expect(page.locator(".interrupts")).to_contain_text("publish?")
    expect(page.locator("svg.graph g.next")).to_have_attribute("data-node", "review")
    _shot(page, tmp_path, "interrupt")
    page.fill("form.answer textarea", '"yes"')
    page.click("form.answer button")
    expect(page.locator("h1")).to_contain_text("Step 3")
    expect(page.locator(".state")).to_contain_text("approved")
    page.goto(server + "thread?thread_id=review-paused")
    expect(page.locator(".badge.fork")).to_have_count(1)  # the fork from step 0 is a branch
    expect(page.locator(".badge.forkpoint")).to_have_count(1)
    context.close()


def test_pages_work_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server + "?q=paused")
    expect(page.locator("a.thread-link")).to_have_count(1)
    page.click("a.thread-link")
    page.locator("a.step-link").first.click()
    expect(page.locator(".interrupts")).to_contain_text("publish?")
    page.fill("form.answer textarea", '"no"')
    page.click("form.answer button")
    expect(page.locator("h1")).to_contain_text("Step 2")
    expect(page.locator(".state .pretty")).to_contain_text("false")
    context.close()
