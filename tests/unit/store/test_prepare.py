"""Encoding parsed results as rows, the JSON texts, and the reading child process."""

from __future__ import annotations

import math
from typing import Any

import orjson
import pytest

from emboard.results.parsed import ParsedResult, ScoreEntry
from emboard.store.encode import dumps
from emboard.store.prepare import PreparedBatches, encode_result, make_parser
from emboard.store.sources import SourceFile


def _result(*entries: ScoreEntry) -> ParsedResult:
    return ParsedResult(
        task_name="STS12", dataset_revision="r", mteb_version="1.2", entries=entries
    )


def test_dumps_keeps_non_finite_values_and_plain_nulls() -> None:
    assert dumps({"a": None, "b": [1.5, None]}) == '{"a":null,"b":[1.5,null]}'
    value = {"a": None, "b": math.nan, "c": [math.inf, -math.inf, None], 1: {"d": math.nan}}
    assert dumps(value) == (
        '{"a":null,"b":"NaN","c":["Infinity","-Infinity",null],"1":{"d":"NaN"}}'
    )


def test_encode_result_rows() -> None:
    plain = ScoreEntry(
        "test", "en", ("eng-Latn",), 0.5, {"acc": 0.5, "f1": 1}, {"mteb_version": "1.2"}
    )
    nan_main = ScoreEntry("test", "de", ("deu-Latn",), math.nan, {"acc": math.inf}, {})
    no_main = ScoreEntry("dev", "en", (), None, {"acc": 0.25}, {"mteb_version": "1.2", "x": [1]})
    encoded = encode_result("m/r/STS12.json", "m/r", "d", None, _result(plain, nan_main, no_main))
    assert encoded.entries == [
        (
            "test",
            "en",
            '["eng-Latn"]',
            0.5,
            '{"main_score":0.5,"acc":0.5,"f1":1}',
            '{"mteb_version":"1.2"}',
        ),
        ("test", "de", '["deu-Latn"]', None, '{"main_score":"NaN","acc":"Infinity"}', None),
        ("dev", "en", "[]", None, '{"acc":0.25}', '{"mteb_version":"1.2","x":[1]}'),
    ]
    assert encoded.n_values == 3 + 2 + 1
    assert encoded.n_values == _result(plain, nan_main, no_main).n_values


def _files() -> list[SourceFile]:
    def result(task: str, score: float) -> bytes:
        entry = {"hf_subset": "default", "languages": ["eng-Latn"], "main_score": score}
        return orjson.dumps(
            {
                "dataset_revision": "r",
                "task_name": task,
                "mteb_version": "1.12.0",
                "evaluation_time": 1.0,
                "scores": {"test": [entry]},
            }
        )

    return [
        SourceFile("a__m/1/STS12.json", result("STS12", 0.5)),
        SourceFile("a__m/1/Bad.json", b"[1"),
        SourceFile("b__m/2/STS13.json", result("STS13", 0.75)),
        SourceFile("b__m/2/model_meta.json", b'{"name": "b/m", "revision": "2"}'),
    ]


def _read(batches: PreparedBatches) -> list[tuple[Any, ...]]:
    with batches:
        return [
            (n, b.metas, [f[:5] + f[11:] for f in b.files], [p for p, _ in b.problems])
            for b, n in batches
        ]


@pytest.mark.parametrize("parallel", [False, True])
def test_prepared_batches_per_model_folder(catalog: Any, parallel: bool) -> None:
    from emboard.tasks.lookup import CatalogTaskLookup

    parse = make_parser(CatalogTaskLookup(catalog))
    read = _read(PreparedBatches(_files(), {}, parse, parallel=parallel))
    assert [(n, problems) for n, _, _, problems in read] == [(2, ["a__m/1/Bad.json"]), (2, [])]
    assert read[1][1] == {"b__m/2": {"name": "b/m", "revision": "2"}}
    assert [f[0] for _, _, files, _ in read for f in files] == [
        "a__m/1/STS12.json",
        "b__m/2/STS13.json",
    ]
    known = {"a__m/1/STS12.json": read[0][2][0][2]}  # its digest: unchanged, not parsed again
    again = _read(PreparedBatches(_files(), known, parse, parallel=parallel))
    assert [f[0] for _, _, files, _ in again for f in files] == ["b__m/2/STS13.json"]


def test_a_child_never_read_is_stopped(catalog: Any) -> None:
    from emboard.tasks.lookup import CatalogTaskLookup

    batches = PreparedBatches(_files(), {}, make_parser(CatalogTaskLookup(catalog)), parallel=True)
    child = batches._child
    assert child is not None
    batches.close()
    assert not child.is_alive()
