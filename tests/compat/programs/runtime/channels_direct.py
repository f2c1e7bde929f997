"""Channel objects used directly: update, get, checkpoint, and the empty error."""

import operator

from langgraph.channels import BinaryOperatorAggregate, EphemeralValue, LastValue, Topic
from langgraph.errors import EmptyChannelError, InvalidUpdateError

last = LastValue(int)
print("available", last.is_available())
try:
    last.get()
except EmptyChannelError:
    print("empty LastValue")
print(last.update([3]), last.get())
try:
    last.update([4, 5])
except InvalidUpdateError:
    print("LastValue refuses two values in one step")

total = BinaryOperatorAggregate(int, operator.add)
print("binop start", total.get())
total.update([2, 3])
total.update([10])
print("binop", total.get())

topic = Topic(str, accumulate=False)
topic.update(["a", "b"])
print("topic", topic.get())
topic.update(["c"])
print("topic next step", topic.get())

kept = Topic(str, accumulate=True)
kept.update(["x"])
kept.update(["y", "z"])
print("accumulating topic", kept.get())

eph = EphemeralValue(str)
eph.update(["now"])
print("ephemeral", eph.get())
eph.update([])
print("ephemeral after empty step", eph.is_available())

restored = LastValue(int).from_checkpoint(last.checkpoint())
print("restored", restored.get())
