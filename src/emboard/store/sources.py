"""Where results are read from: folders, git checkouts and ``.tar.zst`` archives.

Every source yields :class:`SourceFile` items with paths relative to the results root (the folder
whose children are ``org__model`` folders), so ``org__model/revision/Task.json`` names the same
file whichever way it arrived. Archives are streamed, never unpacked to disk. A file whose stamp
(size and mtime for folders) equals the stored one is yielded without its bytes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, cast

from emboard.errors import StoreError

SourceKind = Literal["directory", "git", "archive", "model-card"]

RESULTS_DIR = "results"
MODEL_META_FILE = "model_meta.json"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file of a source."""

    path: str
    """Relative to the results root: ``org__model/revision/[experiments/x/]Task.json``."""
    data: bytes | None
    """The bytes; None when the stamp says the file is unchanged since the last ingest."""
    stamp: str | None = None
    """Size and mtime (folders) — lets the next ingest skip reading unchanged files."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """A source as given on the command line, resolved."""

    kind: SourceKind
    location: str
    root: Path
    """The folder (or archive file) to read."""


def is_wanted(path: str) -> bool:
    """True for the files an ingest reads: task results and ``model_meta.json``."""
    parts = path.split("/")
    if len(parts) not in (3, 5) or not path.endswith(".json"):
        return False
    return len(parts) == 3 or parts[2] == "experiments"


def file_digest(data: bytes) -> str:
    """The content hash kept per file (BLAKE2b, 128 bits, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def archive_digest(path: Path) -> str:
    """A content hash of a whole archive (to skip an archive ingested before)."""
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def results_root(folder: Path) -> Path:
    """The folder whose children are model folders (``<repo>/results`` or the folder itself)."""
    inner = folder / RESULTS_DIR
    return inner if inner.is_dir() else folder


def resolve_source(location: str) -> SourceSpec:
    """What kind of source ``location`` is; a missing path raises naming it."""
    path = Path(location).expanduser()
    if not path.exists():
        raise StoreError(f"Source not found: {location}")
    resolved = path.resolve()
    if path.is_file():
        name = path.name.lower()
        if name.endswith((".tar.zst", ".tzst", ".tar", ".tar.gz", ".tgz")):
            return SourceSpec("archive", str(resolved), resolved)
        if name.endswith(".md"):
            return SourceSpec("model-card", str(resolved), resolved)
        raise StoreError(
            f"{location}: not a source emboard can read (expected a results folder, a git "
            "checkout, a .tar.zst archive or a model card README.md)"
        )
    if (path / ".git").exists():
        return SourceSpec("git", str(resolved), resolved)
    return SourceSpec("directory", str(resolved), resolved)


def _stamp(entry: os.DirEntry[str]) -> str:
    st = entry.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def _walk(folder: Path, prefix: str = "") -> Iterator[tuple[str, os.DirEntry[str]]]:
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        rel = f"{prefix}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), rel + "/")
        elif entry.is_file():
            yield rel, entry


def read_directory(root: Path, known: Mapping[str, str | None]) -> Iterator[SourceFile]:
    """The wanted files under ``results_root(root)``; bytes only where the stamp changed."""
    base = results_root(root)
    for rel, entry in _walk(base):
        if not is_wanted(rel):
            continue
        stamp = _stamp(entry)
        if known.get(rel) == stamp:
            yield SourceFile(rel, None, stamp)
            continue
        yield SourceFile(rel, Path(entry.path).read_bytes(), stamp)


def _strip_results_prefix(name: str) -> str | None:
    name = name.removeprefix("./")
    parts = name.split("/")
    if RESULTS_DIR in parts[:2]:
        return "/".join(parts[parts.index(RESULTS_DIR) + 1 :])
    return name


def read_archive(path: Path) -> Iterator[SourceFile]:
    """Stream the wanted files of a tar archive (zstd, gzip or plain), in archive order."""
    from emboard.store.tar_stream import iter_tar

    try:
        with path.open("rb") as fh:
            name = path.name.lower()
            if name.endswith((".zst", ".tzst")):
                import zstandard

                stream: BinaryIO = zstandard.ZstdDecompressor().stream_reader(fh, read_size=1 << 20)
            elif name.endswith((".gz", ".tgz")):
                import gzip

                stream = cast(BinaryIO, gzip.GzipFile(fileobj=fh))
            else:
                stream = fh
            for member, data in iter_tar(stream, str(path)):
                rel = _strip_results_prefix(member)
                if rel is not None and is_wanted(rel):
                    yield SourceFile(rel, data)
    except (OSError, EOFError) as exc:
        raise StoreError(f"{path}: cannot read the archive ({exc})") from exc
    except Exception as exc:  # zstd errors (damaged or truncated data)
        if type(exc).__module__.startswith("zstandard"):
            raise StoreError(f"{path}: cannot read the archive ({exc})") from exc
        raise


def _git(root: Path, *args: str) -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
        )
    except FileNotFoundError:
        raise StoreError("git is not installed: cannot ingest a git checkout") from None
    except subprocess.CalledProcessError as exc:
        raise StoreError(f"{root}: git {' '.join(args)} failed: {exc.stderr.strip()}") from exc
    return out.stdout


def git_head(root: Path) -> str:
    """The checked-out commit of a git checkout."""
    return _git(root, "rev-parse", "HEAD").strip()


def git_changes(root: Path, since: str, head: str) -> tuple[list[str], list[str]]:
    """Paths (relative to the results root) changed and deleted between two commits."""
    base = results_root(root)
    prefix = base.relative_to(root).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    out = _git(
        root, "diff", "--name-status", "--no-renames", "-z", since, head, "--", prefix or "."
    )
    fields = [f for f in out.split("\0") if f]
    changed: list[str] = []
    deleted: list[str] = []
    for status, name in zip(fields[0::2], fields[1::2], strict=False):
        rel = name.removeprefix(prefix)
        if not is_wanted(rel):
            continue
        (deleted if status.startswith("D") else changed).append(rel)
    return changed, deleted


def read_paths(root: Path, paths: list[str]) -> Iterator[SourceFile]:
    """The given files under ``results_root(root)``, in path order."""
    base = results_root(root)
    for rel in sorted(paths):
        full = base / rel
        if full.is_file():
            yield SourceFile(rel, full.read_bytes())
