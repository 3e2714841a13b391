"""The pack codec of ``store/pack.py``."""

from __future__ import annotations

import math

from emboard.store.pack import pack_scores, unpack_key, unpack_records


def test_pack_round_trip() -> None:
    entries = [
        ("test", "en", '["eng-Latn"]', 0.5, "{}", None),
        ("test", "de", ["deu-Latn"], None, "{}", None),
        ("dev", "en", ("eng-Latn",), math.inf, "{}", None),
        ("test", "en", '["eng-Latn"]', 0.25, "{}", None),  # a subset listed twice
    ]
    packed, keys = pack_scores(entries)
    second, _ = pack_scores([("test", "default", "[]", 1.0)])
    scores, hashes = unpack_records([packed, b"", second])
    assert scores[[0, 2, 3, 4]].tolist() == [0.5, math.inf, 0.25, 1.0]
    assert math.isnan(scores[1])
    assert hashes[0] == hashes[3] and len(set(hashes.tolist())) == 4
    assert [unpack_key(keys[h]) for h in hashes[:4].tolist()] == [
        ("test", "en", ("eng-Latn",)),
        ("test", "de", ("deu-Latn",)),
        ("dev", "en", ("eng-Latn",)),
        ("test", "en", ("eng-Latn",)),
    ]


def test_empty_file() -> None:
    packed, keys = pack_scores([])
    assert packed == b"" and keys == {}
    scores, hashes = unpack_records([])
    assert len(scores) == len(hashes) == 0
