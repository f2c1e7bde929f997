"""Benchmarks: identical workloads on cairngraph and on LangGraph, in one process run.

``python -m benchmarks`` (or ``make bench``) prints medians over repeats and
the ratio LangGraph time / cairngraph time. LangGraph is installed only with
the ``dev`` extra, as the reference; cairngraph never imports it.
"""
