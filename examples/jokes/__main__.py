"""Run the joke workflow on the embedded SQLite store and show what was saved.

python -m examples.jokes                      # tell a joke (or show the saved one)
python -m examples.jokes --topic owls --thread owls-1
python -m examples.jokes --thread jokes-1 --resume
python -m examples.jokes --thread jokes-1 --fork <checkpoint_id>
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from cairngraph.checkpoint.sqlite import SqliteSaver
from examples.jokes.llm import LLMError, load_model
from examples.jokes.report import describe
from examples.jokes.workflow import build

DEFAULT_TOPIC = "chickens crossing the road"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m examples.jokes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--topic", help=f"what the joke is about (default: {DEFAULT_TOPIC!r})")
    parser.add_argument("--thread", default="jokes-1", help="thread id (default: jokes-1)")
    parser.add_argument(
        "--db", default="data/jokes.db", help="SQLite file (default: data/jokes.db)"
    )
    parser.add_argument("--resume", action="store_true", help="continue the thread's last run")
    parser.add_argument("--fork", metavar="CHECKPOINT_ID", help="replay from an older checkpoint")
    parser.add_argument("--new", action="store_true", help="tell a new joke on a finished thread")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    config = {"configurable": {"thread_id": args.thread}}
    try:
        model = load_model()
    except LLMError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"cairngraph joke workflow: thread {args.thread!r}, SQLite file {args.db}")
    print(f"model: {model.name}\n")
    with SqliteSaver.from_conn_string(args.db) as saver:
        workflow = build(model, saver)
        saved = workflow.get_state(config)
        try:
            if args.fork:
                fork = {"configurable": {**config["configurable"], "checkpoint_id": args.fork}}
                print(f"Replaying from checkpoint {args.fork} (a new branch; the old one stays).\n")
                workflow.invoke(None, fork)
            elif args.resume:
                if saved.metadata is None:
                    print("This thread has never run; starting it.\n")
                    workflow.invoke({"topic": args.topic or DEFAULT_TOPIC}, config)
                else:
                    waiting = ", ".join(saved.next) or "nothing left"
                    print(f"Resuming from step {saved.metadata['step']} ({waiting}).\n")
                    workflow.invoke(None, config)
            elif saved.metadata is not None and not args.new and not args.topic:
                state = "finished" if not saved.next else f"stopped before {', '.join(saved.next)}"
                print(
                    f"Thread {args.thread!r} already has a run ({state}, saved "
                    f"{saved.created_at}); showing it. Use --new or --topic to tell another "
                    "joke, --resume to continue.\n"
                )
            else:
                workflow.invoke({"topic": args.topic or DEFAULT_TOPIC}, config)
        except LLMError as error:
            print(f"error: {error}", file=sys.stderr)
            print(
                f"Every finished step is saved. Continue with: python -m examples.jokes "
                f"--thread {args.thread} --resume",
                file=sys.stderr,
            )
            return 2
        state = workflow.get_state(config)
        history = list(workflow.get_state_history(config))
    print(describe(state, history))
    oldest_loop = next((s for s in reversed(history) if s.next == ("explain_joke",)), None)
    print("\nWhat next:")
    print(f"  resume this thread:  python -m examples.jokes --thread {args.thread} --resume")
    if oldest_loop is not None:
        checkpoint = oldest_loop.config["configurable"]["checkpoint_id"]
        print(
            f"  fork from a step:    python -m examples.jokes --thread {args.thread} "
            f"--fork {checkpoint}"
        )
    print("  another thread:      python -m examples.jokes --thread other --topic 'owls'")
    print(f"  inspect the thread:  python -m examples.jokes --thread {args.thread}")
    # The same store, from the shell (pip install 'cairngraph[cli]'): see docs/cli.md.
    db = shlex.quote(args.db)
    thread = shlex.quote(args.thread)
    print("\nThe cairn command reads the same store:")
    print(f"  every thread:        cairn --db {db} threads")
    print(f"  this thread's steps: cairn --db {db} history {thread}")
    print(f"  one checkpoint:      cairn --db {db} show {thread}")
    if oldest_loop is not None:
        print(f"  what a step changed: cairn --db {db} diff {thread} {checkpoint} latest")
        print(f"  branch off a step:   cairn --db {db} fork {thread} {checkpoint} --to {thread}-b")
    print(f"  check the file:      cairn --db {db} verify")
    return 0


if __name__ == "__main__":
    sys.exit(main())
