"""The superstep engine: which nodes run, how their writes become state, how runs are saved.

``algo`` is the pure core (no I/O), ``channels`` the state containers, ``loop``
the run written once as a generator (with ``_inputs``: how a run begins, and
``_run_state``: its working state and how it becomes checkpoints),
``drivers`` the thin sync and async shells that execute tasks and talk to the
saver (``_writer`` saves in the background), ``snapshot`` the read side
(``get_state``, history, ``update_state``).
"""
