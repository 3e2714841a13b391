"""Reading task files into Arrow tables, column-wise, with errors that name file and line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING

from emboard.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz")


def find_file(folder: Path, stem: str, suffixes: tuple[str, ...] = JSONL_SUFFIXES) -> Path | None:
    """``folder/stem`` with the first suffix that exists, or None."""
    for suffix in suffixes:
        path = folder / f"{stem}{suffix}"
        if path.is_file():
            return path
    return None


def _locate_bad_line(path: Path) -> str:
    """Re-read a file line by line to say which line is not valid JSON (slow path, errors only)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                return f"line {lineno}: invalid JSON ({exc.msg})"
            if not isinstance(row, dict):
                return f"line {lineno}: expected a JSON object, got {type(row).__name__}"
    return "rows have inconsistent types"


def read_jsonl(path: Path) -> pa.Table:
    """A JSON Lines file (optionally gzipped) as one Arrow table, parsed column-wise."""
    import pyarrow as pa
    import pyarrow.json as pajson

    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            table: pa.Table = pajson.read_json(
                stream, read_options=pajson.ReadOptions(block_size=1 << 26)
            )
    except FileNotFoundError:
        raise DataError(f"Data file not found: {path}") from None
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        where = _locate_bad_line(path) if not isinstance(exc, OSError) else str(exc)
        raise DataError(f"{path}: {where}") from exc
    return table


def read_tsv(path: Path) -> pa.Table:
    """A tab-separated file with a header row, every column read as text."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        with path.open("rb") as fh:
            header = fh.readline().decode("utf-8").rstrip("\r\n").split("\t")
        table: pa.Table = pacsv.read_csv(
            str(path),
            parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())),
        )
    except FileNotFoundError:
        raise DataError(f"Data file not found: {path}") from None
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: {exc}") from exc
    return table


def column(table: pa.Table, name: str, source: str) -> pa.ChunkedArray:
    """One column of a table; a missing column raises naming the file and the columns present."""
    if name not in table.column_names:
        raise DataError(
            f"{source}: missing field {name!r} (fields present: {', '.join(table.column_names)})"
        )
    return table.column(name)


def str_list(table: pa.Table, name: str, source: str) -> list[str]:
    """A text column as a Python list of str; nulls are reported with their row number."""
    col = column(table, name, source)
    if col.null_count:
        row = next(i for i, v in enumerate(col.is_null().to_pylist()) if v)
        raise DataError(f"{source}: field {name!r} is null in row {row + 1}")
    values: list[str] = col.cast("string").to_pylist()
    return values
