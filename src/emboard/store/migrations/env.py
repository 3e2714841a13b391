"""Alembic environment: runs against the engine emboard passes in (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context

from emboard.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations on the engine in ``config.attributes['engine']``."""
    engine = config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
