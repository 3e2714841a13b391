"""Writing prepared batches (whole model folders, several per transaction) to the store.

A file whose content hash is unchanged is skipped; a new file is inserted with its scores; a
changed file keeps every replaced value in ``history``. Model and revision metadata come from
``model_meta.json`` (else from the folder names, as mteb does); registered models keep the
registry's metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import update
from sqlalchemy.engine import Connection

from emboard.results.experiments import experiment_name, experiment_variant
from emboard.store.catalog_sync import write_history
from emboard.store.deferred import begin_batch, restore_foreign_keys
from emboard.store.encode import canonical, changed_fields, dumps, model_columns
from emboard.store.pack import delete_pack, write_packs
from emboard.store.prepare import EncodedFile, PreparedBatch, read_meta_into
from emboard.store.report import IngestReport
from emboard.store.sources import MODEL_META_FILE
from emboard.store.writer import bulk_insert, next_id, take_write_lock

RESULT_COLUMNS = (
    "id",
    "source_id",
    "path",
    "revision_id",
    "task_name",
    "content_hash",
    "stamp",
    "file_schema",
    "dataset_revision",
    "mteb_version",
    "evaluation_time",
    "date",
    "extra",
    '"commit"',
    "ingest_id",
)
SCORE_COLUMNS = (
    "id",
    "result_id",
    "split",
    "subset",
    "languages",
    "main_score",
    "metrics",
    "details",
)


@dataclass
class ModelState:
    """A model as the store holds it."""

    id: int
    registered: bool
    meta: dict[str, Any]


@dataclass
class FileState:
    """A result file as the store holds it."""

    id: int
    digest: str
    stamp: str | None
    removed: bool


@dataclass
class StoreState:
    """What an ingest needs to know of the store, loaded once, updated as batches land."""

    models: dict[str, ModelState]
    revisions: dict[tuple[int, str, str], tuple[int, str]]
    """(model id, revision, experiment) → (revision id, meta JSON text)."""
    files: dict[str, FileState]
    """This source's files by path."""
    seen: set[str] = field(default_factory=set)


MetaReader = Callable[[str], bytes | None]


def _identity(folder: str, meta: dict[str, Any] | None) -> tuple[str, str, str, str]:
    """(model name, revision, experiment, variant) of a revision folder, as mteb resolves them.

    With a ``model_meta.json``: its name and revision, the experiment named after its
    ``experiment_kwargs``; without one: the folder names.
    """
    parts = folder.split("/")
    if meta and isinstance(meta.get("name"), str):
        revision = meta.get("revision")
        kwargs = meta.get("experiment_kwargs")
        kwargs = kwargs if isinstance(kwargs, dict) else None
        return (
            meta["name"],
            str(revision) if revision is not None else parts[1],
            experiment_name(kwargs) or "",
            experiment_variant(kwargs),
        )
    experiment = parts[3] if len(parts) == 4 else ""
    return parts[0].replace("__", "/"), parts[1], experiment, experiment


@dataclass
class BatchWriter:
    """Writes batches of one source during one ingest."""

    conn_factory: Callable[[], Any]
    state: StoreState
    source_id: int
    ingest_id: int
    report: IngestReport
    meta_reader: MetaReader | None = None
    commit: str | None = None

    def write(self, batches: list[PreparedBatch]) -> None:
        """Write prepared batches (whole model folders) in one transaction."""
        metas: dict[str, dict[str, Any]] = {}
        files: list[EncodedFile] = []
        restamp: list[tuple[str, int]] = []
        for batch in batches:
            metas.update(batch.metas)
            files.extend(batch.files)
            for path, reason in batch.problems:
                self.report.problem(path, reason)
                if not path.endswith(MODEL_META_FILE):  # kept as stored, not counted as removed
                    self.state.seen.add(path)
                    self.report.files_seen += 1
            for path, stamp in batch.unchanged:
                self._unchanged(path, stamp, restamp)
        for item in files:
            self.state.seen.add(item.path)
            self.report.files_seen += 1
        for folder in {f.folder for f in files} - set(metas):
            data = self.meta_reader(folder) if self.meta_reader else None
            if data is not None:
                extra = PreparedBatch()
                read_meta_into(f"{folder}/{MODEL_META_FILE}", data, extra)
                metas.update(extra.metas)
                for path, reason in extra.problems:
                    self.report.problem(path, reason)
        if not (files or restamp or metas):
            return
        with self.conn_factory() as conn, conn.begin():
            take_write_lock(conn)
            suspended = begin_batch(conn, sum(len(f.entries) for f in files))
            revision_ids = self._revisions(conn, metas, {f.folder for f in files})
            self._write_files(conn, files, revision_ids)
            for stamp, file_id in restamp:
                conn.exec_driver_sql(
                    _sql(conn, "UPDATE result_file SET stamp = ? WHERE id = ?"), (stamp, file_id)
                )
            restore_foreign_keys(conn, suspended)  # validated once, when the ingest ends

    def _unchanged(self, path: str, stamp: str | None, restamp: list[tuple[str, int]]) -> None:
        self.state.seen.add(path)
        self.report.files_seen += 1
        self.report.files_unchanged += 1
        old = self.state.files.get(path)
        if old is not None and stamp and stamp != old.stamp:
            restamp.append((stamp, old.id))
            old.stamp = stamp

    def unchanged(self, path: str, digest: str) -> bool:
        """True (and counted) when the store holds this very content for ``path``."""
        old = self.state.files.get(path)
        if old is not None and old.digest == digest and not old.removed:
            self._unchanged(path, None, [])
            return True
        return False

    def _model_id(self, conn: Connection, name: str, meta: dict[str, Any] | None) -> int:
        state = self.state.models.get(name)
        meta = dict(meta or {})
        if state is None:
            new_id = next_id(conn, "model")
            cols = model_columns(meta)
            bulk_insert(
                conn,
                "model",
                ("id", "name", "registered", "meta", "meta_source", *cols, "updated_ingest_id"),
                [
                    (
                        new_id,
                        name,
                        False,
                        dumps(meta),
                        "model_meta.json" if meta else None,
                        *cols.values(),
                        self.ingest_id,
                    )
                ],
            )
            self.state.models[name] = ModelState(new_id, False, meta)
            self.report.models_new += 1
            return new_id
        if not state.registered and meta and canonical(meta) != canonical(state.meta):
            diffs = changed_fields(state.meta, meta)
            from emboard.store.tables import Model

            conn.execute(
                update(Model)
                .where(Model.id == state.id)
                .values(
                    meta=meta,
                    meta_source="model_meta.json",
                    updated_ingest_id=self.ingest_id,
                    **model_columns(meta),
                )
            )
            write_history(
                conn,
                self.ingest_id,
                [("model", state.id, f, dumps(a), dumps(b)) for f, a, b in diffs],
            )
            state.meta = meta
            self.report.models_changed += 1
        return state.id

    def _revisions(
        self, conn: Connection, metas: dict[str, dict[str, Any]], needed: set[str]
    ) -> dict[str, int]:
        out: dict[str, int] = {}
        for folder in sorted(needed | set(metas)):
            meta = metas.get(folder)
            name, revision, experiment, variant = _identity(folder, meta)
            model_id = self._model_id(conn, name, meta)
            key = (model_id, revision, experiment)
            meta_text = canonical(meta) if meta is not None else ""
            known = self.state.revisions.get(key)
            if known is None:
                rev_id = next_id(conn, "revision")
                bulk_insert(
                    conn,
                    "revision",
                    ("id", "model_id", "name", "experiment", "variant", "meta"),
                    [(rev_id, model_id, revision, experiment, variant, meta_text or None)],
                )
                self.state.revisions[key] = (rev_id, meta_text)
            else:
                rev_id, old_text = known
                if meta is not None and meta_text != old_text:
                    conn.exec_driver_sql(
                        _sql(conn, "UPDATE revision SET meta = ? WHERE id = ?"), (meta_text, rev_id)
                    )
                    old = orjson.loads(old_text) if old_text else {}
                    write_history(
                        conn,
                        self.ingest_id,
                        [
                            ("revision", rev_id, f, dumps(a), dumps(b))
                            for f, a, b in changed_fields(old, meta)
                        ],
                    )
                    self.state.revisions[key] = (rev_id, meta_text)
            out[folder] = rev_id
        return out

    def _write_files(
        self, conn: Connection, pending: list[EncodedFile], revision_ids: dict[str, int]
    ) -> None:
        result_rows: list[tuple[Any, ...]] = []
        score_rows: list[tuple[Any, ...]] = []
        history: list[tuple[Any, ...]] = []
        next_result = next_id(conn, "result_file")
        next_score = next_id(conn, "score")
        for item in pending:
            old = self.state.files.get(item.path)
            if old is not None:
                history.extend(self._diff(conn, old.id, item))
                conn.exec_driver_sql(_sql(conn, "DELETE FROM score WHERE result_id = ?"), (old.id,))
                delete_pack(conn, old.id)
                conn.exec_driver_sql(_sql(conn, "DELETE FROM result_file WHERE id = ?"), (old.id,))
                file_id = old.id
                self.report.files_changed += 1
            else:
                file_id = next_result
                next_result += 1
                self.report.files_new += 1
            result_rows.append(self._result_row(file_id, item, revision_ids[item.folder]))
            for entry in item.entries:
                score_rows.append((next_score, file_id, *entry))
                next_score += 1
            if old is None:
                self.report.values_added += item.n_values
            self.state.files[item.path] = FileState(file_id, item.digest, item.stamp, False)
        bulk_insert(conn, "result_file", RESULT_COLUMNS, result_rows)
        bulk_insert(conn, "score", SCORE_COLUMNS, score_rows)
        written = zip((row[0] for row in result_rows), pending, strict=True)
        write_packs(conn, [(file_id, f.task_name, f.entries) for file_id, f in written])
        write_history(conn, self.ingest_id, history)

    def _result_row(self, file_id: int, res: EncodedFile, revision_id: int) -> tuple[Any, ...]:
        return (
            file_id,
            self.source_id,
            res.path,
            revision_id,
            res.task_name,
            res.digest,
            res.stamp,
            res.schema,
            res.dataset_revision,
            res.mteb_version,
            res.evaluation_time,
            res.date,
            res.extra,
            self.commit,
            self.ingest_id,
        )

    def _diff(self, conn: Connection, file_id: int, new: EncodedFile) -> list[tuple[Any, ...]]:
        """History rows for every value of a changed file that differs from the stored one."""
        old_rows = conn.exec_driver_sql(
            _sql(conn, "SELECT split, subset, metrics FROM score WHERE result_id = ?"), (file_id,)
        ).all()
        old = {(r[0], r[1]): _as_dict(r[2]) for r in old_rows}
        fresh = {(e[0], e[1]): _as_dict(e[4]) for e in new.entries}
        rows: list[tuple[Any, ...]] = []
        for key in sorted(set(old) | set(fresh)):
            for metric, before, after in changed_fields(old.get(key, {}), fresh.get(key, {})):
                rows.append(
                    ("result", file_id, f"{key[0]}|{key[1]}|{metric}", dumps(before), dumps(after))
                )
                self.report.values_changed += 1
        self.report.values_added += sum(
            1 for key, vals in fresh.items() for m in vals if m not in old.get(key, {})
        )
        return rows


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    loaded = orjson.loads(value)
    return loaded if isinstance(loaded, dict) else {}


def _sql(conn: Connection, text: str) -> str:
    """``?`` placeholders for SQLite, ``%s`` for psycopg."""
    return text if conn.dialect.name == "sqlite" else text.replace("?", "%s")
