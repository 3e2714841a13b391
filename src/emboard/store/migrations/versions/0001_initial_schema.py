"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "benchmark",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("meta", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column(
            "old_value", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column(
            "new_value", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.create_index("ix_history_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("registered", sa.Boolean(), nullable=False),
        sa.Column("meta", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("meta_source", sa.String(length=32), nullable=True),
        sa.Column("n_parameters", sa.BigInteger(), nullable=True),
        sa.Column("memory_usage_mb", sa.Float(), nullable=True),
        sa.Column("embed_dim", sa.Integer(), nullable=True),
        sa.Column("max_tokens", sa.Float(), nullable=True),
        sa.Column("open_weights", sa.Boolean(), nullable=True),
        sa.Column("use_instructions", sa.Boolean(), nullable=True),
        sa.Column("license", sa.String(length=200), nullable=True),
        sa.Column("release_date", sa.String(length=32), nullable=True),
        sa.Column("updated_ingest_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=True),
        sa.Column("last_ingest_id", sa.Integer(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "location", name="uq_source_kind_location"),
    )
    op.create_table(
        "task",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("main_score", sa.String(length=128), nullable=False),
        sa.Column("meta", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "ingest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=True),
        sa.Column(
            "counts", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "problems", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("experiment", sa.String(length=300), nullable=False),
        sa.Column("variant", sa.String(length=300), nullable=False),
        sa.Column("meta", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["model.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model_id", "name", "experiment", name="uq_revision_model_name"),
    )
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revision_model_id"), ["model_id"], unique=False)

    op.create_table(
        "result_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("task_name", sa.String(length=300), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("stamp", sa.String(length=64), nullable=True),
        sa.Column("file_schema", sa.String(length=16), nullable=False),
        sa.Column("dataset_revision", sa.String(length=200), nullable=True),
        sa.Column("mteb_version", sa.String(length=64), nullable=True),
        sa.Column("evaluation_time", sa.Float(), nullable=True),
        sa.Column("date", sa.Float(), nullable=True),
        sa.Column("extra", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("commit", sa.String(length=64), nullable=True),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.Column("removed_ingest_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["revision.id"],
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "path", name="uq_result_file_source_path"),
    )
    with op.batch_alter_table("result_file", schema=None) as batch_op:
        batch_op.create_index("ix_result_file_revision", ["revision_id"], unique=False)
        batch_op.create_index("ix_result_file_task", ["task_name"], unique=False)

    op.create_table(
        "score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=False),
        sa.Column("split", sa.String(length=64), nullable=False),
        sa.Column("subset", sa.String(length=200), nullable=False),
        sa.Column(
            "languages", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column("main_score", sa.Float(), nullable=True),
        sa.Column(
            "metrics", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["result_id"],
            ["result_file.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_score_result", "score", ["result_id"], unique=False)


def downgrade() -> None:

    op.drop_table("score")
    with op.batch_alter_table("result_file", schema=None) as batch_op:
        batch_op.drop_index("ix_result_file_task")
        batch_op.drop_index("ix_result_file_revision")

    op.drop_table("result_file")
    with op.batch_alter_table("revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revision_model_id"))

    op.drop_table("revision")
    op.drop_table("ingest")
    op.drop_table("task")
    op.drop_table("source")
    op.drop_table("model")
    with op.batch_alter_table("history", schema=None) as batch_op:
        batch_op.drop_index("ix_history_entity")

    op.drop_table("history")
    op.drop_table("benchmark")
