"""Runnable examples: ``python -m examples.jokes`` and ``examples/tutorial/*.py``."""
