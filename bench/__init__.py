"""Benchmarks: ``make bench`` (``python -m bench``). Figures go into BENCHMARKS.md."""
