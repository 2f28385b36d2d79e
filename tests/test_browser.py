"""The report page in a real headless Chromium: it loads from file:// without errors, its filters
and sorting work by clicking, and its charts draw one mark per contested claim.

Needs Debian's ``chromium`` (or ``CLAIMS_CHROMIUM`` pointing at a Chromium binary) and the
``playwright`` package; Playwright's own browser download is never used. Without them the
browser tests skip and say why; the chart's markup is still checked without a browser.

``CLAIMS_WRITE_SCREENSHOT=1`` also writes docs/screenshot.png, of the report named by
``CLAIMS_SCREENSHOT_OF`` (e.g. reports/latest.html after ``claims run seeds/``) or else of the
test report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from builders import publish_state, quantity_claim

from claims.models import Document, QuantityClaim, Relation, Rule
from claims.report import write_report
from claims.report.chart import compact_number, date_ticks, nice_ticks
from claims.store import Store

REPO = Path(__file__).resolve().parents[1]
VIEWPORT = {"width": 1280, "height": 1720}

# doc_id: (outlet, published, text)
DOCS = {
    "reuters": (
        "Reuters",
        date(2024, 6, 14),
        "Over 50 allied nations pledged air defence for Ukraine on Friday. "
        "Some 100,000 troops were massed near the border in April.",
    ),
    "ap": (
        "AP",
        date(2024, 6, 15),
        "Nearly 50 allies and partners joined the call on Friday. "
        "Tens of thousands of troops remained near the border in May.",
    ),
    "kyiv": (
        "Kyiv Independent",
        date(2024, 7, 2),
        "About 48 allies attended the meeting. Some 80,000 troops stayed near the border in June.",
    ),
    "blog": ("Field Notes", date(2024, 6, 16), "War has claimed more than 14,000 Ukrainian lives."),
}
MONTH = {4: (date(2024, 4, 1), date(2024, 4, 30)), 5: (date(2024, 5, 1), date(2024, 5, 31))}
MONTH[6] = (date(2024, 6, 1), date(2024, 6, 30))
# name: (doc_id, span, unit, value, low, high, month of the time scope or None)
CLAIMS: dict[str, tuple[str, str, str, float | None, float | None, float | None, int | None]] = {
    "over50": ("reuters", "Over 50 allied nations", "nation", 50, 50, None, None),
    "nearly50": ("ap", "Nearly 50 allies", "ally", 50, 45, 50, None),
    "about48": ("kyiv", "About 48 allies", "ally", 48, 43.2, 52.8, None),
    "troops_apr": ("reuters", "Some 100,000 troops", "troop", 100_000, 90_000, 110_000, 4),
    "troops_may": ("ap", "Tens of thousands of troops", "troop", None, 20_000, 99_999, 5),
    "troops_jun": ("kyiv", "Some 80,000 troops", "troop", 80_000, 72_000, 88_000, 6),
    "lives": ("blog", "more than 14,000 Ukrainian lives", "life", 14_000, 14_000, None, None),
}
# (a, b, rule, score)
RELATIONS = [
    ("over50", "nearly50", Rule.CONFLICT_DISJOINT_SAME_TIME, 0.93),
    ("over50", "about48", Rule.CONFLICT_DISJOINT_SAME_TIME, 0.61),
    ("nearly50", "about48", Rule.AGREE_OVERLAP, 0.8),
    ("troops_apr", "troops_may", Rule.UPDATE_DIFFERENT_TIME, 0.7),
    ("troops_may", "troops_jun", Rule.UPDATE_DIFFERENT_TIME, 0.75),
]
# Claims in a conflict or an update, by contested quantity: what the charts must draw.
CHARTED = {
    "allies": {"over50", "nearly50", "about48"},
    "troops": {"troops_apr", "troops_may", "troops_jun"},
}


def build_claim(d: Document, name: str) -> QuantityClaim:
    _, span, unit, value, low, high, month = CLAIMS[name]
    scope = MONTH[month] if month else (d.published, d.published)
    return quantity_claim(
        d,
        span,
        value=value,
        low=low,
        high=high,
        low_inclusive=name != "over50",
        high_inclusive=name != "nearly50",
        unit=unit,
        subject={"troop": "troops near the border", "life": "Ukrainian lives lost"}.get(
            unit, "allies at the Ramstein meeting"
        ),
        as_of_start=scope[0],
        as_of_end=scope[1],
        time_basis="explicit" if month else "published",
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, QuantityClaim]]:
    """A published database: two conflicts and an agreement about allies, two updates about
    troops, one single-source claim, and the run that published them."""
    db = tmp_path_factory.mktemp("browser") / "claims.duckdb"
    docs = {
        k: Document.build(
            doc_id=k,
            source_path=f"/in/{k}.txt",
            text=text,
            outlet=outlet,
            published=published,
            url=f"https://news.example/{k}",
        )
        for k, (outlet, published, text) in DOCS.items()
    }
    claims = {name: build_claim(docs[spec[0]], name) for name, spec in CLAIMS.items()}
    relations = [
        Relation(
            relation_id=Relation.make_id(claims[a].claim_id, claims[b].claim_id, rule.relation),
            claim_a=claims[a].claim_id,
            claim_b=claims[b].claim_id,
            doc_a=claims[a].doc_id,
            doc_b=claims[b].doc_id,
            claim_type="quantity",
            relation=rule.relation,
            rule=rule.value,
            reason=f"{rule.value}: {rule.meaning}",
            score=score,
        )
        for a, b, rule, score in RELATIONS
    ]
    publish_state(
        db,
        list(docs.values()),
        list(claims.values()),
        relations,
        run_id="run-1",
        started_at=datetime(2024, 7, 2, 9, 0),
        seconds=41,
    )
    return db, claims


@pytest.fixture(scope="module")
def report(corpus, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db, _ = corpus
    return write_report(db, tmp_path_factory.mktemp("reports")).html


# --- without a browser -----------------------------------------------------------------------


def test_each_contested_quantity_gets_a_chart_with_one_mark_per_claim(corpus, report) -> None:
    _, claims = corpus
    html = report.read_text(encoding="utf-8")
    figures = re.findall(r'<figure class="chart".*?</figure>', html, re.S)
    assert len(figures) == 2
    drawn = [set(re.findall(r'<g class="mark src-\d" data-claim="([^"]+)"', f)) for f in figures]
    for f in figures:
        assert f.count('class="mark ') == len(set(re.findall(r'data-claim="([^"]+)"', f)))
    expected = [{claims[n].claim_id for n in names} for names in CHARTED.values()]
    # The chart with a conflict comes first.
    assert drawn == expected
    allies = figures[0]
    assert allies.count('class="link link-conflict"') == 2 and "link-agree" not in allies
    assert figures[1].count('class="link link-update"') == 2
    assert 'class="open"' in allies  # "over 50" has no upper bound: drawn as an arrow
    assert 'class="dot vague"' in figures[1]  # "tens of thousands" states no single figure
    assert "<svg viewBox" in allies and "Reuters" in allies and "Kyiv Independent" in allies
    # The single-source claim is in no chart.
    assert claims["lives"].claim_id not in "".join(figures)


def test_chart_axes_have_round_ticks_covering_the_figures() -> None:
    assert nice_ticks(45, 51.5) == [44, 46, 48, 50, 52]
    assert nice_ticks(20_000, 143_000) == [0, 50_000, 100_000, 150_000]  # zero when close
    assert nice_ticks(2.3e9, 2.3e9)[0] < 2.3e9 < nice_ticks(2.3e9, 2.3e9)[-1]
    assert [compact_number(v) for v in (45, 2_500, 100_000, 2.3e9)] == [
        "45",
        "2.5k",
        "100k",
        "2.3bn",
    ]
    years = date_ticks(date(2014, 1, 1).toordinal(), date(2024, 9, 20).toordinal())
    assert 2 <= len(years) <= 7 and all(label.isdigit() for _, label in years)
    months = date_ticks(date(2024, 6, 1).toordinal(), date(2024, 9, 20).toordinal())
    assert [label for _, label in months] == ["Jul 2024", "Aug 2024", "Sep 2024"]
    weeks = date_ticks(date(2024, 6, 1).toordinal(), date(2024, 6, 20).toordinal())
    assert [label for _, label in weeks] == ["3 Jun 2024", "10 Jun", "17 Jun"]


def test_a_report_without_contested_figures_has_no_chart_section(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    html = write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")
    assert 'id="figures"' not in html and "<svg" not in html


# --- in Chromium -----------------------------------------------------------------------------


@pytest.fixture()
def page(browser, report: Path) -> Iterator[Any]:
    """The report opened from its file:// URL, with every console and page error recorded."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.goto(report.as_uri())
    tab.wait_for_selector("#filters:not([hidden])")
    yield tab
    context.close()


def shown(page: Any, selector: str = "[data-kind]") -> list[str]:
    """ids (cards) or first cells (rows) of the items the filters leave visible."""
    visible: list[str] = page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.offsetParent !== null)"
        ".map(e => e.id || e.querySelector('td').textContent.trim())",
    )
    return visible


def wait_for_count(page: Any, text: str) -> None:
    """Wait for the filters (debounced while typing) to show ``text`` in their count.

    Playwright's expect polls without evaluating strings, which the page's CSP forbids.
    """
    from playwright.sync_api import expect

    expect(page.locator("#filter-count")).to_have_text(text)


def relation_ids(corpus, kinds: tuple[str, ...]) -> list[str]:
    _, claims = corpus
    return [
        Relation.make_id(claims[a].claim_id, claims[b].claim_id, rule.relation)
        for a, b, rule, _ in RELATIONS
        if rule.relation in kinds
    ]


def test_the_page_loads_from_file_without_errors_and_shows_every_item(page) -> None:
    assert page.url.startswith("file://")
    assert page.errors == []
    assert page.locator("#filter-count").inner_text() == "7 of 7 shown"
    assert page.locator("section#conflicts article.card").count() == 2


def test_filtering_to_conflicts_only_hides_the_rest(page, corpus) -> None:
    for label in ("updates", "agreements", "single-source", "facts"):
        page.get_by_label(label, exact=True).uncheck()
    wait_for_count(page, "2 of 7 shown")
    assert shown(page) == relation_ids(corpus, ("conflict",))
    assert page.locator("#updates article.card:visible").count() == 0
    assert page.errors == []


def test_typing_a_search_text_keeps_only_matching_items(page, corpus) -> None:
    page.locator("#filter-text").fill("kyiv independent")
    wait_for_count(page, "3 of 7 shown")
    _, claims = corpus
    every = relation_ids(corpus, ("conflict", "update", "agree"))
    expected = [
        rid
        for rid, (a, b, _, _) in zip(every, RELATIONS, strict=True)
        if "kyiv" in (claims[a].doc_id, claims[b].doc_id)
    ]
    assert sorted(shown(page)) == sorted(expected)
    page.locator("#filter-text").fill("")
    wait_for_count(page, "7 of 7 shown")


def test_status_unit_and_document_filters_select_matching_items(page, corpus) -> None:
    # An item shows when any of its claims has the status. The newest figure of an update chain
    # is not superseded, and nothing else confirms it: it is single-source.
    page.locator("#filter-status").select_option("single-source")
    wait_for_count(page, "3 of 7 shown")
    may_june = relation_ids(corpus, ("update",))[1]
    assert shown(page) == [may_june, "more than 14,000 Ukrainian lives", "Some 80,000 troops"]
    page.locator("#filter-status").select_option("contested")
    wait_for_count(page, "3 of 7 shown")
    assert shown(page) == relation_ids(corpus, ("conflict", "agree"))
    page.locator("#filter-status").select_option("")
    page.locator("#filter-unit").select_option("troop")
    wait_for_count(page, "3 of 7 shown")
    assert shown(page) == [*relation_ids(corpus, ("update",))[::-1], "Some 80,000 troops"]
    page.locator("#filter-unit").select_option("")
    page.locator("#filter-doc").select_option("blog")
    wait_for_count(page, "1 of 7 shown")
    assert shown(page) == ["more than 14,000 Ukrainian lives"]
    # a document's group with nothing left to show is hidden with its heading
    assert page.locator(".doc-group:visible").count() == 1
    assert page.errors == []


def test_sorting_by_date_and_score_reorders_cards_within_their_section(page, corpus) -> None:
    updates = relation_ids(corpus, ("update",))  # apr->may (AP, 06-15), may->jun (Kyiv, 07-02)
    page.locator("#sort").select_option("date-asc")
    assert shown(page, "#updates article.card") == updates
    page.locator("#sort").select_option("date-desc")
    assert shown(page, "#updates article.card") == updates[::-1]
    page.locator("#sort").select_option("score")
    assert shown(page, "#updates article.card") == updates[::-1]  # 0.75 before 0.70
    assert shown(page, "#conflicts article.card") == relation_ids(corpus, ("conflict",))
    assert page.errors == []


def test_the_charts_draw_one_visible_mark_per_contested_claim(page) -> None:
    marks = page.eval_on_selector_all(
        "figure.chart",
        "figs => figs.map(f => Array.from(f.querySelectorAll('g.mark'))"
        ".filter(g => { const b = g.getBBox(); return b.width > 0 && b.height > 0; }).length)",
    )
    assert marks == [len(names) for names in CHARTED.values()]
    box = page.locator("figure.chart svg").first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80


def test_a_screenshot_is_written(page, browser, tmp_path: Path) -> None:
    """Always into tmp_path; with CLAIMS_WRITE_SCREENSHOT=1 also into docs/ for the README."""
    out = tmp_path / "screenshot.png"
    page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000
    if os.environ.get("CLAIMS_WRITE_SCREENSHOT") != "1":
        return
    target = REPO / "docs" / "screenshot.png"
    target.parent.mkdir(exist_ok=True)
    source = os.environ.get("CLAIMS_SCREENSHOT_OF")
    if not source:
        page.screenshot(path=str(target))
        return
    tab = browser.new_page(viewport=VIEWPORT)
    try:
        tab.goto(Path(source).resolve().as_uri())
        tab.wait_for_selector("#filters:not([hidden])")
        tab.screenshot(path=str(target))
    finally:
        tab.close()
