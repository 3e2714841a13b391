"""The encode-only floor: load a model, then time encoding a list of unique texts once.

The floor is plain ``SentenceTransformer.encode`` with its own batching (emboard's encoder calls
it as it is; if that ever changes, this script must call sentence-transformers directly), with
malloc as it comes (its fastest: a fixed mmap threshold, emboard's default, trades encode time for
memory; ``--mmap-threshold`` measures that trade).

python benchmarks/encode_floor.py --model PATH --texts FILE [--mmap-threshold BYTES]   (FILE from emboard_side --dump-texts)
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--texts", required=True, type=Path)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--mmap-threshold", type=int, default=0, help="glibc mmap threshold, 0: malloc's own"
    )
    args = parser.parse_args()

    from emboard.heap import limit_heap_growth
    from emboard.models.loader import load_model

    limit_heap_growth(args.mmap_threshold or None)

    encoder = load_model(args.model)
    with args.texts.open() as lines:  # JSON lines, one [prompt, texts] per encoded block
        blocks = [json.loads(line) for line in lines]
    n = sum(len(texts) for _, texts in blocks)
    start = time.perf_counter()
    for prompt, texts in blocks:
        encoder.encode(texts, prompt=prompt, prompt_type=None, batch_size=args.batch_size)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"encode_s": seconds, "n_texts": n, "peak_rss_mb": rss}))


if __name__ == "__main__":
    main()
