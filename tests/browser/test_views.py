"""Plots, heatmap, task page, domain/modality filters and linked descriptions in Chromium."""

from __future__ import annotations

import gzip
import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page, serving
from tests.conftest import CATALOG_FILE
from tests.integration.api.conftest import XSS_NAME

pytestmark = pytest.mark.browser
ENG = "/api/v1/benchmarks/" + quote("MTEB(eng, v2)")
POINTS = "[data-testid=plot-point]"
ROWS = "[data-testid=leaderboard] tbody tr"
IMAGE_MODELS = ("openai__clip-vit-base-patch32", "google__siglip-large-patch16-384")
HOSTILE_DESCRIPTION = (
    "See [the paper](https://arxiv.org/abs/2504.10471), [a trap](javascript:alert(1)), "
    "[data](data:text/html,<b>x</b>) and <img src=x onerror=alert(2)> [ok](http://example.org/a)."
)


def _api(server: str, path: str, **params: str):  # type: ignore[no-untyped-def]
    query = f"?{urlencode(params)}" if params else ""
    with urllib.request.urlopen(server + path + query) as res:
        return json.loads(res.read())


def _query(page) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return parse_qs(urlparse(page.url).query)


def _pareto(points: list[tuple[str, float, float]]) -> set[str]:
    """Models no other model dominates (at most as large and at least as good, one strictly)."""
    return {
        name
        for name, x, y in points
        if not any(
            qx <= x and qy >= y and (qx < x or qy > y) for other, qx, qy in points if other != name
        )
    }


def _expected_points(server: str, key: str, **filters: str) -> list[tuple[str, float, float]]:
    body = _api(server, f"{ENG}/points", **filters)
    return [
        (p["model"], p[key], p["score"])
        for p in body["points"]
        if p["score"] is not None and p[key] is not None
    ]


def _shown_points(page) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    page.wait_for_selector(POINTS)
    return page.eval_on_selector_all(
        POINTS,
        "els => Object.fromEntries(els.map(e => [e.dataset.model, e.dataset.pareto === 'true']))",
    )


def test_plot_points_and_pareto_front(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=plot&type=STS")
    expected = _expected_points(server, "n_parameters", type="STS")
    shown = _shown_points(page)
    assert len(expected) >= 4 and set(shown) == {name for name, _, _ in expected}
    front = _pareto(expected)
    assert front and {m for m, on in shown.items() if on} == front
    assert page.locator("[data-testid=pareto-table] tbody tr").count() == len(front)
    expect(page.get_by_test_id("plot-note")).to_contain_text(f"{len(expected)} models plotted")
    # A filter changes the points: only the "small" models remain.
    page.fill("[data-testid=search]", "small")
    page.wait_for_url("**q=small**")
    small = _expected_points(server, "n_parameters", type="STS", search="small")
    expect(page.locator(POINTS)).to_have_count(len(small))
    assert 0 < len(small) < len(expected)
    # Memory on the x axis.
    page.click("[data-testid=plot-memory]")
    page.wait_for_url("**x=memory**")
    by_memory = _expected_points(server, "memory_mb", type="STS", search="small")
    expect(page.locator(POINTS)).to_have_count(len(by_memory))
    shown = _shown_points(page)
    assert {m for m, on in shown.items() if on} == _pareto(by_memory)


def test_plot_hover_click_and_hostile_name(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=plot")
    page.wait_for_selector(POINTS)
    page.locator(f"{POINTS}[data-model='{XSS_NAME}']").focus()  # it hides under gte-small
    expect(page.get_by_test_id("plot-tip")).to_contain_text(XSS_NAME)
    page.locator(f"{POINTS}[data-model='minishlab/potion-base-8M']").hover()
    expect(page.get_by_test_id("plot-tip")).to_contain_text("minishlab/potion-base-8M")
    assert page.locator("img").count() == 0 and not page.console.dialogs
    page.locator(f"{POINTS}[data-model='BAAI/bge-small-en-v1.5']").click()
    page.wait_for_url("**view=model**")
    assert page.inner_text("[data-testid=model-name]") == "BAAI/bge-small-en-v1.5"
    page.go_back()
    page.wait_for_selector(POINTS)


def test_plot_keyboard(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=plot")
    page.wait_for_selector(POINTS)
    page.focus("[data-testid=plot-memory]")
    page.keyboard.press("Tab")  # the plot is one tab stop; arrows move inside it
    first = page.evaluate("document.activeElement.dataset.model")
    assert first and page.evaluate("document.activeElement.dataset.index") == "0"
    expect(page.get_by_test_id("plot-tip")).to_contain_text(first)
    page.keyboard.press("End")
    last = page.evaluate("document.activeElement.dataset.model")
    assert last != first
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.dataset.index") == str(
        page.locator(POINTS).count() - 2
    )
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.dataset.model") == first
    page.keyboard.press("Enter")
    page.wait_for_url("**view=model**")
    assert page.inner_text("[data-testid=model-name]") == first


def test_heatmap(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=heatmap")
    page.wait_for_selector("[data-testid=heatmap-row]")
    table = _api(server, f"{ENG}/per-task")
    tasks = [c for c in table["columns"] if c in table["task_types"]]
    assert page.locator("[data-testid=heatmap-row]").count() == table["n_rows"] == 6
    assert page.locator("[data-testid=heatmap-task]").all_inner_texts() == tasks
    columns = [table["columns"].index(t) for t in tasks]
    values = sum(1 for r in table["rows"] for j in columns if r[j] is not None)
    assert page.locator("[data-testid=heatmap-row] td[data-score]").count() == values
    cell = page.locator(
        "[data-testid=heatmap-row][data-model='BAAI/bge-small-en-v1.5'] td[data-score]"
    ).first
    j, m = table["columns"].index(tasks[0]), table["columns"].index("Model")
    bge = next(r for r in table["rows"] if r[m] == "BAAI/bge-small-en-v1.5")
    assert float(cell.get_attribute("data-score")) == bge[j]
    assert cell.inner_text() == str(round(bge[j] * 100))
    page.get_by_role("tab", name="STS").click()
    page.wait_for_url("**tab=STS**")
    sts = [t for t in tasks if table["task_types"][t] == "STS"]
    expect(page.locator("[data-testid=heatmap-task]")).to_have_count(len(sts))
    page.reload()
    page.wait_for_selector("[data-testid=heatmap-row]")
    assert page.locator("[data-testid=heatmap-task]").all_inner_texts() == sts
    page.get_by_role("link", name="STS12", exact=True).click()
    page.wait_for_url("**view=task**")
    expect(page.get_by_test_id("task-name")).to_have_text("STS12")


def test_task_page(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=per-task&tab=STS")
    page.wait_for_selector(ROWS)
    page.click("[data-testid=task-link][data-task='STS12']")
    page.wait_for_url("**view=task**")
    assert _query(page)["task"] == ["STS12"]
    page.wait_for_selector("[data-testid=task-top] tbody tr")
    meta = page.inner_text("[data-testid=task-meta]")
    task = _api(server, "/api/v1/tasks/STS12")
    for text in ("STS", "cosine_spearman", "test", "eng-Latn", "MTEB(eng, v2)"):
        assert text in meta, text
    dataset = page.locator("[data-testid=task-dataset] a")
    assert dataset.inner_text() == "mteb/sts12-sts"
    assert dataset.get_attribute("href") == task["dataset_url"]
    assert task["metadata"]["dataset"]["revision"] in page.inner_text("[data-testid=task-dataset]")
    description = task["metadata"]["description"]
    assert page.inner_text("[data-testid=task-description]") == description
    scores = _api(server, "/api/v1/tasks/STS12/scores", benchmark="MTEB(eng, v2)", limit="20")
    top = page.locator("[data-testid=task-top] tbody tr")
    assert top.count() == scores["n_models"] == 6
    names = [top.nth(i).get_attribute("data-model") for i in range(top.count())]
    assert names == [t["model"] for t in scores["top"]]
    assert top.first.locator("td").last.inner_text() == f"{scores['top'][0]['score'] * 100:.2f}"
    bars = page.locator("[data-testid=histogram-bar]")
    assert bars.count() == 20
    counts = [int(bars.nth(i).get_attribute("data-count")) for i in range(20)]
    assert counts == scores["histogram"]["counts"] and sum(counts) == 6
    # Every stored result instead of the benchmark's table; the URL keeps the choice.
    page.select_option("[data-testid=task-scope]", "all")
    page.wait_for_url("**scope=all**")
    page.reload()
    page.wait_for_selector("[data-testid=histogram-bar]")
    assert page.input_value("[data-testid=task-scope]") == "all"
    page.locator(f"[data-testid=task-top] tbody tr[data-model='{XSS_NAME}'] a").click()
    page.wait_for_url("**view=model**")
    assert page.inner_text("[data-testid=model-name]") == XSS_NAME
    assert page.locator("img").count() == 0 and not page.console.dialogs


def test_task_page_outside_the_benchmark(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=task&task=SciFact")
    page.wait_for_selector("[data-testid=task-top] tbody tr")
    assert page.is_disabled("[data-testid=task-scope]")  # SciFact is not in MTEB(eng, v2)
    scores = _api(server, "/api/v1/tasks/SciFact/scores", limit="20")
    assert page.locator("[data-testid=task-top] tbody tr").count() == scores["n_models"]
    page.click("[data-testid=back]")
    page.wait_for_selector(ROWS)
    assert "view" not in _query(page)


def test_domain_filter(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=per-task")
    page.wait_for_selector(ROWS)
    before = page.locator("[data-testid=task-link]").count()
    page.check("[data-testid='domain-Medical']")
    page.wait_for_url("**domain=Medical**")
    medical = _api(server, f"{ENG}/per-task", domain="Medical")
    tasks = [c for c in medical["columns"] if c in medical["task_types"]]
    expect(page.locator("[data-testid=task-link]")).to_have_count(len(tasks))
    assert 0 < len(tasks) < before
    assert (
        page.locator("[data-testid=task-link]").evaluate_all("els => els.map(e => e.dataset.task)")
        == tasks
    )
    page.reload()
    page.wait_for_selector(ROWS)
    assert page.is_checked("[data-testid='domain-Medical']")
    expect(page.locator("[data-testid=task-link]")).to_have_count(len(tasks))


def _hostile_catalog(path: Path) -> Path:
    """The shared catalog with MIEB(lite)'s description full of links good and bad."""
    with gzip.open(CATALOG_FILE, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    bench = next(b for b in raw["benchmarks"] if b["name"] == "MIEB(lite)")
    bench["description"] = HOSTILE_DESCRIPTION
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(raw, fh)
    return path


@pytest.fixture(scope="module")
def image_server(tmp_path_factory, snapshot_results: Path, catalog) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second server over two image-text models (MIEB results: tasks of several modalities),
    its catalog giving MIEB(lite) a hostile description."""
    root = tmp_path_factory.mktemp("browser-image")
    for model in IMAGE_MODELS:
        shutil.copytree(snapshot_results / model, root / "source" / "results" / model)
    hostile = _hostile_catalog(root / "catalog.json.gz")
    with serving(root / "source", root, catalog, "--catalog", str(hostile)) as base:
        yield base


def test_modality_filter(image_server, page) -> None:  # type: ignore[no-untyped-def]
    bench = quote("MIEB(lite)")
    page.goto(image_server + f"/?b={bench}&view=per-task")
    page.wait_for_selector(ROWS)
    path = f"/api/v1/benchmarks/{bench}/per-task"
    every, text = _api(image_server, path), _api(image_server, path, modality="text")
    tasks = [c for c in text["columns"] if c in text["task_types"]]
    assert 0 < len(tasks) < len([c for c in every["columns"] if c in every["task_types"]])
    page.check("[data-testid='modality-text']")  # drops the image-only tasks
    page.wait_for_url("**modality=text**")
    expect(page.locator("[data-testid=task-link]")).to_have_count(len(tasks))
    page.reload()
    page.wait_for_selector(ROWS)
    assert page.is_checked("[data-testid='modality-text']")
    assert not page.is_checked("[data-testid='modality-image']")
    expect(page.locator("[data-testid=task-link]")).to_have_count(len(tasks))


def test_hostile_description_links_are_text(image_server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(image_server + "/?b=" + quote("MIEB(lite)"))
    page.wait_for_selector(ROWS)
    description = page.get_by_test_id("benchmark-description")
    links = description.locator("a")
    hrefs = links.evaluate_all("els => els.map(e => [e.textContent, e.getAttribute('href')])")
    assert hrefs == [
        ["the paper", "https://arxiv.org/abs/2504.10471"],
        ["ok", "http://example.org/a"],
    ]
    text = description.inner_text()
    assert "[a trap](javascript:alert(1))" in text and "<img src=x onerror=alert(2)>" in text
    assert page.locator("img, b").count() == 0 and not page.console.dialogs


def test_benchmark_description_links(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    page.wait_for_selector(ROWS)
    description = page.get_by_test_id("benchmark-description")
    assert "](" not in description.inner_text()
    link = description.locator("a")
    assert link.count() == 1 and link.inner_text() == "MTEB(eng, v1)"
    assert link.get_attribute("href").startswith("http://mteb-leaderboard.hf.space/")


def test_views_restore_from_a_shared_url(server, page, browser) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    page.wait_for_selector(ROWS)
    page.get_by_role("button", name="Plot", exact=True).click()
    page.check("[data-testid=type-Retrieval]")
    page.click("[data-testid=plot-memory]")
    page.wait_for_url("**x=memory**")
    shown = _shown_points(page)
    other = new_page(browser)
    other.goto(page.url)
    assert _shown_points(other) == shown
    assert other.get_attribute("[data-testid=plot-memory]", "aria-selected") == "true"
    assert other.is_checked("[data-testid=type-Retrieval]")
    other.context.close()


def test_keyboard_reaches_tasks_and_models(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=per-task")
    page.wait_for_selector(ROWS)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")  # the first control of the content: the "All" task-type tab
    assert page.evaluate("document.activeElement.textContent") == "All"
    page.focus("[data-testid=task-link][data-task='STS12']")
    page.keyboard.press("Enter")
    page.wait_for_url("**view=task**")
    link = page.locator("[data-testid=task-top] tbody tr a").first
    name = link.inner_text()
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**view=model**")
    assert page.inner_text("[data-testid=model-name]") == name
    page.goto(server + "/?view=heatmap")
    page.wait_for_selector("[data-testid=heatmap-row]")
    page.locator("[data-testid=heatmap-task]").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**view=task**")
    expect(page.get_by_test_id("task-name")).to_have_text("ArguAna")


@pytest.mark.parametrize(
    ("query", "selector"),
    [
        ("?view=plot", POINTS),
        ("?view=heatmap", "[data-testid=heatmap-row]"),
        ("?view=task&task=STS12", "[data-testid=histogram-bar]"),
    ],
)
def test_phone_layout_of_the_new_views(server, browser, query: str, selector: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=390, height=844)
    page.goto(server + "/" + query)
    page.wait_for_selector(selector)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_compare_rows_link_to_task_pages(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=compare&pin=" + quote("BAAI/bge-small-en-v1.5", safe=""))
    page.wait_for_selector("[data-testid=compare] tbody tr")
    link = page.locator("[data-testid=compare] tbody th a", has_text="STS12")
    assert "view=task" in link.get_attribute("href") and "task=STS12" in link.get_attribute("href")
    link.click()
    page.wait_for_url("**view=task**")
    expect(page.get_by_test_id("task-name")).to_have_text("STS12")
    page.click("[data-testid=back]")
    page.wait_for_url("**view=compare**")
    page.wait_for_selector("[data-testid=compare] tbody tr")


def test_model_page_links_its_tasks(server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?view=model&model=" + quote("BAAI/bge-small-en-v1.5", safe=""))
    page.wait_for_selector("[data-testid=model-results] tbody tr")
    results = page.get_by_test_id("model-results")
    results.get_by_role("link", name="SciFact", exact=True).first.click()
    page.wait_for_url("**task=SciFact")
    page.wait_for_selector("[data-testid=task-top] tbody tr[data-model='BAAI/bge-small-en-v1.5']")
    page.go_back()
    page.wait_for_selector("[data-testid=model-results] tbody tr")
    assert page.inner_text("[data-testid=model-name]") == "BAAI/bge-small-en-v1.5"
