"""Where a run's embeddings are kept: in memory, or in files on disk (optionally across runs).

An embedding is found by a table and a key. A *table* holds the embeddings of one model under one
(prompt, prompt type); a *key* is the 16-byte BLAKE2b digest of the text, so a table never keeps
the texts themselves.

:class:`DiskTable` appends each encoded block to ``vectors.f32`` (float32 rows) and its keys to
``keys.bin`` (16 bytes each, same order), and reads rows back through a short-lived memory map:
the run's process holds only the rows a task asked for, and the operating system's page cache
the rest. On all-MiniLM-L6-v2 over the 12 local MTEB tasks that is 70 MB out of the process.

A run's own table is an unnamed temporary file, deleted by the OS however the run ends. A
*persistent* table (``emboard run --embedding-cache DIR``) lives in a folder and serves later
runs of the same model, prompt and revision, so an interrupted run resumes without encoding
twice. Files cut short by a crash are truncated on opening to the rows present in both; a table
folder in use by another process is locked (``flock``), and the second process then works on a
private table instead. Note that rows encoded in an earlier run may come from batches of other
lengths, which moves embeddings by float rounding (~1e-7), not more.

Folder layout, under the cache root::

    {model-slug}/{revision}/{table-id}/table.json   prompt, prompt type, dimension, model facts
                                      /keys.bin
                                      /vectors.f32
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

import numpy as np
from numpy.typing import NDArray

from emboard.errors import ModelError
from emboard.tasks.metadata import ModelMeta
from emboard.types import FloatArray

try:
    import fcntl
except ImportError:  # not POSIX: tables are not locked
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

KEY_BYTES = 16
ROW_DTYPE = np.dtype("<f4")


def text_key(text: str) -> bytes:
    """The key of a text in every table: its BLAKE2b-128 digest (UTF-8, lone surrogates kept)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=KEY_BYTES).digest()


class EmbeddingTable(Protocol):
    """The embeddings of one model under one (prompt, prompt type)."""

    index: dict[bytes, int]
    """Row number of every key held."""

    @property
    def nbytes(self) -> int:
        """Bytes of embeddings this table keeps in the process."""
        ...

    def add(self, keys: list[bytes], emb: FloatArray) -> None:
        """Append rows (float32, one per key, keys not yet held)."""
        ...

    def take(self, rows: NDArray[np.int64]) -> FloatArray:
        """The rows asked for, in that order (a new array)."""
        ...

    def close(self) -> None:
        """Release files and locks."""
        ...


def _open(path: Path, fresh: bool) -> IO[bytes]:
    """``path`` for reading and appending; emptied when ``fresh``."""
    return open(path, "w+b" if fresh or not path.exists() else "r+b")


def _lock(folder: Path) -> IO[bytes]:
    """An exclusive lock on a table folder, held until the returned file is closed; raises
    BlockingIOError while another process holds it."""
    lock = open(folder / "lock", "ab")  # noqa: SIM115 - held until closed by the caller
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise
    except OSError as exc:  # a file system without locks (some network mounts)
        logger.warning("Embedding cache %s cannot be locked (%s): used unlocked", folder, exc)
    return lock


def _whole_rows(keys_bytes: int, vectors_bytes: int, dim: int) -> int:
    """Rows present in both files of a table (a crash may have cut either short)."""
    return min(keys_bytes // KEY_BYTES, vectors_bytes // (dim * ROW_DTYPE.itemsize))


class MemoryTable:
    """Rows in memory, in the blocks they were encoded in.

    Blocks are never concatenated (that would hold the table twice while copying): a row is
    found by its global number, and ``take`` gathers rows block by block.
    """

    def __init__(self) -> None:
        self.index: dict[bytes, int] = {}
        self.blocks: list[FloatArray] = []
        self.starts: list[int] = []

    @property
    def nbytes(self) -> int:
        return sum(b.nbytes for b in self.blocks)

    def add(self, keys: list[bytes], emb: FloatArray) -> None:
        base = len(self.index)
        self.index.update({k: base + i for i, k in enumerate(keys)})
        self.starts.append(base)
        self.blocks.append(emb)

    def take(self, rows: NDArray[np.int64]) -> FloatArray:
        if len(self.blocks) == 1:
            return self.blocks[0][rows]
        out = np.empty((len(rows), self.blocks[0].shape[1]), dtype=np.float32)
        which = np.searchsorted(np.asarray(self.starts), rows, side="right") - 1
        for b in np.unique(which):
            sel = which == b
            out[sel] = self.blocks[b][rows[sel] - self.starts[b]]
        return out

    def close(self) -> None:
        self.index.clear()
        self.blocks.clear()
        self.starts.clear()


class DiskTable:
    """Rows in a file, keys in memory and (for a shared table) in ``keys.bin``; see the module
    doc. :meth:`private` makes an unnamed file that the OS deletes when it is closed, even if the
    process is killed; :meth:`shared` opens (or creates) a table folder that later runs reuse."""

    def __init__(
        self,
        vectors: IO[bytes],
        keys: IO[bytes] | None = None,
        dim: int | None = None,
        *,
        folder: Path | None = None,
        info: dict[str, object] | None = None,
        lock: IO[bytes] | None = None,
    ) -> None:
        self._vectors = vectors
        self._keys = keys
        self.dim = dim
        self.index: dict[bytes, int] = {}
        self.folder = folder
        self.info = info or {}
        self._lock = lock

    @classmethod
    def private(cls, tmp_dir: Path) -> DiskTable:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        return cls(tempfile.TemporaryFile(dir=tmp_dir))

    @classmethod
    def shared(cls, folder: Path, info: dict[str, object]) -> DiskTable:
        """The table in ``folder``; raises BlockingIOError if another process has it open."""
        folder.mkdir(parents=True, exist_ok=True)
        lock = _lock(folder)
        meta_path = folder / "table.json"
        dim: int | None = None
        if meta_path.exists():
            try:
                dim = int(json.loads(meta_path.read_text())["dim"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                lock.close()
                raise ModelError(f"Embedding cache {meta_path}: unreadable ({exc})") from exc
        fresh = dim is None  # no table.json: whatever else is there is dropped
        vectors, keys = _open(folder / "vectors.f32", fresh), _open(folder / "keys.bin", fresh)
        table = cls(vectors, keys, dim, folder=folder, info=info, lock=lock)
        if dim is not None:
            table._recover(dim)
        return table

    def _recover(self, dim: int) -> None:
        """Index the rows present in both files; cut what a crash left half-written."""
        assert self._keys is not None
        keys_bytes = os.fstat(self._keys.fileno()).st_size
        vectors_bytes = os.fstat(self._vectors.fileno()).st_size
        n = _whole_rows(keys_bytes, vectors_bytes, dim)
        if keys_bytes != n * KEY_BYTES or vectors_bytes != n * dim * ROW_DTYPE.itemsize:
            logger.warning(
                "Embedding cache %s: cut short, keeping its first %d rows", self.folder, n
            )
        self._keys.truncate(n * KEY_BYTES)
        self._vectors.truncate(n * dim * ROW_DTYPE.itemsize)
        self._keys.seek(0)
        raw = self._keys.read()
        self.index = {raw[i * KEY_BYTES : (i + 1) * KEY_BYTES]: i for i in range(n)}

    @property
    def nbytes(self) -> int:
        return 0

    def add(self, keys: list[bytes], emb: FloatArray) -> None:
        if self.dim is None:
            self.dim = int(emb.shape[1])
            if self.folder is not None:
                tmp = self.folder / "table.json.tmp"
                tmp.write_text(json.dumps({**self.info, "dim": self.dim}, indent=1))
                os.replace(tmp, self.folder / "table.json")
        rows = np.ascontiguousarray(emb, dtype=ROW_DTYPE)
        # rows before keys: a crash in between leaves rows without keys, cut on opening
        self._vectors.seek(0, os.SEEK_END)
        rows.tofile(self._vectors)
        self._vectors.flush()
        if self._keys is not None:
            self._keys.seek(0, os.SEEK_END)
            self._keys.write(b"".join(keys))
            self._keys.flush()
        base = len(self.index)
        self.index.update({k: base + i for i, k in enumerate(keys)})

    def take(self, rows: NDArray[np.int64]) -> FloatArray:
        if self.dim is None or len(rows) == 0 or not self.index:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        mapped = np.memmap(
            self._vectors, dtype=ROW_DTYPE, mode="r", shape=(len(self.index), self.dim)
        )
        out = np.asarray(mapped[rows], dtype=np.float32)
        del mapped  # unmapped: the rows read stay in the page cache, not in this process
        return out

    def close(self) -> None:
        for f in (self._vectors, self._keys, self._lock):
            if f is not None:
                f.close()


class EmbeddingCache:
    """The tables of one model in a run.

    ``root=None`` keeps rows in memory. Otherwise rows go to files: with ``persistent=False``
    unnamed temporary files under ``root`` (gone when the run ends, however it ends); with
    ``persistent=True`` table folders under ``root`` that later runs of the same model reuse.
    """

    def __init__(
        self, meta: ModelMeta, root: Path | None = None, *, persistent: bool = False
    ) -> None:
        self.meta = meta
        self.root = root
        self.persistent = persistent and root is not None
        self._tables: dict[tuple[str | None, str | None], EmbeddingTable] = {}

    def _table_info(self, prompt: str | None, prompt_type: str | None) -> dict[str, object]:
        return {
            "model": self.meta.name,
            "revision": self.meta.revision,
            "n_parameters": self.meta.n_parameters,
            "max_tokens": self.meta.max_tokens,
            "prompt": prompt,
            "prompt_type": prompt_type,
        }

    def table_folder(self, prompt: str | None, prompt_type: str | None) -> Path:
        """Where the persistent table for (prompt, prompt type) lives."""
        assert self.root is not None
        info = self._table_info(prompt, prompt_type)
        table_id = hashlib.blake2b(
            json.dumps(info, sort_keys=True).encode(), digest_size=8
        ).hexdigest()
        slug = self.meta.name.replace("/", "__")
        return self.root / slug / (self.meta.revision or "no_revision") / table_id

    def table(self, prompt: str | None, prompt_type: str | None) -> EmbeddingTable:
        """The table for (prompt, prompt type), opened or created on first use."""
        key = (prompt, prompt_type)
        if key in self._tables:
            return self._tables[key]
        table: EmbeddingTable
        if self.root is None:
            table = MemoryTable()
        elif not self.persistent:
            try:
                table = DiskTable.private(self.root)
            except OSError as exc:  # e.g. a read-only home: the run goes on, in memory
                logger.warning(
                    "No temporary files in %s (%s): embeddings kept in memory", self.root, exc
                )
                table = MemoryTable()
        else:
            folder = self.table_folder(prompt, prompt_type)
            try:
                table = DiskTable.shared(folder, self._table_info(prompt, prompt_type))
            except BlockingIOError:
                logger.warning("Embedding cache %s is in use by another run: not shared", folder)
                table = DiskTable.private(self.root)
        self._tables[key] = table
        return table

    @property
    def nbytes(self) -> int:
        return sum(t.nbytes for t in self._tables.values())

    def clear(self) -> None:
        """Close and forget every table (a persistent cache's files stay for later runs)."""
        for table in self._tables.values():
            with contextlib.suppress(OSError):
                table.close()
        self._tables.clear()

    close = clear

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class TableSummary:
    """One persistent table, as ``emboard cache list`` shows it."""

    folder: Path
    model: str
    revision: str | None
    prompt: str | None
    prompt_type: str | None
    dim: int
    rows: int
    nbytes: int


def list_tables(root: Path) -> list[TableSummary]:
    """Every persistent table under ``root`` (by model, then folder); unreadable ones are
    reported in the log and skipped."""
    out = []
    for meta_path in sorted(root.glob("*/*/*/table.json")):
        folder = meta_path.parent
        try:
            meta = json.loads(meta_path.read_text())
            dim = int(meta["dim"])
            rows = _whole_rows(
                (folder / "keys.bin").stat().st_size, (folder / "vectors.f32").stat().st_size, dim
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("Embedding cache %s: unreadable (%s), skipped", meta_path, exc)
            continue
        out.append(
            TableSummary(
                folder=folder,
                model=str(meta.get("model")),
                revision=meta.get("revision"),
                prompt=meta.get("prompt"),
                prompt_type=meta.get("prompt_type"),
                dim=dim,
                rows=rows,
                nbytes=rows * (dim * ROW_DTYPE.itemsize + KEY_BYTES),
            )
        )
    return sorted(out, key=lambda t: (t.model, str(t.folder)))


def remove_tables(root: Path, model: str | None = None) -> list[TableSummary]:
    """Delete the persistent tables under ``root`` (of ``model`` only, if given); returns them.

    A table in use by a running evaluation is left alone (and not returned)."""
    removed = []
    for table in list_tables(root):
        if model is not None and table.model != model:
            continue
        try:
            lock = _lock(table.folder)
        except BlockingIOError:
            logger.warning("Embedding cache %s is in use by a run: kept", table.folder)
            continue
        with lock:
            shutil.rmtree(table.folder)
        for parent in (table.folder.parent, table.folder.parent.parent):
            with contextlib.suppress(OSError):
                parent.rmdir()  # only when empty
        removed.append(table)
    return removed
