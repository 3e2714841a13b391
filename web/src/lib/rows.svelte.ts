// Row windowing for long tables: only the rows near the scrolled-to place are in the page,
// with spacer rows standing for the others (rows have one height: single-line cells).
//
// The row height is learnt from a rendered row by a ResizeObserver, which reports after the
// browser's own layout: reading `offsetHeight` after each update would force a synchronous
// layout of the whole table on every filter click, sort or scroll.

export class RowWindow {
  scrollTop = $state(0);
  viewHeight = $state(800);
  rowHeight = $state(21);
  readonly #count: () => number;
  readonly #overscan: number;
  readonly #renderAllUpTo: number;
  #observer: ResizeObserver | null = null;
  #observed: Element | null = null;

  /** `count` gives the number of rows; up to `renderAllUpTo` rows, every row is rendered. */
  constructor(count: () => number, renderAllUpTo = 0, overscan = 25) {
    this.#count = count;
    this.#renderAllUpTo = renderAllUpTo;
    this.#overscan = overscan;
  }

  get first(): number {
    const n = this.#count();
    if (n <= this.#renderAllUpTo) return 0;
    const top = Math.floor(this.scrollTop / this.rowHeight) - this.#overscan;
    return Math.max(0, Math.min(top, n - Math.ceil(this.viewHeight / this.rowHeight) - this.#overscan));
  }

  get last(): number {
    const n = this.#count();
    if (n <= this.#renderAllUpTo) return n;
    return Math.min(n, Math.max(this.first, Math.ceil((this.scrollTop + this.viewHeight) / this.rowHeight) + this.#overscan));
  }

  /** Spacer heights (px) above and below the rendered rows. */
  get above(): number {
    return this.first * this.rowHeight;
  }

  get below(): number {
    return (this.#count() - this.last) * this.rowHeight;
  }

  /** Learn the real row height from a rendered row, whenever the browser lays it out (no
   *  layout is forced; the same row element is observed only once). */
  measure(row: HTMLElement | null | undefined): void {
    if (!row || row === this.#observed || typeof ResizeObserver === "undefined") return;
    this.#observer ??= new ResizeObserver((entries) => {
      const entry = entries[entries.length - 1];
      const height = entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height;
      if (height > 0 && Math.abs(height - this.rowHeight) > 0.01) this.rowHeight = height;
    });
    if (this.#observed) this.#observer.unobserve(this.#observed);
    this.#observer.observe(row, { box: "border-box" });
    this.#observed = row;
  }

  /** Stop observing (the table is gone). */
  disconnect(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#observed = null;
  }

  onscroll = (e: Event): void => {
    this.scrollTop = (e.currentTarget as HTMLElement).scrollTop;
  };
}
