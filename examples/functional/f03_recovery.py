"""Functional API: a task fails; invoke(None) resumes, and the finished task is not run again."""

import sqlite3
import tempfile
from pathlib import Path

from cairngraph.checkpoint.sqlite import SqliteSaver
from cairngraph.func import entrypoint, task

ran = []
service_up = {"value": False}


@task
def fetch_order(order_id: int) -> dict:
    ran.append("fetch_order")
    return {"id": order_id, "amount": 42}


@task
def charge(order: dict) -> str:
    ran.append("charge")
    if not service_up["value"]:
        raise ConnectionError("payment service unreachable")
    return f"charged {order['amount']} for order {order['id']}"


with tempfile.TemporaryDirectory() as folder:
    saver = SqliteSaver(sqlite3.connect(Path(folder) / "orders.db", check_same_thread=False))

    @entrypoint(checkpointer=saver)
    def checkout(order_id: int) -> str:
        order = fetch_order(order_id).result()
        return charge(order).result()

    config = {"configurable": {"thread_id": "order-7"}}
    try:
        checkout.invoke(7, config)
    except ConnectionError as error:
        print("failed:", error)
    snapshot = checkout.get_state(config)
    print("next:", snapshot.next, "error:", snapshot.tasks[0].error)

    service_up["value"] = True
    print(checkout.invoke(None, config))
    print("ran:", ran)
