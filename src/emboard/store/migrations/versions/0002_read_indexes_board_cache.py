"""Covering indexes for leaderboard reads (replacing two narrower ones); a leaderboard cache.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_result_file_task_cover",
        "result_file",
        ["task_name", "removed_ingest_id", "id", "revision_id", "mteb_version", "source_id"],
    )
    op.create_index(
        "ix_score_main_cover", "score", ["result_id", "split", "subset", "languages", "main_score"]
    )
    # the covering indexes start with the columns these served
    op.drop_index("ix_score_result", table_name="score")
    op.drop_index("ix_result_file_task", table_name="result_file")
    op.create_table(
        "board_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("board_cache")
    op.create_index("ix_score_result", "score", ["result_id"])
    op.create_index("ix_result_file_task", "result_file", ["task_name"])
    op.drop_index("ix_score_main_cover", table_name="score")
    op.drop_index("ix_result_file_task_cover", table_name="result_file")
