// Typed calls to emboard's REST API (/api/v1). Responses are data: nothing here builds HTML.

export type Cell = number | string | null;

export interface BenchmarkItem {
  name: string;
  display_name: string | null;
  aliases: string[];
  description: string | null;
  n_tasks: number;
  task_types: string[];
  has_language_view: boolean;
}

export interface BenchmarkTask {
  name: string;
  type: string;
  main_score: string;
  languages: string[];
  domains: string[];
}

export interface Benchmark extends BenchmarkItem {
  tasks: BenchmarkTask[];
  languages: string[];
  domains: string[];
  modalities: string[];
}

export interface TableData {
  benchmark: string;
  view: string;
  metric: string;
  columns: string[];
  rows: Cell[][];
  n_rows: number;
  rank_column: string | null;
  primary_metric_column: string | null;
  type_columns: string[];
  task_columns: string[];
  task_types: Record<string, string>;
  show_zero_shot: boolean;
}

export interface Metrics {
  benchmark: string;
  metrics: string[];
  by_task: Record<string, string[]>;
}

export interface ModelResult {
  task: string;
  task_type: string | null;
  revision: string;
  experiment: string;
  score: number | null;
  n_entries: number;
  source_kind: string;
  source: string;
  path: string;
  commit: string | null;
  ingest_id: number;
}

export interface ModelDetail {
  name: string;
  registered: boolean;
  meta_source: string | null;
  meta: Record<string, unknown>;
  revisions: string[];
  results: ModelResult[];
  benchmarks: { benchmark: string; tasks_total: number; tasks_with_results: number }[];
}

export interface HistoryEntry {
  changed_at: string;
  ingest_id: number;
  what: string;
  field: string;
  old_value: unknown;
  new_value: unknown;
}

export interface Point {
  model: string;
  experiment: string;
  rank: number | null;
  score: number | null;
  n_parameters: number | null;
  memory_mb: number | null;
}

export interface Points {
  benchmark: string;
  metric: string;
  score_column: string;
  points: Point[];
}

export interface TaskDetail {
  name: string;
  type: string;
  metadata: Record<string, unknown>;
  benchmarks: string[];
  n_models: number;
  dataset_url: string | null;
}

export interface TaskScore {
  model: string;
  experiment: string;
  score: number;
}

export interface TaskScores {
  task: string;
  benchmark: string | null;
  main_score: string;
  n_models: number;
  top: TaskScore[];
  histogram: { edges: number[]; counts: number[] };
  mean: number | null;
  median: number | null;
}

export class ApiError extends Error {}

const cache = new Map<string, Promise<unknown>>();

export function getJson<T>(url: string): Promise<T> {
  let hit = cache.get(url);
  if (!hit) {
    hit = fetch(url, { headers: { Accept: "application/json" } }).then(async (res) => {
      const body = await res.json().catch(() => ({}));
      if (!res.ok) {
        cache.delete(url);
        throw new ApiError(String(body?.detail ?? `${res.status} ${res.statusText}`));
      }
      return body;
    });
    hit.catch(() => cache.delete(url));
    cache.set(url, hit);
  }
  return hit as Promise<T>;
}

const enc = encodeURIComponent;

export const api = {
  benchmarks: () => getJson<BenchmarkItem[]>("/api/v1/benchmarks"),
  benchmark: (name: string) => getJson<Benchmark>(`/api/v1/benchmarks/${enc(name)}`),
  metrics: (name: string) => getJson<Metrics>(`/api/v1/benchmarks/${enc(name)}/metrics`),
  table: (name: string, view: string, params: URLSearchParams) =>
    getJson<TableData>(`/api/v1/benchmarks/${enc(name)}/${view}?${params}`),
  points: (name: string, params: URLSearchParams) =>
    getJson<Points>(`/api/v1/benchmarks/${enc(name)}/points?${params}`),
  task: (name: string) => getJson<TaskDetail>(`/api/v1/tasks/${enc(name)}`),
  taskScores: (name: string, params: URLSearchParams) =>
    getJson<TaskScores>(`/api/v1/tasks/${enc(name)}/scores?${params}`),
  model: (name: string) => getJson<ModelDetail>(`/api/v1/models/${modelPath(name)}`),
  history: (name: string) =>
    getJson<{ name: string; history: HistoryEntry[] }>(`/api/v1/models/${modelPath(name)}/history`),
};

/** `org/name` → `org/name` with each part encoded (the API takes the rest of the path). */
export function modelPath(name: string): string {
  return name.split("/").map(enc).join("/");
}
