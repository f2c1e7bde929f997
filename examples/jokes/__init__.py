"""The persistence tutorial's joke workflow, durable on SQLite: ``python -m examples.jokes``."""
