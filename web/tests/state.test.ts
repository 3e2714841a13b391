import { describe, expect, it } from "vitest";
import { DEFAULT_BENCHMARK, MAX_PINS, parseState, tableParams, toSearch } from "../src/lib/state";

describe("view state in the URL", () => {
  it("defaults to the summary of the default benchmark", () => {
    const s = parseState("");
    expect(s.benchmark).toBe(DEFAULT_BENCHMARK);
    expect(s.view).toBe("summary");
    expect(s.desc).toBe(true);
    expect(s.pins).toEqual([]);
    expect(toSearch(s)).toBe("?" + new URLSearchParams({ b: DEFAULT_BENCHMARK }).toString());
  });

  it("round-trips every field", () => {
    const search =
      "?b=MTEB%28Multilingual%2C+v2%29&view=per-task&tab=Retrieval&metric=ndcg_at_5&type=Retrieval&type=STS" +
      "&domain=Legal&modality=text&lang=deu&lang=fra&min_params=100&max_params=1000&open_weights=true" +
      "&instructions=false&zero_shot=only_zero_shot&q=e5&sort=Mean+%28Task%29&dir=asc" +
      "&pin=a%2Fb&pin=c%2Fd&model=a%2Fb&task=STS12&scope=all";
    const s = parseState(search);
    expect(s).toMatchObject({
      benchmark: "MTEB(Multilingual, v2)",
      view: "per-task",
      tab: "Retrieval",
      metric: "ndcg_at_5",
      types: ["Retrieval", "STS"],
      languages: ["deu", "fra"],
      sort: "Mean (Task)",
      desc: false,
      pins: ["a/b", "c/d"],
      scope: "all",
    });
    expect(parseState(toSearch(s))).toEqual(s);
    expect(toSearch(parseState(toSearch(s)))).toBe(toSearch(s));
  });

  it("ignores unknown views and extra pins", () => {
    const pins = Array.from({ length: MAX_PINS + 3 }, (_, i) => `pin=m${i}`).join("&");
    const s = parseState(`?view=<script>&${pins}`);
    expect(s.view).toBe("summary");
    expect(s.pins).toHaveLength(MAX_PINS);
  });

  it("keeps the plot axis only on the plot view", () => {
    const plot = parseState("?view=plot&x=memory");
    expect(plot.plot).toBe("memory");
    expect(toSearch(plot)).toContain("x=memory");
    expect(toSearch({ ...plot, view: "summary" })).not.toContain("x=");
  });

  it("asks the API with its own parameter names", () => {
    const q = tableParams(parseState("?lang=deu&q=bge&metric=map&type=STS&pin=x"));
    expect(q.getAll("language")).toEqual(["deu"]);
    expect(q.get("search")).toBe("bge");
    expect(q.get("metric")).toBe("map");
    expect(q.getAll("type")).toEqual(["STS"]);
    expect(q.has("pin")).toBe(false);
  });
});
