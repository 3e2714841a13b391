"""One emboard evaluation in its own process, for the benchmark: prints a JSON summary line.

python benchmarks/emboard_side.py --model PATH --data-dir DIR --output-dir DIR
    [--model-name NAME --model-revision REV] [--tasks T ...] [--dump-texts FILE]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

T0 = time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--output-dir", required=True, type=Path)
    parser.add_argument("--model-name")
    parser.add_argument("--model-revision")
    parser.add_argument("--tasks", nargs="*")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--mmap-threshold",
        type=int,
        default=None,
        help="glibc mmap threshold in bytes (default: emboard's; 0: malloc's dynamic one)",
    )
    parser.add_argument(
        "--dump-texts",
        type=Path,
        help="write the unique encoded texts here (JSON lines: [prompt, texts] per block)",
    )
    args = parser.parse_args()

    import emboard
    from emboard.heap import threshold_option
    from emboard.models.embedder import Embedder

    dump = args.dump_texts.open("w") if args.dump_texts else None
    if dump is not None:  # one JSON line per encoded block, written as it goes (not held)
        original = Embedder._encode_block

        def recording(
            self: Embedder, texts: list[str], prompt: str | None, ptype: object
        ) -> object:
            dump.write(json.dumps([prompt, texts]) + "\n")
            return original(self, texts, prompt, ptype)  # type: ignore[arg-type]

        Embedder._encode_block = recording  # type: ignore[method-assign,assignment]

    tasks = list(args.tasks) if args.tasks else None
    report = emboard.evaluate(
        args.model,
        tasks,
        data_dir=args.data_dir,
        output_dir=args.output_dir,
        model_name=args.model_name,
        model_revision=args.model_revision,
        batch_size=args.batch_size,
        show_progress=False,
        mmap_threshold=threshold_option(args.mmap_threshold),
    )
    if dump is not None:
        dump.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    summary = {
        "wall_time_s": time.perf_counter() - T0,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "tasks": {o.task.name: o.main_score for o in report.outcomes},
        "failed": {o.task.name: o.error for o in report.failed},
        "n_encoded_texts": report.stats.encoded,
        "n_requested_texts": report.stats.requested,
    }
    print(json.dumps(summary))
    sys.exit(1 if report.failed else 0)


if __name__ == "__main__":
    main()
