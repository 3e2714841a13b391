"""A result file's main scores packed for the leaderboard's read (tables ``result_pack`` and
``score_key``).

``result_pack.main_scores`` holds one 16-byte record per score entry of the file, in the file's
(and the ``score`` table's id) order: the main score (little-endian float64, NaN when the entry
has none) and a 64-bit hash of the entry's (split, subset, languages), which ``score_key`` maps
back to them (a few thousand distinct keys in the whole MTEB snapshot). A reader concatenates
the records of many files into numpy columns without a Python object per entry. Ingest writes
the pack with the score rows; migration 0003 packed the files of older stores.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import orjson
from numpy.typing import NDArray
from sqlalchemy.engine import Connection

from emboard.leaderboard.rows import EntryKey

RECORD = np.dtype([("score", "<f8"), ("key", "<i8")])
"""One packed entry."""
PackedFile = tuple[bytes, dict[int, str]]
"""A file's ``main_scores`` and the JSON texts of its keys by hash."""


@lru_cache(maxsize=4096)
def _record_format(n: int) -> struct.Struct:
    return struct.Struct("<" + "dq" * n)


def _key(split: str, subset: str, languages: str | tuple[str, ...]) -> tuple[int, str]:
    """(hash, JSON text ``[split, subset, [languages]]``) of an entry key."""
    langs = orjson.loads(languages) if isinstance(languages, str) else list(languages)
    text = orjson.dumps([split, subset, langs if isinstance(langs, list) else []]).decode()
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True), text


_KEYS: dict[tuple[str, str, str | tuple[str, ...]], tuple[int, str]] = {}
""":func:`_key` of the keys seen (a few thousand in the whole MTEB snapshot)."""


def pack_scores(entries: Iterable[Sequence[Any]]) -> PackedFile:
    """The pack of a file's entries, each ``(split, subset, languages, score, ...)`` (languages
    as JSON text or a list; score a float or None; further fields ignored)."""
    keys: dict[int, str] = {}
    flat: list[float | int] = []
    for entry in entries:
        languages = entry[2] if isinstance(entry[2], str) else tuple(entry[2] or ())
        marker = (entry[0], entry[1], languages)
        known = _KEYS.get(marker)
        if known is None:
            if len(_KEYS) > 100_000:
                _KEYS.clear()
            known = _KEYS[marker] = _key(entry[0], entry[1], languages or "[]")
        keys[known[0]] = known[1]
        flat += (np.nan if entry[3] is None else entry[3], known[0])
    return _record_format(len(flat) // 2).pack(*flat), keys


def write_packs(
    conn: Connection, files: Iterable[tuple[int, str, Iterable[Sequence[Any]]]]
) -> None:
    """Pack and store ``(result id, task name, entries)`` files (new ids, or ids whose old pack
    :func:`delete_pack` removed)."""
    from emboard.store.writer import bulk_insert

    rows, keys = [], {}
    for result_id, task_name, entries in files:
        packed, file_keys = pack_scores(entries)
        rows.append((task_name, result_id, packed))
        keys.update(file_keys)
    bulk_insert(conn, "result_pack", ("task_name", "result_id", "main_scores"), rows)
    if keys:
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        conn.exec_driver_sql(
            f"INSERT INTO score_key (hash, key) VALUES ({mark}, {mark}) "
            "ON CONFLICT (hash) DO NOTHING",
            list(keys.items()),
        )


def delete_pack(conn: Connection, result_id: int) -> None:
    """Remove a file's pack (before its ``result_file`` row is deleted)."""
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    conn.exec_driver_sql(
        "DELETE FROM result_pack WHERE (task_name, result_id) IN "
        f"(SELECT task_name, id FROM result_file WHERE id = {mark})",
        (result_id,),
    )


def unpack_key(text: str) -> EntryKey:
    """A ``score_key.key`` text as (split, subset, languages)."""
    split, subset, languages = orjson.loads(text)
    return split, subset, tuple(languages)


def unpack_records(blobs: Sequence[bytes]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """(scores, key hashes) of several files' ``main_scores`` concatenated."""
    records = np.frombuffer(b"".join(blobs), dtype=RECORD)
    return records["score"].astype(np.float64), records["key"].astype(np.int64)
