import { describe, expect, it } from "vitest";
import { colour, formatCount, formatMb, linearScale, logScale, paretoFront, type XY } from "../src/lib/plot";

/** The front by its definition, point against point: no other point at most as large scores at
 * least as high, one of the two strictly. */
function bruteFront(points: XY[]): Set<number> {
  const out = new Set<number>();
  points.forEach((p, i) => {
    const dominated = points.some((q, j) => j !== i && q.x <= p.x && q.y >= p.y && (q.x < p.x || q.y > p.y));
    if (!dominated) out.add(i);
  });
  return out;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("paretoFront", () => {
  it("keeps the points no smaller model beats", () => {
    const points = [
      { x: 10, y: 0.5 }, // front: smallest
      { x: 20, y: 0.4 }, // beaten by the smaller, better first point
      { x: 30, y: 0.6 }, // front
      { x: 30, y: 0.55 }, // same size, lower: beaten
      { x: 40, y: 0.6 }, // same score, larger: beaten
      { x: 50, y: 0.7 }, // front
    ];
    expect([...paretoFront(points)].sort()).toEqual([0, 2, 5]);
  });

  it("keeps exact ties on the front", () => {
    const points = [
      { x: 5, y: 0.3 },
      { x: 5, y: 0.3 },
      { x: 6, y: 0.2 },
    ];
    expect([...paretoFront(points)].sort()).toEqual([0, 1]);
  });

  it("is empty for no points", () => {
    expect(paretoFront([]).size).toBe(0);
  });

  it("equals the pairwise definition on random clouds with repeated sizes and scores", () => {
    const rand = seeded(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 40);
      const points = Array.from({ length: n }, () => ({
        x: Math.ceil(rand() * 12), // few distinct sizes: ties in x are common
        y: Math.round(rand() * 10) / 10, // and in y
      }));
      expect([...paretoFront(points)].sort((a, b) => a - b)).toEqual([...bruteFront(points)].sort((a, b) => a - b));
    }
  });
});

describe("scales", () => {
  it("maps a log domain inside the range, in order, with ticks inside the widened domain", () => {
    const s = logScale(1e6, 1e10, 0, 500);
    expect(s(1e6)).toBeGreaterThan(0);
    expect(s(1e10)).toBeLessThan(500);
    expect(s(1e8) - s(1e7)).toBeCloseTo(s(1e7) - s(1e6), 9); // equal per decade
    expect(s.ticks).toEqual([1e6, 1e7, 1e8, 1e9, 1e10]);
  });

  it("uses 1-2-5 ticks on a narrow log domain", () => {
    const s = logScale(20, 90, 0, 100); // widened by 1.25 each side: 16 to 112.5
    expect(s.ticks).toEqual([20, 50, 100]);
  });

  it("widens a linear domain to whole steps", () => {
    const s = linearScale(0.43, 0.71, 300, 0);
    expect(s.ticks[0]).toBeLessThanOrEqual(0.43);
    expect(s.ticks[s.ticks.length - 1]).toBeGreaterThanOrEqual(0.71);
    expect(s(s.ticks[0])).toBeCloseTo(300, 9);
    expect(s(s.ticks[s.ticks.length - 1])).toBeCloseTo(0, 9);
    const steps = s.ticks.slice(1).map((t, i) => t - s.ticks[i]);
    steps.forEach((d) => expect(d).toBeCloseTo(steps[0], 12));
  });

  it("survives a single value", () => {
    const s = linearScale(0.5, 0.5, 0, 100);
    expect(Number.isFinite(s(0.5))).toBe(true);
    expect(s.ticks.length).toBeGreaterThanOrEqual(2);
  });
});

describe("labels and colours", () => {
  it("writes counts and sizes as people do", () => {
    expect(formatCount(22_700_000)).toBe("22.7M");
    expect(formatCount(1_500_000_000)).toBe("1.5B");
    expect(formatCount(335_000_000)).toBe("335M");
    expect(formatCount(512)).toBe("512");
    expect(formatMb(87)).toBe("87 MB");
    expect(formatMb(1250)).toBe("1.25 GB");
  });

  it("clamps the colour scale and picks readable text", () => {
    expect(colour(-1)).toEqual(colour(0));
    expect(colour(2)).toEqual(colour(1));
    expect(colour(0)).toEqual({ fill: "rgb(68, 1, 84)", dark: false });
    expect(colour(1)).toEqual({ fill: "rgb(253, 231, 37)", dark: true });
  });
});
