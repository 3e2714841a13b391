// What a table view shows: the columns of the selected tab, rows in the chosen order.
import type { Cell, TableData } from "./api";
import { compareCells } from "./format";

export interface Shown {
  columns: string[];
  rows: Cell[][];
}

const HIDDEN = new Set(["_experiment_id"]);

export function shownTable(table: TableData | null, tab: string, sort: string, desc: boolean): Shown {
  if (!table) return { columns: [], rows: [] };
  const keep = table.columns
    .map((c, j) => [c, j] as const)
    .filter(([c]) => !HIDDEN.has(c))
    .filter(([c]) => !tab || table.view !== "per-task" || !(c in table.task_types) || table.task_types[c] === tab);
  const columns = keep.map(([c]) => c);
  // every column kept (the usual summary): the rows as they came, not a copy of each
  let rows = keep.length === table.columns.length ? table.rows : table.rows.map((r) => keep.map(([, j]) => r[j]));
  const k = columns.indexOf(sort);
  if (k >= 0) {
    rows = rows
      .map((r, i) => [r, i] as const)
      .sort((a, b) => compareCells(a[0][k], b[0][k], desc) || a[1] - b[1])
      .map(([r]) => r);
  }
  return { columns, rows };
}

/** Rank-like columns sort ascending first, everything else descending. */
export function firstDirectionDesc(column: string): boolean {
  return !(column.startsWith("Rank") || column === "Model");
}
