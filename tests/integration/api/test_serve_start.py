"""Opening a store (``emboard serve``'s start-up and every command): a store at the newest
schema opens without Alembic."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from emboard.store.db import MIGRATIONS_DIR, head_revision

    heads = ScriptDirectory(str(MIGRATIONS_DIR)).get_heads()
    assert [head_revision(MIGRATIONS_DIR / "versions")] == heads


def test_head_revision_refuses_branches(tmp_path: Path) -> None:
    from emboard.store.db import head_revision

    (tmp_path / "a.py").write_text('revision = "a"\ndown_revision = None\n')
    (tmp_path / "b.py").write_text('revision = "b"\ndown_revision = "a"\n')
    assert head_revision(tmp_path) == "b"
    (tmp_path / "c.py").write_text('revision = "c"\ndown_revision = "a"\n')
    assert head_revision(tmp_path) is None
    (tmp_path / "d.py").write_text("revision = compute()\n")
    assert head_revision(tmp_path) is None


def test_open_store_migrates_only_when_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emboard.store import db

    url = f"sqlite:///{tmp_path / 's.db'}"
    calls: list[object] = []
    real = db.migrate
    monkeypatch.setattr(db, "migrate", lambda engine: (calls.append(engine), real(engine)))
    store = db.open_store(url)  # empty: migrated
    assert len(calls) == 1
    assert db.stored_revision(store.engine) == db.schema_version(store.engine)
    store.close()
    again = db.open_store(url)  # at head: opened as it is
    assert len(calls) == 1 and again.url == url
    with again.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM ingest").scalar() == 0
    again.close()
