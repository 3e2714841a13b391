"""Leaderboard engine: MTEB's tables (Borda rank, means per task and task type) from results.

Input: :class:`~emboard.leaderboard.rows.ResultColumns` (what the store reads) or result rows.
Entry points: :func:`emboard.leaderboard.engine.build_leaderboard` (results → tables), or
:func:`emboard.leaderboard.engine.prepare_benchmark` once per (benchmark, rows) and then
:meth:`~emboard.leaderboard.engine.PreparedBenchmark.leaderboard` per filter.
"""
