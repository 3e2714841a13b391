// Cells as MTEB's leaderboard shows them (emboard.leaderboard.display), and files of what is shown.
import type { Cell } from "./api";

const RAW = new Set(["Embedding Dimensions", "Max Tokens", "Release Date", "Model"]);
const PARAMS = new Set(["Active Parameters (B)", "Total Parameters (B)"]);

export function isScoreColumn(column: string): boolean {
  return !RAW.has(column) && !PARAMS.has(column) && !column.startsWith("Rank") && column !== "Zero-shot";
}

export function formatCell(column: string, value: Cell): string {
  if (value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))) return "";
  if (typeof value === "string") return value;
  if (column === "Zero-shot") return value === -1 ? "NA" : `${value}%`;
  if (PARAMS.has(column)) return value >= 1 ? value.toFixed(1) : value.toFixed(3);
  if (RAW.has(column) || column.startsWith("Rank")) return String(value);
  return (value * 100).toFixed(2);
}

/** Numbers before text, nulls last whatever the direction. */
export function compareCells(a: Cell, b: Cell, desc: boolean): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  const d = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b));
  return desc ? -d : d;
}

function csvField(value: Cell): string {
  const text = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(columns: string[], rows: Cell[][]): string {
  return [columns, ...rows].map((r) => r.map(csvField).join(",")).join("\n") + "\n";
}

export function toJson(columns: string[], rows: Cell[][]): string {
  const records = rows.map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j] ?? null])));
  return JSON.stringify(records, null, 2) + "\n";
}

export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "");
}
