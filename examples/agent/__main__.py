"""An agent thread on SQLite: it pauses for a human, a second process resumes it.

python -m examples.agent                     # ask, pause for approval, resume in a 2nd process
python -m examples.agent --answer no         # the human refuses the booking
python -m examples.agent --resume --answer yes --thread T   # answer a waiting thread yourself
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.types import Command
from examples.agent.agent import build, tool_history
from examples.agent.model import load_model

REQUEST = "Book a sync with the team on Monday."


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m examples.agent",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db", default="data/agent.db", help="SQLite file (default: data/agent.db)"
    )
    parser.add_argument("--thread", default="meeting-1", help="thread id (default: meeting-1)")
    parser.add_argument("--answer", default="yes", help="the human's answer to the approval")
    parser.add_argument("--resume", action="store_true", help="only answer the waiting approval")
    return parser.parse_args(argv)


def start(agent: Any, config: dict[str, Any], args: argparse.Namespace) -> int:
    """Process 1: ask, run until the tool asks for approval, and hand over to process 2."""
    print(f"user: {REQUEST}")
    result = agent.invoke({"messages": [("user", REQUEST)]}, config)
    if "__interrupt__" not in result:
        print(f"agent: {result['messages'][-1].content}")
        return 0
    pending = result["__interrupt__"][0].value
    print(
        f"paused: the agent wants to {pending['action']} {pending['title']!r} "
        f"on {pending['day']} at {pending['time']}"
    )
    print(f"saved in {args.db}; this process stops here. Starting a second process to answer...\n")
    command = [sys.executable, "-m", "examples.agent", "--db", args.db, "--thread", args.thread]
    second = subprocess.run([*command, "--resume", "--answer", args.answer], check=False)
    return second.returncode


def resume(agent: Any, config: dict[str, Any], args: argparse.Namespace) -> int:
    """Process 2: read the thread from SQLite, answer the approval, finish the run."""
    saved = agent.get_state(config)
    if not saved.interrupts:
        print(
            f"thread {args.thread!r} is not waiting for an approval (next: {saved.next or 'done'})"
        )
        return 1
    step = saved.metadata["step"]
    print(f"second process: thread {args.thread!r} is waiting at step {step} for {saved.next}")
    print(f"human answers: {args.answer!r}")
    result = agent.invoke(Command(resume=args.answer), config)
    print(f"agent: {result['messages'][-1].content}\n")
    print("tool calls of this thread (from its saved history):")
    for step, name, arguments, outcome in tool_history(agent, config):
        print(f"  step {step:>2}  {name:<15} {arguments:<55} -> {outcome}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    model, description = load_model()
    config = {"configurable": {"thread_id": args.thread}}
    with SqliteSaver.from_conn_string(args.db) as saver:
        agent = build(model, saver)
        if args.resume:
            return resume(agent, config, args)
        print(f"cairngraph agent: thread {args.thread!r}, SQLite file {args.db}")
        print(f"model: {description}\n")
        return start(agent, config, args)


if __name__ == "__main__":
    sys.exit(main())
