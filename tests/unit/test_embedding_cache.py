"""The embedding cache: memory and disk tables, reuse across runs, crash recovery, locking."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pytest

from emboard.models.embedder import Embedder
from emboard.models.embedding_cache import (
    DiskTable,
    EmbeddingCache,
    MemoryTable,
    text_key,
)
from emboard.models.loader import load_model
from emboard.models.protocol import EncodeRequest
from emboard.tasks.metadata import ModelMeta
from tests.conftest import POTION

META = ModelMeta(name="org/model", revision="abc", n_parameters=10, max_tokens=8)


def _rows(n: int, dim: int = 6, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def test_text_key_is_a_128_bit_digest_of_the_exact_text() -> None:
    assert len(text_key("a")) == 16
    assert text_key("a") != text_key("a ") != text_key("A")
    assert text_key("\ud800 lone surrogate")  # encodable, no UnicodeEncodeError


@pytest.mark.parametrize("kind", ["memory", "private", "shared"])
def test_tables_return_the_rows_added_in_any_order(kind: str, tmp_path: Path) -> None:
    cache = EmbeddingCache(
        META, None if kind == "memory" else tmp_path, persistent=kind == "shared"
    )
    table = cache.table("p: ", None)
    a, b = _rows(5, seed=1), _rows(3, seed=2)
    table.add([text_key(f"a{i}") for i in range(5)], a)
    table.add([text_key(f"b{i}") for i in range(3)], b)
    both = np.concatenate([a, b])
    rows = np.array([7, 0, 5, 5, 2], dtype=np.int64)
    assert np.array_equal(table.take(rows), both[rows])
    assert table.index[text_key("b1")] == 6
    assert cache.table("p: ", None) is table and cache.table("q: ", None) is not table
    assert cache.nbytes == (both.nbytes if kind == "memory" else 0)
    cache.close()


def test_private_tables_leave_no_file_behind(tmp_path: Path) -> None:
    with EmbeddingCache(META, tmp_path) as cache:
        cache.table(None, None).add([text_key("x")], _rows(1))
        assert list(tmp_path.iterdir()) == []  # an unnamed file: nothing to clean up, ever


def test_persistent_table_serves_a_later_run(tmp_path: Path) -> None:
    emb = _rows(4)
    keys = [text_key(t) for t in "abcd"]
    with EmbeddingCache(META, tmp_path, persistent=True) as first:
        first.table("p", "query").add(keys, emb)
        folder = first.table_folder("p", "query")
    assert (folder / "table.json").exists()
    with EmbeddingCache(META, tmp_path, persistent=True) as second:
        table = second.table("p", "query")
        assert table.index == {k: i for i, k in enumerate(keys)}
        assert np.array_equal(table.take(np.arange(4)), emb)
        assert second.table("p", "document").index == {}  # another prompt type: another table
    other = META.model_copy(update={"revision": "def"})
    with EmbeddingCache(other, tmp_path, persistent=True) as third:
        assert third.table("p", "query").index == {}  # another revision: another table


def test_table_cut_short_by_a_crash_keeps_whole_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    emb = _rows(3)
    with EmbeddingCache(META, tmp_path, persistent=True) as cache:
        cache.table(None, None).add([text_key(t) for t in "xyz"], emb)
        folder = cache.table_folder(None, None)
    with open(folder / "vectors.f32", "ab") as f:  # a row written, its key not yet
        f.write(_rows(1, seed=9).tobytes() + b"\x01\x02")
    with open(folder / "keys.bin", "r+b") as f:  # and the last key half-written
        f.truncate(16 * 3 - 5)
    with caplog.at_level(logging.WARNING), EmbeddingCache(META, tmp_path, persistent=True) as c:
        table = c.table(None, None)
        assert len(table.index) == 2 and np.array_equal(table.take(np.arange(2)), emb[:2])
        table.add([text_key("z")], emb[2:])
        assert np.array_equal(table.take(np.arange(3)), emb)
    assert "cut short, keeping its first 2 rows" in caplog.text
    assert os.path.getsize(folder / "keys.bin") == 16 * 3


def test_unreadable_table_file_is_named(tmp_path: Path) -> None:
    with EmbeddingCache(META, tmp_path, persistent=True) as cache:
        cache.table(None, None).add([text_key("x")], _rows(1))
        folder = cache.table_folder(None, None)
    (folder / "table.json").write_text("{not json")
    with (
        EmbeddingCache(META, tmp_path, persistent=True) as cache,
        pytest.raises(Exception, match=r"table\.json: unreadable"),
    ):
        cache.table(None, None)


def test_table_in_use_by_another_run_is_not_shared(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with EmbeddingCache(META, tmp_path, persistent=True) as first:
        held = first.table(None, None)
        held.add([text_key("x")], _rows(1))
        with (
            caplog.at_level(logging.WARNING),
            EmbeddingCache(META, tmp_path, persistent=True) as second,
        ):
            private = second.table(None, None)
            assert isinstance(private, DiskTable) and private.folder is None
            private.add([text_key("y")], _rows(1, seed=3))
        assert "in use by another run" in caplog.text
    with EmbeddingCache(META, tmp_path, persistent=True) as third:
        assert list(third.table(None, None).index) == [text_key("x")]


def test_memory_table_gathers_across_blocks() -> None:
    table = MemoryTable()
    blocks = [_rows(n, seed=n) for n in (2, 3, 1)]
    start = 0
    for block in blocks:
        table.add([text_key(f"{start + i}") for i in range(len(block))], block)
        start += len(block)
    rows = np.array([5, 0, 3, 1, 4, 2], dtype=np.int64)
    assert np.array_equal(table.take(rows), np.concatenate(blocks)[rows])


def test_embedder_reuses_a_persistent_cache_across_runs(tmp_path: Path) -> None:
    enc = load_model(str(POTION))
    req = EncodeRequest("STS12", "STS")
    texts = ["a cat sat", "the dog ran", "a cat sat", "rain"]
    with EmbeddingCache(enc.meta, tmp_path, persistent=True) as cache:
        first = Embedder(enc, batch_size=2, cache=cache)
        a = first.embed(texts, req)
    assert first.stats.encoded == 3
    with EmbeddingCache(enc.meta, tmp_path, persistent=True) as cache:
        second = Embedder(enc, batch_size=2, cache=cache)
        b = second.embed([*texts[::-1], "new text"], req)
    assert second.stats.encoded == 1  # only the text the first run never saw
    assert np.array_equal(b[:4], a[::-1])
    in_memory = Embedder(enc, batch_size=2).embed(texts, req)
    assert np.array_equal(a, in_memory)


def test_unwritable_temporary_folder_falls_back_to_memory(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING), EmbeddingCache(META, blocker / "tmp") as cache:
        table = cache.table(None, None)
        table.add([text_key("x")], _rows(1))
        assert isinstance(table, MemoryTable) and cache.nbytes == 24
    assert "embeddings kept in memory" in caplog.text


def test_cache_cli_lists_and_clears_tables(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from emboard.cli.main import app

    other = ModelMeta(name="org/other", revision="r2")
    with EmbeddingCache(META, tmp_path, persistent=True) as cache:
        cache.table("query: ", "query").add([text_key(t) for t in "abc"], _rows(3))
        cache.table(None, None).add([text_key("d")], _rows(1))
    with EmbeddingCache(other, tmp_path, persistent=True) as cache:
        cache.table(None, None).add([text_key(t) for t in "ef"], _rows(2))
    runner = CliRunner()
    listed = runner.invoke(app, ["cache", "list", "--embedding-cache", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    assert "org/model" in listed.output and "org/other" in listed.output
    assert "'query: '" in listed.output and "3 tables, 6 rows" in listed.output

    with EmbeddingCache(META, tmp_path, persistent=True) as running:
        running.table(None, None)  # a run holds this table: clearing leaves it
        cleared = runner.invoke(
            app, ["cache", "clear", "--embedding-cache", str(tmp_path), "--model", "org/model"]
        )
    assert cleared.exit_code == 0 and "Removed 1 tables (3 rows" in cleared.output
    left = runner.invoke(app, ["cache", "list", "--embedding-cache", str(tmp_path)])
    assert "2 tables, 3 rows" in left.output and "'query: '" not in left.output
    runner.invoke(app, ["cache", "clear", "--embedding-cache", str(tmp_path)])
    assert list(tmp_path.iterdir()) == []  # empty model and revision folders go too

    missing = runner.invoke(app, ["cache", "list"], env={"EMBOARD_EMBEDDING_CACHE": ""})
    assert missing.exit_code == 2 and "--embedding-cache DIR" in missing.output
