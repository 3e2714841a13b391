import { describe, expect, it } from "vitest";
import { compareCells, formatCell, isScoreColumn, slug, toCsv, toJson } from "../src/lib/format";
import { firstDirectionDesc, shownTable } from "../src/lib/shown";
import type { TableData } from "../src/lib/api";

describe("cells", () => {
  it("shows scores as percentages and metadata as is", () => {
    expect(formatCell("Mean (Task)", 0.654321)).toBe("65.43");
    expect(formatCell("Zero-shot", -1)).toBe("NA");
    expect(formatCell("Zero-shot", 95)).toBe("95%");
    expect(formatCell("Total Parameters (B)", 0.0227)).toBe("0.023");
    expect(formatCell("Max Tokens", 512)).toBe("512");
    expect(formatCell("Rank (Borda)", 3)).toBe("3");
    expect(formatCell("STS12", null)).toBe("");
    expect(formatCell("STS12", Number.NaN)).toBe("");
    expect(isScoreColumn("STS12")).toBe(true);
    expect(isScoreColumn("Rank (Borda)")).toBe(false);
  });

  it("sorts numbers, then text, nulls last in both directions", () => {
    const cells = [0.5, null, 0.7, 0.1];
    expect([...cells].sort((a, b) => compareCells(a, b, true))).toEqual([0.7, 0.5, 0.1, null]);
    expect([...cells].sort((a, b) => compareCells(a, b, false))).toEqual([0.1, 0.5, 0.7, null]);
  });
});

describe("exports", () => {
  it("quotes CSV fields that need it", () => {
    const csv = toCsv(["Model", "Score"], [
      ['a "quoted", name', 0.5],
      ["line\nbreak", null],
    ]);
    expect(csv).toBe('Model,Score\n"a ""quoted"", name",0.5\n"line\nbreak",\n');
  });

  it("writes JSON records with nulls", () => {
    expect(JSON.parse(toJson(["Model", "Score"], [["m", null]]))).toEqual([{ Model: "m", Score: null }]);
  });

  it("makes file names safe", () => {
    expect(slug("MTEB(eng, v2)")).toBe("MTEB_eng_v2");
    expect(slug("../../etc/passwd")).toBe(".._.._etc_passwd");
  });
});

describe("shownTable", () => {
  const table = {
    view: "per-task",
    columns: ["Model", "STS12", "Banking77Classification", "_experiment_id"],
    rows: [
      ["b", 0.2, 0.9, null],
      ["a", 0.8, null, null],
      ["c", null, 0.5, null],
    ],
    task_types: { STS12: "STS", Banking77Classification: "Classification" },
  } as unknown as TableData;

  it("hides internal columns and keeps one task type's columns", () => {
    expect(shownTable(table, "", "", true).columns).toEqual(["Model", "STS12", "Banking77Classification"]);
    expect(shownTable(table, "STS", "", true).columns).toEqual(["Model", "STS12"]);
  });

  it("sorts stably with missing scores last", () => {
    const shown = shownTable(table, "", "STS12", true);
    expect(shown.rows.map((r) => r[0])).toEqual(["a", "b", "c"]);
    expect(shownTable(table, "", "STS12", false).rows.map((r) => r[0])).toEqual(["b", "a", "c"]);
    expect(shownTable(null, "", "", true)).toEqual({ columns: [], rows: [] });
  });

  it("sorts ranks and names ascending first", () => {
    expect(firstDirectionDesc("Rank (Borda)")).toBe(false);
    expect(firstDirectionDesc("Model")).toBe(false);
    expect(firstDirectionDesc("Mean (Task)")).toBe(true);
  });
});
