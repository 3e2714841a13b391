// Pure helpers of the plots: the Pareto front, scales, ticks and a colour scale.

export interface XY {
  x: number;
  y: number;
}

/**
 * Indices of the points no other point dominates: no point with an x (size) at most as large
 * has a y (score) at least as high, one of the two strictly. "No smaller model beats them."
 */
export function paretoFront(points: XY[]): Set<number> {
  const order = points.map((_, i) => i).sort((a, b) => points[a].x - points[b].x || points[b].y - points[a].y);
  const front = new Set<number>();
  let best = -Infinity;
  for (let k = 0; k < order.length; ) {
    const x = points[order[k]].x;
    const top = points[order[k]].y;
    let end = k;
    while (end < order.length && points[order[end]].x === x) end++;
    if (top > best) {
      for (let i = k; i < end && points[order[i]].y === top; i++) front.add(order[i]);
      best = top;
    }
    k = end;
  }
  return front;
}

export interface Scale {
  (value: number): number;
  ticks: number[];
}

/** A log10 scale from a domain (positive values) onto [r0, r1], ticks at 1, 2, 5 × 10^k. */
export function logScale(lo: number, hi: number, r0: number, r1: number): Scale {
  const a = Math.log10(lo / 1.25);
  const b = Math.log10(hi * 1.25);
  const f = ((v: number) => r0 + ((Math.log10(v) - a) / (b - a || 1)) * (r1 - r0)) as Scale;
  const decades = b - a;
  const steps = decades > 4 ? [1] : decades > 1.5 ? [1, 3] : [1, 2, 5];
  const ticks: number[] = [];
  for (let k = Math.floor(a); k <= Math.ceil(b); k++) {
    for (const m of steps) {
      const v = m * 10 ** k;
      if (Math.log10(v) >= a && Math.log10(v) <= b) ticks.push(v);
    }
  }
  f.ticks = ticks;
  return f;
}

/** A linear scale from [lo, hi] (widened to whole steps) onto [r0, r1], about 6 ticks. */
export function linearScale(lo: number, hi: number, r0: number, r1: number): Scale {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 6;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const a = Math.floor(lo / step) * step;
  const b = Math.max(Math.ceil(hi / step) * step, a + step);
  const f = ((v: number) => r0 + ((v - a) / (b - a)) * (r1 - r0)) as Scale;
  const ticks: number[] = [];
  for (let v = a; v <= b + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  f.ticks = ticks;
  return f;
}

/** Parameters as people write them: 33M, 1.5B. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${trim(n / 1e9)}B`;
  if (n >= 1e6) return `${trim(n / 1e6)}M`;
  if (n >= 1e3) return `${trim(n / 1e3)}K`;
  return trim(n);
}

/** Megabytes as people write them: 128 MB, 1.2 GB. */
export function formatMb(mb: number): string {
  return mb >= 1000 ? `${trim(mb / 1000)} GB` : `${trim(mb)} MB`;
}

function trim(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? String(Number(v.toFixed(1))) : String(Number(v.toFixed(2)));
}

// Viridis at five stops: perceptually ordered and readable by colour-blind people.
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour of t ∈ [0, 1] on the scale, and whether text on it should be dark. */
export function colour(t: number): { fill: string; dark: boolean } {
  const u = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(Math.floor(u), STOPS.length - 2);
  const f = u - i;
  const [r, g, b] = STOPS[i].map((c, k) => Math.round(c + (STOPS[i + 1][k] - c) * f));
  return { fill: `rgb(${r}, ${g}, ${b})`, dark: 0.299 * r + 0.587 * g + 0.114 * b > 140 };
}
