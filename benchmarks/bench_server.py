"""Benchmark of ``emboard serve`` on the shared snapshot (loopback only, bounded in time).

One run measures, against issue 5's targets:

- server start to the first 200 (``/api/v1/benchmarks``, which needs the catalog) and to the
  first summary of MTEB(eng, v2), with the server's CPU time at that point (a loaded machine
  stretches the wall time; the CPU time is what an idle one would take);
- the summary of MTEB(eng, v2) under ``--clients`` concurrent keep-alive clients for
  ``--duration`` s: p50 / p99 / errors / requests per second, with ``wrk`` (Debian's package; a
  Lua script reports the percentiles) or, without it, Python threads (then the client itself is
  the bottleneck on a small machine);
- in Chromium (Playwright, Debian's ``/usr/bin/chromium``): page load to the table shown and
  usable, and a filter click to the updated table (median and max of four filters the server
  has not built yet, and of eight clicks on one it has): to the frame that shows the change, and
  to the end of that frame's layout and paint (``_painted``);
- the server's peak RSS over the whole run.

The peer would be mteb's leaderboard app (Gradio), which loads its results from the Hugging Face
Hub at start and cannot run offline here; the published figures of the new MTEB site (summary
22 ms warm, a filter 27–58 ms) are printed for reference, not measured.

    python benchmarks/bench_server.py                       # ingests the shared archive first
    python benchmarks/bench_server.py --db sqlite:///x.db   # an already filled store
    python benchmarks/bench_server.py --duration 10 --no-browser
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO.parent / "shared" / "data" / "mteb-results" / "results-trimmed.tar.zst"
LAUNCH = "import typer; from emboard.cli.serve_cmd import serve; typer.run(serve)"
INGEST = "from emboard.cli.main import main; main()"
BENCH = quote("MTEB(eng, v2)")
SUMMARY = f"/api/v1/benchmarks/{BENCH}/summary"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
WRK_LUA = """
wrk.headers["Accept-Encoding"] = "gzip"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\\"requests\\": %d, \\"socket_errors\\": %d, \\"non_2xx\\": %d, "
    .. "\\"p50_ms\\": %.3f, \\"p90_ms\\": %.3f, \\"p99_ms\\": %.3f, \\"max_ms\\": %.3f}\\n",
    summary.requests, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""
PUBLISHED_PEER = {"summary_warm_ms": "22 (new MTEB site, published)", "filter": "27–58 ms"}
TARGETS = {
    "start_to_first_200_s": ("≤", 2.0),
    "load_p50_ms": ("≤", 20.0),
    "load_p99_ms": ("≤", 100.0),
    "load_errors": ("=", 0),
    "page_interactive_ms": ("≤", 1000.0),
    "filter_click_new_ms": ("≤", 100.0),
    "filter_click_cached_ms": ("≤", 100.0),
    "server_rss_peak_mb": ("≤", 600.0),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fill_store(url: str) -> float:
    """``emboard ingest`` of the shared archive (which also caches the main benchmarks' tables
    in the store, as ``make run`` does)."""
    started = time.perf_counter()
    cmd = [sys.executable, "-c", INGEST, "ingest", str(ARCHIVE), "--db", url]
    subprocess.run(cmd, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def get(port: int, path: str, conn: http.client.HTTPConnection | None = None) -> tuple[int, float]:
    own = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    own.request("GET", path, headers={"Accept-Encoding": "gzip"})
    res = own.getresponse()
    res.read()
    elapsed = time.perf_counter() - started
    if conn is None:
        own.close()
    return res.status, elapsed


def wait_200(port: int, path: str, proc: subprocess.Popen[bytes], limit: float = 60.0) -> None:
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if get(port, path)[0] == 200:
                return
        except OSError:
            time.sleep(0.01)
    raise SystemExit(f"server did not answer {path}")


class RssSampler(threading.Thread):
    """The server's resident memory, sampled every 0.2 s; the peak is kept."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            try:
                self.peak = max(self.peak, self.proc.memory_info().rss)
            except Exception:  # the server is gone
                return


def load_wrk(port: int, clients: int, duration: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_LUA)
    try:
        threads = str(min(2, clients))
        cmd = ["wrk", "-t", threads, "-c", str(clients), "-d", f"{duration:g}s", "--timeout", "5s"]
        cmd += ["-s", fh.name, f"http://127.0.0.1:{port}{SUMMARY}"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(fh.name)
    found = re.search(r"^WRK (\{.*\})$", out, re.M)
    if found is None:
        raise SystemExit(f"wrk printed no summary:\n{out}")
    stats = json.loads(found.group(1))
    stats["errors"] = stats["socket_errors"] + stats["non_2xx"]
    stats["rps"] = stats["requests"] / duration
    stats["client"] = "wrk"
    return stats


def load_python(port: int, clients: int, duration: float) -> dict[str, Any]:
    """The fallback without wrk: keep-alive clients in threads (the client is the bottleneck)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.perf_counter() < stop:
            try:
                status, elapsed = get(port, SUMMARY, conn)
            except OSError:
                status, elapsed = 0, 0.0
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if status != 200:
                with lock:
                    errors[0] += 1
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qs = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": errors[0],
        "rps": len(latencies) / duration,
        "p50_ms": qs[49] * 1000,
        "p99_ms": qs[98] * 1000,
        "client": "python threads (wrk not found)",
    }


ROWS = "[data-testid=leaderboard] tbody tr"
LOADED_JS = "document.querySelector('[data-testid=row-count]').textContent.includes('models')"
NEW_FILTERS = [f"[data-testid=type-{t}]" for t in ("Retrieval", "Clustering", "STS", "Reranking")]
# Resolves with two times after the click: the next frame once the table's text changed (the
# update is in the page; the frame's style, layout and paint are still to come), and the end of
# that frame's rendering work (a message posted from the frame's callback runs after it: the
# update shown).
CLICK_JS = """
async (selector) => {
  const table = document.querySelector('[data-testid=leaderboard]');
  const before = table.textContent;  // textContent: no layout forced by the measurement
  const started = performance.now();
  const shown = new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const now = document.querySelector('[data-testid=leaderboard]');
      if (now && now.textContent !== before && !/loading/.test(
            document.querySelector('[data-testid=row-count]').textContent)) {
        observer.disconnect();
        requestAnimationFrame(() => {
          const frame = performance.now() - started;
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve([frame, performance.now() - started]);
          channel.port2.postMessage(null);
        });
      }
    });
    observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  });
  document.querySelector(selector).click();
  return await shown;
}
"""


def _page_load(browser: Any, base: str) -> float:
    """Navigation start to the table shown with its row count, in a fresh context (cold cache)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(base + "/", wait_until="commit")
        page.wait_for_selector(ROWS)
        page.wait_for_function(LOADED_JS)
        return float(page.evaluate("performance.now()"))
    finally:
        context.close()


def browser_figures(base: str) -> dict[str, Any]:
    """Page load to the table shown, and filter clicks to the updated table, in Chromium."""
    from playwright.sync_api import sync_playwright

    figures: dict[str, Any] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            page.goto("about:blank")  # the browser is up, as a visitor's is
            loads = [_page_load(browser, base) for _ in range(5)]
            figures["page_interactive_ms"] = statistics.median(loads)
            figures["page_interactive_max_ms"] = max(loads)
            page.goto(base + "/")
            page.wait_for_selector(ROWS)
            page.wait_for_function(LOADED_JS)
            figures["page_rows"] = page.locator(ROWS).count()
            new: list[list[float]] = []
            for selector in NEW_FILTERS:  # each a filter the server has not built, then back
                new.append(page.evaluate(CLICK_JS, selector))
                page.evaluate(CLICK_JS, selector)
            built = [page.evaluate(CLICK_JS, NEW_FILTERS[0]) for _ in range(8)]
            for name, clicks in (("new", new), ("cached", built)):
                frames, painted = [c[0] for c in clicks], [c[1] for c in clicks]
                figures[f"filter_click_{name}_ms"] = statistics.median(frames)
                figures[f"filter_click_{name}_max_ms"] = max(frames)
                figures[f"filter_click_{name}_painted_ms"] = statistics.median(painted)
                figures[f"filter_click_{name}_painted_max_ms"] = max(painted)
        finally:
            browser.close()
    return figures


def start_server(url: str, port: int) -> tuple[subprocess.Popen[bytes], dict[str, float]]:
    import psutil

    started = time.perf_counter()
    cmd = [sys.executable, "-c", LAUNCH, "--db", url, "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO, stderr=subprocess.DEVNULL)
    wait_200(port, "/api/v1/benchmarks", proc)
    first = time.perf_counter() - started
    cpu = psutil.Process(proc.pid).cpu_times()
    wait_200(port, SUMMARY, proc)
    return proc, {
        "start_to_first_200_s": first,
        "start_cpu_s": cpu.user + cpu.system,
        "start_to_first_summary_s": time.perf_counter() - started,
        "load_average_at_start": os.getloadavg()[0],
    }


def measure(url: str, args: argparse.Namespace) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    port = free_port()
    proc, start = start_server(url, port)
    figures.update(start)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        warm = [get(port, SUMMARY)[1] * 1000 for _ in range(50)]
        figures["summary_warm_p50_ms"] = statistics.median(warm)
        for key in ("filter_new_server_ms", "filter_new_server_again_ms"):  # never cached
            unique = f"?type=Clustering&max_params={random.randint(1000, 99_000)}M"
            figures[key] = get(port, SUMMARY + unique)[1] * 1000
        loader = load_wrk if shutil.which("wrk") and not args.python_client else load_python
        load = loader(port, args.clients, args.duration)
        figures["load_client"] = load.pop("client")
        figures.update({f"load_{k}": v for k, v in load.items()})
        if not args.no_browser:
            figures.update(browser_figures(f"http://127.0.0.1:{port}"))
        time.sleep(0.3)
        figures["server_rss_end_mb"] = sampler.proc.memory_info().rss / 2**20
        figures["server_rss_peak_mb"] = max(sampler.peak / 2**20, figures["server_rss_end_mb"])
    finally:
        sampler.stop.set()
        proc.terminate()
        proc.wait(timeout=10)
    return figures


def verdict(key: str, value: Any) -> str:
    if key not in TARGETS or not isinstance(value, int | float):
        return ""
    op, bound = TARGETS[key]
    ok = value <= bound if op == "≤" else value == bound
    return f"{op} {bound:g} {'ok' if ok else 'MISSED'}"


def report(figures: dict[str, Any]) -> None:
    peer_note = "n/a: mteb's leaderboard app loads from the Hub, cannot run offline"
    print(f"peer: {peer_note}; published new-MTEB-site figures shown for reference")
    print("work | peer | emboard | target")
    for key, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        peer = PUBLISHED_PEER["summary_warm_ms"] if key == "summary_warm_p50_ms" else ""
        if key.startswith("filter_click"):
            peer = PUBLISHED_PEER["filter"] + " (published)"
        print(f"{key} | {peer or '-'} | {shown} | {verdict(key, value) or '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="A filled store (default: ingest the shared archive)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--no-browser", action="store_true", help="Skip the Chromium figures")
    parser.add_argument("--python-client", action="store_true", help="Load with Python, not wrk")
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks" / "out" / "bench_server.json"
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/store.db"
        if not args.db:
            figures["ingest_s"] = fill_store(url)
        figures.update(measure(url, args))
    figures["targets_met"] = all(
        verdict(k, v).endswith("ok") for k, v in figures.items() if k in TARGETS
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    report(figures)
    print(f"JSON: {args.out}")


if __name__ == "__main__":
    main()
