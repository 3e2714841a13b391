"""Benchmark of ``emboard serve`` on the shared snapshot (loopback only, bounded in time).

Measures: server start to first 200; the first (cold) and warm summary of MTEB(eng, v2); the
summary under ``--clients`` concurrent keep-alive clients for ``--duration`` s (p50 / p99 /
errors / requests per second); a filtered request (cold: the table is rebuilt); server RSS.

    python benchmarks/bench_server.py                       # ingests the shared archive first
    python benchmarks/bench_server.py --db sqlite:///x.db   # an already filled store
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
ARCHIVE = REPO.parent / "shared" / "data" / "mteb-results" / "results-trimmed.tar.zst"
LAUNCH = "import typer; from emboard.cli.serve_cmd import serve; typer.run(serve)"
SUMMARY = "/api/v1/benchmarks/" + quote("MTEB(eng, v2)") + "/summary"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fill_store(url: str) -> float:
    from emboard.settings import get_settings
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest
    from emboard.tasks.catalog import load_catalog

    started = time.perf_counter()
    store = open_store(url)
    ingest(store, ARCHIVE, load_catalog(get_settings()))
    store.close()
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


def wait_first_200(port: int, proc: subprocess.Popen[bytes], limit: float = 30.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if get(port, "/api/v1/benchmarks")[0] == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise SystemExit("server did not answer")


def load(port: int, clients: int, duration: float) -> dict[str, float]:
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
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="A filled store (default: ingest the shared archive)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument(
        "--out", type=Path, default=REPO / "benchmarks" / "out" / "bench_server.json"
    )
    args = parser.parse_args()
    import psutil

    figures: dict[str, object] = {}
    tmp = tempfile.TemporaryDirectory()
    url = args.db or f"sqlite:///{tmp.name}/store.db"
    if not args.db:
        figures["ingest_s"] = fill_store(url)
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--db", url, "--port", str(port)], cwd=REPO
    )
    try:
        wait_first_200(port, proc)
        figures["start_to_first_200_s"] = time.perf_counter() - started
        figures["summary_cold_ms"] = get(port, SUMMARY)[1] * 1000
        warm = [get(port, SUMMARY)[1] * 1000 for _ in range(50)]
        figures["summary_warm_p50_ms"] = statistics.median(warm)
        figures["filter_cold_ms"] = get(port, SUMMARY + "?type=Retrieval&max_params=1B")[1] * 1000
        figures["load"] = load(port, args.clients, args.duration)
        figures["server_rss_mb"] = psutil.Process(proc.pid).memory_info().rss / 2**20
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        tmp.cleanup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print("work | emboard")
    for key, value in figures.items():
        print(f"{key} | {json.dumps(value)}")


if __name__ == "__main__":
    main()
