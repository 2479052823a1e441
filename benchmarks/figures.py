"""``python -m benchmarks figures``: the dashboard figures at a million cases (benchmarks/figures_at_scale.py)."""

from benchmarks.figures_at_scale import figures_timings, main

__all__ = ["figures_timings", "main"]
