"""Model cards: reading MTEB-era ``model-index`` YAML, writing it, merging it into a README.

The real card is all-MiniLM-L6-v2's README (shared seed 003); Hugging Face Hub's own card parser
(``huggingface_hub.ModelCard``) is the independent reader the values are checked against.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from emboard.errors import ResultFormatError
from emboard.results.card_reader import ModelCardResults, read_model_card
from emboard.results.model_card import (
    FRONT_MATTER_END,
    build_model_index,
    merge_metadata,
    parse_dataset_name,
    render_card,
    split_front_matter,
    with_cqadupstack,
)
from emboard.results.parsed import ParsedResult, ScoreEntry
from tests.conftest import SHARED

SEED_CARD = next((SHARED / "seeds").glob("003_*.txt"))


@pytest.fixture(scope="module")
def lookup(catalog):  # type: ignore[no-untyped-def]
    from emboard.tasks.lookup import CatalogTaskLookup

    return CatalogTaskLookup(catalog)


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_CARD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed_read(seed_text, lookup) -> ModelCardResults:  # type: ignore[no-untyped-def]
    return read_model_card(seed_text, source=SEED_CARD.name, tasks=lookup)


def hub_metrics(text: str) -> dict[tuple[str, str, str, str], Any]:
    """(dataset name, config, split, metric) → value as the Hub's card parser reads the card."""
    from huggingface_hub import ModelCard

    data = ModelCard(text).data
    return {
        (r.dataset_name, r.dataset_config, r.dataset_split, r.metric_type): r.metric_value
        for r in data.eval_results
    }


def card_name(result: ParsedResult, entry: ScoreEntry, seed_names: set[str]) -> str:
    """The dataset name the seed card uses for an entry (``(default)`` is left out there)."""
    full = f"MTEB {result.task_name} ({entry.subset})"
    return full if full in seed_names else f"MTEB {result.task_name}"


def flat(read: ModelCardResults) -> dict[tuple[str, str, str, str | None], ScoreEntry]:
    out = {}
    for r in read.results:
        for e in r.entries:
            key = (r.task_name, e.subset, e.split, r.dataset_revision)
            assert key not in out
            out[key] = e
    return out


def same_value(a: float, b: float, tol: float = 1e-12) -> bool:
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol * max(1.0, abs(b))


# --- reading a real card -------------------------------------------------------------------


def test_seed_card_yields_its_95_entries_with_yaml_values_over_100(seed_text, seed_read):  # type: ignore[no-untyped-def]
    hub = hub_metrics(seed_text)
    hub_results = {(n, c, s) for n, c, s, _ in hub}
    assert len(hub_results) == 95
    assert seed_read.n_entries == 95
    assert seed_read.model_name == "all-MiniLM-L6-v2"
    assert seed_read.warnings == ()
    names = {n for n, _, _ in hub_results}
    checked = 0
    for result in seed_read.results:
        assert result.schema == "model-card"
        for entry in result.entries:
            name = card_name(result, entry, names)
            values = {
                m: v
                for (n, c, s, m), v in hub.items()
                if (n, c, s) == (name, entry.subset, entry.split)
            }
            assert set(values) == set(entry.metrics), name
            for metric, value in values.items():
                assert entry.metrics[metric] == value / 100, (name, metric)
                checked += 1
    assert checked == len(hub)


def test_seed_card_task_facts(seed_read, lookup, catalog):  # type: ignore[no-untyped-def]
    for result in seed_read.results:
        assert result.task_name in catalog.tasks
        main_key = lookup.main_score(result.task_name)
        for entry in result.entries:
            assert entry.languages == lookup.languages(result.task_name, entry.subset)
            assert entry.languages
            assert entry.main_score is not None, result.task_name
            legacy = {
                "cosine_spearman": "cos_sim_spearman",
                "map_at_1000": "map",
                "max_over_subqueries_map_at_1000": "map",
            }
            key = main_key if main_key in entry.metrics else legacy[main_key]
            assert entry.main_score == entry.metrics[key]
    by_task = {r.task_name: r for r in seed_read.results}
    assert len(by_task["STS22"].entries) == 18
    assert {e.subset for e in by_task["STS17"].entries} >= {"en-en", "ko-ko"}
    assert by_task["AmazonPolarityClassification"].entries[0].subset == "default"
    assert by_task["MSMARCO"].entries[0].split in {"dev", "test"}


def test_dataset_names_parse() -> None:
    assert parse_dataset_name("MTEB STS17 (en-en)", "en-en") == ("STS17", "en-en")
    assert parse_dataset_name("MTEB SICK-R", "default") == ("SICK-R", "default")
    assert parse_dataset_name("MTEB SICK-R", None) == ("SICK-R", "default")
    assert parse_dataset_name("MTEB STS22 (de-en)", None) == ("STS22", "de-en")
    assert parse_dataset_name("Common Voice (French)", "fr") == ("Common Voice (French)", "fr")


# --- writing and reading back ----------------------------------------------------------------


def test_round_trip_of_the_seed_entries(seed_read, lookup, catalog):  # type: ignore[no-untyped-def]
    index = build_model_index(seed_read.results, catalog.tasks, model_name="all-MiniLM-L6-v2")
    assert index.warnings == ()
    assert len(index.results) == 95  # CQADupstackRetrieval is in the card: no synthetic entry
    assert [r["dataset"]["name"] for r in index.results] == sorted(
        (r["dataset"]["name"] for r in index.results), key=lambda n: n.split(" ")[1]
    )
    card = render_card(index.metadata())
    back = read_model_card(card, source="written", tasks=lookup)
    assert back.warnings == ()
    assert back.model_name == "all-MiniLM-L6-v2"
    before, after = flat(seed_read), flat(back)
    assert set(before) == set(after)
    exact = total = 0
    for key, old in before.items():
        new = after[key]
        assert set(new.metrics) == set(old.metrics)
        assert new.languages == old.languages
        assert new.main_score is not None and old.main_score is not None
        assert same_value(new.main_score, old.main_score)
        for metric, value in old.metrics.items():
            assert same_value(new.metrics[metric], value), (key, metric)
            exact += new.metrics[metric] == value
            total += 1
    assert exact > total * 0.8  # ×100 then ÷100 is exact for most values, within 1 ulp for all


def test_written_card_is_read_by_the_hub_parser(seed_read, catalog):  # type: ignore[no-untyped-def]
    index = build_model_index(seed_read.results, catalog.tasks, model_name="m")
    card = render_card(index.metadata(), "# Body\n")
    hub = hub_metrics(card)
    assert len(hub) == sum(len(r["metrics"]) for r in index.results)
    for result in index.results:
        ds = result["dataset"]
        task = catalog.tasks[parse_dataset_name(ds["name"], ds["config"])[0]]
        assert result["task"]["type"] == task.type
        assert ds["type"] == task.dataset.path
        for metric in result["metrics"]:
            assert hub[(ds["name"], ds["config"], ds["split"], metric["type"])] == metric["value"]
    assert card.endswith("---\n# Body\n")
    assert card.startswith("---\ntags:\n- mteb\nmodel-index:\n- name: m\n")


def entry(split: str, subset: str, main: float | None, **metrics: float) -> ScoreEntry:
    return ScoreEntry(split, subset, ("eng-Latn",), main, dict(metrics))


def test_entries_metrics_percent_and_main_score_last(catalog) -> None:  # type: ignore[no-untyped-def]
    results = [
        ParsedResult(
            "STS12", "rev-sts", "2.0", (entry("test", "default", 0.5, cosine_pearson=0.25),)
        ),
        ParsedResult(
            "AFQMC",
            "rev-a",
            "2.0",
            (entry("validation", "default", 0.1, x=0.1), entry("test", "default", float("nan"))),
        ),
        ParsedResult("NotATask", "r", None, (entry("test", "default", 1.0),)),
        ParsedResult("GPUSpeedTask", "r", None, (entry("test", "default", 1.0),)),
    ]
    index = build_model_index(results, catalog.tasks, model_name="me/model")
    assert [r["dataset"]["name"] for r in index.results] == [
        "MTEB AFQMC (default)",
        "MTEB AFQMC (default)",
        "MTEB STS12 (default)",
    ]
    assert [r["dataset"]["split"] for r in index.results] == ["validation", "test", "test"]
    sts = index.results[2]
    assert sts["task"] == {"type": "STS"}
    assert sts["dataset"] == {
        "type": catalog.tasks["STS12"].dataset.path,
        "name": "MTEB STS12 (default)",
        "config": "default",
        "split": "test",
        "revision": "rev-sts",
    }
    assert sts["metrics"] == [
        {"type": "cosine_pearson", "value": 0.25 * 100},
        {"type": "main_score", "value": 0.5 * 100},
    ]
    assert math.isnan(index.results[1]["metrics"][0]["value"])
    assert any("NotATask" in w for w in index.warnings)
    assert not any("GPUSpeedTask" in w for w in index.warnings)


def test_cqadupstack_synthetic_entry(catalog) -> None:  # type: ignore[no-untyped-def]
    parts = sorted(catalog.tasks["CQADupstackRetrieval"].aggregated_tasks or [])
    assert len(parts) == 12
    results = [
        ParsedResult(
            p, "r", None, (entry("test", "default", 0.1 * (i + 1), ndcg_at_10=0.1 * (i + 1)),)
        )
        for i, p in enumerate(parts)
    ]
    combined = with_cqadupstack(results)[-1]
    assert combined.task_name == "CQADupstackRetrieval"
    assert combined.dataset_revision == "CQADupstackRetrieval_is_a_combined_dataset"
    expected = sum(0.1 * (i + 1) for i in range(12)) / 12
    assert combined.entries[0].main_score == expected
    assert combined.entries[0].metrics == {"ndcg_at_10": expected}
    assert len(with_cqadupstack(results[:11])) == 11
    index = build_model_index(results, catalog.tasks, model_name="m")
    names = [r["dataset"]["name"] for r in index.results]
    assert (
        names.index("MTEB CQADupstackRetrieval (default)")
        == names.index("MTEB CQADupstackProgrammersRetrieval (default)") + 1
    )


# --- merging into an existing README ---------------------------------------------------------


def test_merge_keeps_body_and_unrelated_entries_and_replaces_matching(
    seed_text, seed_read, lookup, catalog
):  # type: ignore[no-untyped-def]
    by_task = {r.task_name: r for r in seed_read.results}
    sts17 = by_task["STS17"]
    changed_sts17 = ParsedResult(
        "STS17",
        "new-rev",
        None,
        tuple(
            entry(e.split, e.subset, 0.99, cosine_spearman=0.99)
            for e in sts17.entries
            if e.subset == "en-en"
        ),
    )
    changed_sts12 = ParsedResult(
        "STS12", "rev12", None, (entry("test", "default", 0.5, cosine_spearman=0.5),)
    )
    new_task = ParsedResult(
        "SciFact-PL", "revpl", None, (entry("test", "default", 0.4, ndcg_at_10=0.4),)
    )
    index = build_model_index(
        [changed_sts17, changed_sts12, new_task], catalog.tasks, model_name="all-MiniLM-L6-v2"
    )
    front, body = split_front_matter(seed_text, source="README.md")
    merged = merge_metadata(front, index, source="README.md")
    card = render_card(merged, body)
    assert card.endswith(seed_text[seed_text.index(FRONT_MATTER_END) + len(FRONT_MATTER_END) :])
    assert merged["tags"] == front["tags"]  # already tagged mteb
    assert merged["license"] == front["license"] and merged["datasets"] == front["datasets"]
    back = flat(read_model_card(card, source="merged", tasks=lookup))
    old = flat(seed_read)
    assert len(back) == 95 + 1  # STS17 en-en and STS12 replaced in place, SciFact-PL added
    assert back[("STS17", "en-en", "test", "new-rev")].metrics == {"cosine_spearman": 0.99}
    assert back[("STS12", "default", "test", "rev12")].main_score == 0.5
    assert ("SciFact-PL", "default", "test", "revpl") in back
    for key, value in old.items():
        if key[:2] in {("STS17", "en-en"), ("STS12", "default")}:
            assert key not in back
        else:
            assert back[key] == value
    names = [r["dataset"]["name"] for r in merged["model-index"][0]["results"]]
    assert names.index("MTEB STS12 (default)") < names.index("MTEB STS13")  # kept its place


def test_merge_into_readme_without_front_matter_or_model_index(catalog) -> None:  # type: ignore[no-untyped-def]
    index = build_model_index(
        [ParsedResult("STS12", "r", None, (entry("test", "default", 0.5),))],
        catalog.tasks,
        model_name="m",
    )
    front, body = split_front_matter("# Title\n\nText --- not YAML\n", source="R.md")
    assert front == {} and body == "# Title\n\nText --- not YAML\n"
    merged = merge_metadata({"tags": "foo", "license": "mit"}, index, source="R.md")
    assert merged["tags"] == ["foo", "mteb"]
    assert merged["model-index"] == index.metadata()["model-index"]
    with pytest.raises(ResultFormatError, match=r"model-index\[0\]\.name.*'other'"):
        merge_metadata({"model-index": [{"name": "other", "results": []}]}, index, source="R.md")


# --- bad cards ---------------------------------------------------------------------------------

GOOD_RESULT = """\
  - task:
      type: STS
    dataset:
      type: mteb/sts12-sts
      name: MTEB STS12
      config: default
      split: test
      revision: a0d554a64d88156834ff5ae9920b964011b16384
    metrics:
    - type: cos_sim_spearman
      value: 72.5
"""


def card(front: str) -> str:
    return f"---\n{front}---\n# Model\n"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (card("tags: [mteb\nlicense: mit\n"), r"src\.md: front matter is not valid YAML"),
        (card("license: mit\n"), r"src\.md: field model-index: missing"),
        ("# A README without front matter\n", r"src\.md: field model-index: missing"),
        (card("- a\n- b\n"), r"src\.md: front matter must be a mapping"),
        (card("model-index: []\n"), r"src\.md: field model-index: expected a non-empty list"),
        (
            card(
                "model-index:\n- name: m\n  results:\n"
                + GOOD_RESULT.replace("      name: MTEB STS12\n", "")
            ),
            r"src\.md: field model-index\[0\]\.results\[0\]\.dataset\.name: Field required",
        ),
        (
            card(
                "model-index:\n- name: m\n  results:\n"
                + GOOD_RESULT.replace("config: default", "config: no")
            ),
            r"src\.md: field model-index\[0\]\.results\[0\]\.dataset\.config: .*got False",
        ),
        (
            card(
                "model-index:\n- name: m\n  results:\n"
                + GOOD_RESULT.replace("    - type: cos_sim", "    - typo: cos_sim")
            ),
            r"src\.md: field model-index\[0\]\.results\[0\]\.metrics\[0\]\.type: Field required",
        ),
    ],
)
def test_bad_cards_raise_naming_source_and_field(text: str, pattern: str, lookup) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ResultFormatError, match=pattern):
        read_model_card(text, source="src.md", tasks=lookup)


def test_unknown_tasks_and_odd_values_are_kept_and_warned(lookup) -> None:  # type: ignore[no-untyped-def]
    extra = GOOD_RESULT.replace("MTEB STS12", "MTEB NoSuchTask (xx)").replace(
        "config: default", "config: xx"
    )
    odd = GOOD_RESULT.replace("value: 72.5", "value: 20.0 ± 1.2").replace("      split: test\n", "")
    read = read_model_card(
        card(
            "model-index:\n- name: m\n  results:\n"
            + GOOD_RESULT
            + extra
            + odd.replace("STS12", "STS13")
        ),
        source="src.md",
        tasks=lookup,
    )
    tasks = {r.task_name: r for r in read.results}
    assert tasks["STS12"].entries[0].main_score == 0.725
    assert tasks["STS12"].entries[0].languages == ("eng-Latn",)
    unknown = tasks["NoSuchTask"].entries[0]
    assert (unknown.subset, unknown.main_score, unknown.languages) == ("xx", None, ())
    assert unknown.metrics == {"cos_sim_spearman": 0.725}
    sts13 = tasks["STS13"].entries[0]
    assert sts13.split == "test" and sts13.details == {"cos_sim_spearman": "20.0 ± 1.2"}
    text = "\n".join(read.warnings)
    assert "unknown task 'NoSuchTask'" in text
    assert "not a number" in text and "no dataset.split" in text
