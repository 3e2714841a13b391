"""Result files' main scores packed for the leaderboard's read (``store/pack.py``).

Creates ``result_pack`` and ``score_key`` and packs every stored result file from its score
entries, so a store made before reads as fast as a new one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "result_pack",
        sa.Column("task_name", sa.String(length=300), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("main_scores", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["result_id"], ["result_file.id"]),
        sa.PrimaryKeyConstraint("task_name", "result_id"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "score_key",
        sa.Column("hash", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )
    _fill(op.get_bind())


def _fill(conn: sa.Connection) -> None:
    """Pack every result file from its entries (in score id order), a batch at a time."""
    from emboard.store.pack import write_packs

    tasks: dict[int, str] = dict(
        conn.exec_driver_sql("SELECT id, task_name FROM result_file").all()
    )
    rows = conn.exec_driver_sql(
        "SELECT result_id, split, subset, languages, main_score FROM score ORDER BY result_id, id",
        execution_options={"yield_per": 20000},
    )
    pending = []
    for result_id, entries in groupby(rows, key=itemgetter(0)):
        pending.append((result_id, tasks.pop(result_id), [e[1:] for e in entries]))
        if len(pending) >= _BATCH:
            write_packs(conn, pending)
            pending = []
    write_packs(conn, [*pending, *((i, task, []) for i, task in tasks.items())])


def downgrade() -> None:
    op.drop_table("score_key")
    op.drop_table("result_pack")
