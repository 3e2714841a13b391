"""Leaderboard engine: MTEB's tables (Borda rank, means per task and task type) from result rows.

Entry point: :func:`emboard.leaderboard.engine.build_leaderboard`.
"""
