"""The API fuzzed from its own OpenAPI spec (schemathesis): no 5xx, responses as documented.

Every operation of ``/api/v1/openapi.json`` gets generated path and query values, valid and
invalid, against an app over a small SQLite store (five real models and one hostile name).
Operations with a ``{name}`` are fuzzed again with a name that exists (and the table endpoints
once more with valid filters), so that generated query values get past the 404. Bounded and
repeatable: 40 derandomised examples per pass, about a minute.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode, checks

MAX_EXAMPLES = 40
REAL_NAMES = {
    "benchmarks": "MTEB(eng, v2)",
    "tasks": "STS12",
    "models": "BAAI/bge-small-en-v1.5",
    "/api/v1/benchmarks/{name}/per-language": "MTEB(Multilingual, v2)",
}
"""Path names that exist, so that the query parameters reach the code behind the 404 check."""
VALID_FILTERS = {"type": "STS,Retrieval", "language": "eng"}
"""Filters the catalog knows, so that generated values of the other parameters are used."""
CHECKS = (
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory, api_source: Path, catalog):  # type: ignore[no-untyped-def]
    from emboard.api.app import create_app
    from emboard.store.db import open_store
    from emboard.store.ingest import ingest

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz-db') / 's.db'}")
    assert ingest(store, api_source, catalog).status == "done"
    yield create_app(store, catalog, web_dir=Path("/nonexistent"))
    store.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)


def _fuzz(operation, mode, failures: list[str], name: str | None = None, query=None) -> None:  # type: ignore[no-untyped-def]
    pinned = {"name": name} if name is not None else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned, query=query)

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=True,
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(checks=list(CHECKS))

    try:
        run()
    except Unsatisfiable:  # nothing invalid to generate (e.g. only a free-text path name)
        pass
    except (Exception, BaseExceptionGroup) as exc:
        where = f"{operation.label} ({mode.value}, name={name}, query={query})"
        failures.append(f"{where}: {exc!r}\n{''.join(traceback.format_exception(exc))}")


@pytest.mark.slow
def test_api_conforms_to_its_openapi_spec(api_schema) -> None:  # type: ignore[no-untyped-def]
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, failures)
            if "{name}" not in operation.path:
                continue
            real = REAL_NAMES.get(operation.path) or REAL_NAMES[operation.path.split("/")[3]]
            _fuzz(operation, mode, failures, real)
            if any(p.name == "type" for p in operation.iter_parameters()):
                _fuzz(operation, mode, failures, real, VALID_FILTERS)
    assert not failures, "\n\n".join(failures)
