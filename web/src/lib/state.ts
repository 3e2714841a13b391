// The whole view state lives in the URL's query string: reloading or sharing restores it.

export type View = "summary" | "per-task" | "per-language" | "plot" | "heatmap" | "compare" | "model" | "task";
export const VIEWS: View[] = ["summary", "per-task", "per-language", "plot", "heatmap", "compare", "model", "task"];
export type PlotAxis = "params" | "memory";
export const MAX_PINS = 4;
export const DEFAULT_BENCHMARK = "MTEB(eng, v2)";

export interface ViewState {
  benchmark: string;
  view: View;
  tab: string; // task type shown in the per-task table and heatmap ("" = every type)
  metric: string; // "" = main score
  types: string[];
  domains: string[];
  modalities: string[];
  languages: string[];
  minParams: string;
  maxParams: string;
  openWeights: string; // "", "true", "false"
  instructions: string;
  zeroShot: string; // "", "remove_unknown", "only_zero_shot"
  search: string;
  sort: string; // column name, "" = server order
  desc: boolean;
  pins: string[];
  model: string;
  plot: PlotAxis; // x axis of the score plot
  task: string; // the task page's task
  scope: string; // task page: "" = the benchmark's scores, "all" = every stored result
}

export function parseState(search: string): ViewState {
  const q = new URLSearchParams(search);
  const view = q.get("view") as View;
  return {
    benchmark: q.get("b") || DEFAULT_BENCHMARK,
    view: VIEWS.includes(view) ? view : "summary",
    tab: q.get("tab") ?? "",
    metric: q.get("metric") ?? "",
    types: q.getAll("type"),
    domains: q.getAll("domain"),
    modalities: q.getAll("modality"),
    languages: q.getAll("lang"),
    minParams: q.get("min_params") ?? "",
    maxParams: q.get("max_params") ?? "",
    openWeights: q.get("open_weights") ?? "",
    instructions: q.get("instructions") ?? "",
    zeroShot: q.get("zero_shot") ?? "",
    search: q.get("q") ?? "",
    sort: q.get("sort") ?? "",
    desc: q.get("dir") !== "asc",
    pins: q.getAll("pin").slice(0, MAX_PINS),
    model: q.get("model") ?? "",
    plot: q.get("x") === "memory" ? "memory" : "params",
    task: q.get("task") ?? "",
    scope: q.get("scope") === "all" ? "all" : "",
  };
}

export function toSearch(s: ViewState): string {
  const q = new URLSearchParams();
  q.set("b", s.benchmark);
  if (s.view !== "summary") q.set("view", s.view);
  if (s.tab) q.set("tab", s.tab);
  if (s.metric) q.set("metric", s.metric);
  s.types.forEach((t) => q.append("type", t));
  s.domains.forEach((d) => q.append("domain", d));
  s.modalities.forEach((m) => q.append("modality", m));
  s.languages.forEach((l) => q.append("lang", l));
  const scalars: [string, string][] = [
    ["min_params", s.minParams],
    ["max_params", s.maxParams],
    ["open_weights", s.openWeights],
    ["instructions", s.instructions],
    ["zero_shot", s.zeroShot],
    ["q", s.search],
  ];
  for (const [k, v] of scalars) if (v) q.set(k, v);
  if (s.sort) {
    q.set("sort", s.sort);
    q.set("dir", s.desc ? "desc" : "asc");
  }
  s.pins.forEach((p) => q.append("pin", p));
  if (s.model) q.set("model", s.model);
  if (s.view === "plot" && s.plot !== "params") q.set("x", s.plot);
  if (s.task) q.set("task", s.task);
  if (s.scope) q.set("scope", s.scope);
  return "?" + q.toString();
}

/** The API query of the table endpoints for this state. */
export function tableParams(s: ViewState): URLSearchParams {
  const q = new URLSearchParams();
  s.types.forEach((t) => q.append("type", t));
  s.domains.forEach((d) => q.append("domain", d));
  s.modalities.forEach((m) => q.append("modality", m));
  s.languages.forEach((l) => q.append("language", l));
  const scalars: [string, string][] = [
    ["min_params", s.minParams],
    ["max_params", s.maxParams],
    ["open_weights", s.openWeights],
    ["instructions", s.instructions],
    ["zero_shot", s.zeroShot],
    ["search", s.search],
    ["metric", s.metric],
  ];
  for (const [k, v] of scalars) if (v) q.set(k, v);
  return q;
}

/** A plain left click (no modifier): the app navigates itself instead of the browser. */
export function isPlainClick(e: MouseEvent): boolean {
  return e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;
}

/** A link's click handler: `go()` in the app on a plain click, the browser's way otherwise
 * (a new tab with Ctrl or the middle button). */
export function follow(e: MouseEvent, go: () => void): void {
  if (!isPlainClick(e)) return;
  e.preventDefault();
  go();
}
