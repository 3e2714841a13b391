"""The one place that reads emboard's environment variables (``EMBOARD_*``)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    """Configuration, from ``EMBOARD_*`` variables; passed down, never read at import time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog: Path | None = None
    """MTEB catalog file (``mteb-catalog.json.gz`` format); ``EMBOARD_CATALOG``."""
    cache_dir: Path = Path.home() / ".cache" / "emboard"
    """Where exported catalogs and caches live; ``EMBOARD_CACHE_DIR``."""
    data_dir: Path | None = None
    """Local task data (one folder per task); ``EMBOARD_DATA_DIR``. Unset = Hugging Face Hub."""
    database_url: str | None = None
    """Results store; ``EMBOARD_DATABASE_URL``."""
    embedding_cache: Path | None = None
    """Persistent embedding cache folder, reused across runs; ``EMBOARD_EMBEDDING_CACHE``.
    Unset = each run keeps its embeddings in temporary files under ``cache_dir``."""


def get_settings(environ: dict[str, str] | None = None) -> Settings:
    """Settings from the environment (or from ``environ`` in tests)."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    for field in Settings.model_fields:
        raw = env.get(f"EMBOARD_{field.upper()}")
        if raw:
            values[field] = raw
    return Settings.model_validate(values)
