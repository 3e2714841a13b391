"""Tables as people read them (MTEB's display rules) and as files (CSV, JSON).

Display: scores ×100 with 2 decimals, parameters with 1 decimal from 1 B up (3 below),
zero-shot as ``NN%`` (``NA`` when unknown), empty cells for null. Files keep raw values.
"""

from __future__ import annotations

import csv
import io
import json
import math

from emboard.leaderboard.tables import EXPERIMENT_COLUMN, Table, Value

_RAW = {"Embedding Dimensions", "Max Tokens", "Release Date", "Model", "Rank", "Rank (Borda)"}
_PARAMS = {"Active Parameters (B)", "Total Parameters (B)"}


def display_value(column: str, value: Value) -> str:
    """One cell as MTEB's leaderboard shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column == "Zero-shot":
        return "NA" if value == -1 else f"{value}%"
    if column in _PARAMS and isinstance(value, int | float):
        return f"{value:.1f}" if value >= 1 else f"{value:.3f}"
    if column in _RAW or column.startswith("Rank") or not isinstance(value, float):
        return str(int(value) if isinstance(value, float) and value.is_integer() else value)
    return f"{value * 100:.2f}"


def visible_columns(table: Table) -> list[str]:
    """The columns shown (MTEB's internal experiment id only when some row has one)."""
    cols = list(table.columns)
    if EXPERIMENT_COLUMN in cols and not any(table.column(EXPERIMENT_COLUMN)):
        cols.remove(EXPERIMENT_COLUMN)
    return cols


def to_csv(table: Table) -> str:
    """The table as CSV with raw values (empty for null)."""
    cols = visible_columns(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(cols)
    for rec in table.to_records():
        writer.writerow(["" if rec[c] is None else rec[c] for c in cols])
    return out.getvalue()


def to_json(table: Table) -> str:
    """The table as a JSON list of records with raw values (null for null)."""
    cols = visible_columns(table)
    records = [{c: rec[c] for c in cols} for rec in table.to_records()]
    return json.dumps(records, indent=2, allow_nan=False, default=str) + "\n"
