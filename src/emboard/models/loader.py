"""Load a model by Hub id or local folder and attach its metadata.

The kind of model is read from its files: a ``config.json`` with ``model_type: model2vec`` is a
static model (model2vec), anything else loads with sentence-transformers. Hub ids are fetched
with ``huggingface_hub`` at the requested revision (``HF_HUB_OFFLINE=1`` uses the local cache
only); a local folder is used as it is.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Literal

from emboard.errors import ModelError
from emboard.models.protocol import Encoder
from emboard.tasks.metadata import ModelMeta

logger = logging.getLogger(__name__)

ModelKind = Literal["auto", "model2vec", "sentence-transformers"]
NO_REVISION = "no_revision_available"


def detect_kind(folder: Path) -> Literal["model2vec", "sentence-transformers"]:
    """The loader a model folder needs, from its config.json."""
    config = folder / "config.json"
    if config.is_file():
        try:
            model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
        except (json.JSONDecodeError, AttributeError) as exc:
            raise ModelError(f"{config}: not a JSON object ({exc})") from exc
        if model_type == "model2vec":
            return "model2vec"
    return "sentence-transformers"


def _fetch(model_id: str, revision: str | None) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(model_id, revision=revision))
    except Exception as exc:  # offline, unknown repo, bad revision
        raise ModelError(
            f"Cannot fetch model {model_id!r} (revision {revision or 'latest'}) from the Hugging "
            f"Face Hub: {exc}. Pass a local folder instead, or set HF_HUB_OFFLINE=1 with the "
            "model in the local cache."
        ) from exc


def _meta(
    name: str,
    revision: str | None,
    described: dict[str, Any],
    registered: ModelMeta | None,
) -> ModelMeta:
    """Registered metadata wins; what the loaded model shows fills the gaps."""
    base = registered.model_dump() if registered else {}
    merged = {**described, **{k: v for k, v in base.items() if v not in (None, [], {})}}
    merged["name"] = name
    merged["revision"] = revision or (registered.revision if registered else None) or NO_REVISION
    return ModelMeta.model_validate(merged)


def load_model(
    model: str,
    *,
    name: str | None = None,
    revision: str | None = None,
    kind: ModelKind = "auto",
    device: str | None = None,
    registered: ModelMeta | None = None,
) -> Encoder:
    """An encoder for a Hub id or a local folder.

    ``name``/``revision`` are what results are filed under: by default the Hub id and its
    requested revision, or for a local folder its folder name and ``no_revision_available``.
    ``registered`` is the catalog's metadata for that name, when the model is registered.
    """
    path = Path(model).expanduser()
    local = path.is_dir()
    folder = path if local else _fetch(model, revision)
    model_name = name or (path.name if local else model)
    if kind == "auto":
        kind = detect_kind(folder)
    try:
        if kind == "model2vec":
            from model2vec import StaticModel

            from emboard.models import static

            m2v = StaticModel.from_pretrained(str(folder))
            return static.StaticModelEncoder(
                m2v, _meta(model_name, revision, static.describe(m2v), registered)
            )
        from sentence_transformers import SentenceTransformer

        from emboard.models import sentence_transformer as st

        st_model = SentenceTransformer(str(folder), device=device, local_files_only=True)
    except ModelError:
        raise
    except Exception as exc:  # any loader failure: corrupt weights, missing files, ...
        raise ModelError(f"Cannot load model {model!r} as {kind}: {exc}") from exc
    return st.SentenceTransformerEncoder(
        st_model, _meta(model_name, revision, st.describe(st_model), registered)
    )
