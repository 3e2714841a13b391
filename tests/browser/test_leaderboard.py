"""The leaderboard in Chromium against a running ``emboard serve``: every user-facing path."""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.integration.api.conftest import XSS_NAME

pytestmark = pytest.mark.browser
ROWS = "[data-testid=leaderboard] tbody tr"


def _open(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector(ROWS)
    expect(page.get_by_test_id("row-count")).to_contain_text("models")


def _models(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(f"{ROWS} [data-testid=model-link]").all_inner_texts()


def _headers(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        h.replace(" ▼", "").replace(" ▲", "")
        for h in page.locator("[data-testid=leaderboard] thead button.sort").all_inner_texts()
    ]


def _column(page, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    j = _headers(page).index(name) + 2  # nth-child is 1-based and the pin column comes first
    return page.locator(f"{ROWS} td:nth-child({j})").all_inner_texts()


def _api(server: str, path: str):  # type: ignore[no-untyped-def]
    with urllib.request.urlopen(server + path) as res:
        return json.loads(res.read())


def test_load_and_switch_benchmark(server, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/")
    assert "BAAI/bge-small-en-v1.5" in _models(page) and len(_models(page)) == 6
    assert _headers(page)[:2] == ["Rank (Borda)", "Model"]
    page.select_option("[data-testid=benchmark-select]", "MTEB(Multilingual, v2)")
    page.wait_for_url("**b=MTEB%28Multilingual*")
    expect(page.locator(ROWS).first).to_be_visible()
    page.get_by_role("button", name="Per language").click()
    page.wait_for_url("**view=per-language**")
    page.wait_for_selector(ROWS)
    assert "minishlab/potion-base-8M" in _models(page)


def test_filter_and_sort(server, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/")
    page.check("[data-testid=type-Retrieval]")
    page.wait_for_url("**type=Retrieval**")
    expect(page.locator("thead button.sort", has_text=re.compile(r"^STS$"))).to_have_count(0)
    assert "Retrieval" in _headers(page)
    page.select_option("[data-testid=max-params]", "1B")
    page.select_option("[data-testid=min-params]", "100M")
    expect(page.locator(".empty")).to_be_visible()  # no model here has ≥100M parameters
    page.select_option("[data-testid=min-params]", "")
    page.wait_for_selector(ROWS)
    page.fill("[data-testid=search]", "small")
    page.wait_for_url("**q=small**")
    expect(page.locator(ROWS)).to_have_count(3)
    assert all("small" in m for m in _models(page))
    page.fill("[data-testid=search]", "")
    expect(page.locator(ROWS)).to_have_count(6)
    page.click("thead button[data-column='Total Parameters (B)']")
    page.wait_for_url("**sort=Total**")
    values = [float(v) for v in _column(page, "Total Parameters (B)")]
    assert values == sorted(values, reverse=True)
    page.click("thead button[data-column='Total Parameters (B)']")
    page.wait_for_url("**dir=asc**")
    values = [float(v) for v in _column(page, "Total Parameters (B)")]
    assert values == sorted(values)


def test_hostile_model_name_is_text(server, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/")
    assert XSS_NAME in _models(page)
    assert page.locator("[data-testid=leaderboard] img").count() == 0
    page.get_by_role("button", name=XSS_NAME, exact=True).click()
    page.wait_for_selector("[data-testid=model-results] tbody tr")
    assert page.inner_text("[data-testid=model-name]") == XSS_NAME
    assert page.locator("img").count() == 0
    assert not page.console.dialogs


def test_model_page(server, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/")
    page.get_by_role("button", name="BAAI/bge-small-en-v1.5", exact=True).click()
    page.wait_for_url("**view=model**")
    page.wait_for_selector("[data-testid=model-results] tbody tr")
    meta = page.inner_text("[data-testid=model-meta]")
    assert "33400000" in meta and "n_parameters" in meta
    results = page.inner_text("[data-testid=model-results]")
    assert "ArguAna" in results and "directory" in results and "BAAI__bge-small-en-v1.5/" in results
    assert page.locator("[data-testid=model-history]").count() == 1
    page.click("[data-testid=back]")
    page.wait_for_selector(ROWS)


def test_pin_and_compare(server, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/")
    for name in ("BAAI/bge-small-en-v1.5", "thenlper/gte-small"):
        page.click(f"{ROWS}[data-model='{name}'] button.pin")
    page.wait_for_url("**pin=thenlper**")
    assert page.inner_text("[data-testid=compare-button]") == "Compare (2)"
    page.click("[data-testid=compare-button]")
    page.wait_for_selector("[data-testid=compare] tbody tr")
    text = page.inner_text("[data-testid=compare]")
    assert "BAAI/bge-small-en-v1.5" in text and "thenlper/gte-small" in text
    assert "Mean (Task)" in text and "ArguAna" in text
    summary = _api(server, "/api/v1/benchmarks/" + quote("MTEB(eng, v2)") + "/summary")
    j = summary["columns"].index("Mean (Task)")
    bge = next(r for r in summary["rows"] if r[1] == "BAAI/bge-small-en-v1.5")
    row = page.locator("[data-testid=compare] tbody tr", has_text="Mean (Task)").first
    assert f"{bge[j] * 100:.2f}" in row.inner_text()


def test_metric_tab_and_csv_export(server, page) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/?view=per-task&tab=Retrieval")
    page.select_option("[data-testid=metric-select]", "recall_at_100")
    page.wait_for_url("**metric=recall_at_100**")
    expect(page.get_by_test_id("row-count")).to_contain_text("models")
    api = _api(
        server, "/api/v1/benchmarks/" + quote("MTEB(eng, v2)") + "/per-task?metric=recall_at_100"
    )
    with page.expect_download() as info:
        page.click("[data-testid=export-csv]")
    download = info.value
    assert download.suggested_filename == "MTEB_eng_v2-per-task-Retrieval.csv"
    rows = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert rows[0] == _headers(page)
    assert all(api["task_types"][c] == "Retrieval" for c in rows[0][1:])
    assert [r[0] for r in rows[1:]] == _models(page)
    j = api["columns"].index("ArguAna")
    expected = {r[0]: r[j] for r in api["rows"]}
    k = rows[0].index("ArguAna")
    assert {r[0]: float(r[k]) for r in rows[1:]} == expected


def test_shared_url_restores_the_view(server, page, browser) -> None:  # type: ignore[no-untyped-def]
    _open(page, server + "/")
    page.get_by_role("button", name="Per task").click()
    page.get_by_role("tab", name="STS").click()
    page.select_option("[data-testid=open-weights]", "true")
    page.click(f"{ROWS}[data-model='intfloat/e5-small-v2'] button.pin")
    page.click("thead button[data-column='STS12']")
    page.wait_for_url("**sort=STS12**")
    expect(page.get_by_test_id("row-count")).to_contain_text("models")
    url, headers, models = page.url, _headers(page), _models(page)
    other = new_page(browser)
    _open(other, url)
    assert _headers(other) == headers and _models(other) == models
    assert other.get_by_role("tab", name="STS").get_attribute("aria-selected") == "true"
    assert other.input_value("[data-testid=open-weights]") == "true"
    assert other.inner_text("[data-testid=compare-button]") == "Compare (1)"
    other.reload()
    other.wait_for_selector(ROWS)
    assert _models(other) == models
    other.context.close()


def test_phone_viewport(server, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=390, height=844)
    _open(page, server + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    assert not page.is_visible("[data-testid=search]")  # filters start folded on a phone
    page.click("aside.filters summary")
    assert page.is_visible("[data-testid=search]")
    page.click(f"{ROWS}[data-model='BAAI/bge-small-en-v1.5'] [data-testid=model-link]")
    page.wait_for_selector("[data-testid=model-results] tbody tr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
