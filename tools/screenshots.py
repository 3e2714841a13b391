"""Screenshots of the web leaderboard's main views, for docs/screenshots/ (linked from the README).

Run against a server on the full snapshot (Debian's Chromium through Playwright, no download)::

    emboard ingest --db sqlite:////tmp/full.db ../shared/data/mteb-results/results-trimmed.tar.zst
    emboard serve --db sqlite:////tmp/full.db --port 8765 &
    python tools/screenshots.py http://127.0.0.1:8765 [--out docs/screenshots] [--only plot,task]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from urllib.parse import quote

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ROWS = "[data-testid=leaderboard] tbody tr"
PINS = ("BAAI/bge-small-en-v1.5", "intfloat/e5-small-v2", "thenlper/gte-small")

# name → (URL query, selector to wait for, viewport width, height)
VIEWS: dict[str, tuple[str, str, int, int]] = {
    "summary": ("", ROWS, 1400, 900),
    "filtered": ("?type=Retrieval&max_params=1B", ROWS, 1400, 900),
    "model": (
        "?view=model&model=BAAI/bge-small-en-v1.5",
        "[data-testid=model-results] tr",
        1400,
        900,
    ),
    "compare": (
        "?view=compare&" + "&".join(f"pin={quote(p, safe='')}" for p in PINS),
        "[data-testid=compare] tbody tr",
        1400,
        900,
    ),
    "phone": ("", ROWS, 390, 844),
    "plot": ("?view=plot", "[data-testid=plot-point]", 1400, 900),
    "heatmap": ("?view=heatmap", "[data-testid=heatmap-row]", 1400, 900),
    "task": ("?view=task&task=ArguAna", "[data-testid=histogram-bar]", 1400, 1100),
}


def take(base: str, out: Path, only: set[str] | None) -> None:
    """One PNG per view of :data:`VIEWS` (those in ``only`` when given)."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, (query, selector, width, height) in VIEWS.items():
            if only and name not in only:
                continue
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(base + "/" + query)
            page.wait_for_selector(selector)
            page.wait_for_timeout(300)
            if name == "plot":  # show the hover label on the best small model
                page.locator("[data-testid=plot-point][data-pareto=true]").nth(2).hover()
            page.screenshot(path=str(out / f"{name}.png"))
            context.close()
            print(out / f"{name}.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the server's base URL, e.g. http://127.0.0.1:8765")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--only", default="", help="comma-separated view names")
    args = parser.parse_args()
    only = {v for v in args.only.split(",") if v} or None
    take(args.base.rstrip("/"), args.out, only)


if __name__ == "__main__":
    main()
