"""Rows and columns: the engine's two input shapes."""

from __future__ import annotations

import math

from emboard.leaderboard.rows import ResultMeta, ResultRow, columns_from_rows


def _row(model: str, task: str, subset: str, score: float | None) -> ResultRow:
    return ResultRow(model, "r1", task, "2.0.0", "test", subset, ("eng-Latn",), score)


def test_columns_from_rows_pool_a_result_and_keep_entry_order() -> None:
    rows = [
        _row("a", "T1", "x", 0.1),
        _row("b", "T1", "x", 0.2),
        _row("a", "T1", "y", None),  # result ("a", T1) again, not adjacent
    ]
    cols = columns_from_rows(rows)
    assert list(cols.results) == [
        ResultMeta("a", "r1", "T1", "2.0.0"),
        ResultMeta("b", "r1", "T1", "2.0.0"),
    ]
    assert cols.result.tolist() == [0, 1, 0]
    assert [cols.keys[k][1] for k in cols.key.tolist()] == ["x", "x", "y"]
    assert cols.score[:2].tolist() == [0.1, 0.2] and math.isnan(cols.score[2])


def test_where_models_renumbers_results() -> None:
    cols = columns_from_rows(
        [_row("a", "T1", "x", 0.1), _row("b", "T1", "x", 0.2), _row("c", "T2", "x", 0.3)]
    )
    kept = cols.where_models({"b", "c"})
    assert [r.model_name for r in kept.results] == ["b", "c"]
    assert kept.result.tolist() == [0, 1] and kept.score.tolist() == [0.2, 0.3]
    assert cols.where_models({"a", "b", "c"}) is cols
