"""Hostile article text through the real pipeline, into a real Chromium: nothing runs.

Articles carry script tags, event-handler attributes, ``javascript:`` links and hostile front
matter inside sentences that state figures, and a second article contradicts those figures so the
sentences are shown in conflict cards. ``claims run`` (real spaCy, DuckDB, Prefect flow, GX gate)
writes the report, which is opened in headless Chromium: the markup must be shown as text and
never executed. Skips like tests/test_browser.py when Chromium or playwright is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import VIEWPORT, wait_for_count

from claims.cli import main

pytestmark = pytest.mark.slow

# Each payload sets window.__pwned to its own number, so a failure says which one ran.
SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
MD_LINK = "[Read the pledge](javascript:window.__pwned=3)"
A_LINK = '<a href="javascript:window.__pwned=4">here</a>'
SVG = '<svg onload="window.__pwned=5">'

HOSTILE = f"""---
title: '<script>window.__pwned=6</script>Border <img src=x onerror="window.__pwned=7">'
outlet: '<svg onload="window.__pwned=8">Hostile Wire'
url: 'javascript:window.__pwned=9'
published: 2024-06-14
---
{A_LINK} {SCRIPT} Officials said more than 5,000 troops were massed near the border on Friday.

A convoy carried about 200 tanks to the front on Friday.

{MD_LINK} Nearly 40 allies pledged air defence on Friday.

The page {A_LINK} said 12 warships were sunk on Friday.

A report said 310 drones flew over Kyiv on Friday, officials said {SVG} {IMG} {MD_LINK}.
"""

CALM = """---
title: Calm reporting
outlet: Plain Wire
url: https://news.example/calm
published: 2024-06-14
---
Officials said about 4,500 troops were massed near the border on Friday.

A report said 260 drones flew over Kyiv on Friday.
"""

# An HTML page: its markup is dropped by the article extractor, but the escaped text in its
# paragraph ("&lt;script&gt;") is article text, and its metadata is hostile too.
PAGE = """<!doctype html><html><head>
<title>&lt;script&gt;window.__pwned=10&lt;/script&gt;</title>
<meta property="og:site_name" content="&lt;img src=x onerror=window.__pwned=11&gt;">
<meta property="og:url" content="javascript:window.__pwned=12">
<meta property="article:published_time" content="2024-06-14">
<script>window.__pwned=13</script>
</head><body><article>
<p>Officials said <a href="javascript:window.__pwned=14">roughly 9,000 troops</a> were massed
near the border on Friday, &lt;script&gt;window.__pwned=15&lt;/script&gt; the ministry said.</p>
<p>The ministry gave no further details about the deployment or its purpose on Friday.</p>
</article></body></html>
"""


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """The HTML report of one real ``claims run`` over the hostile and the calm articles."""
    work = tmp_path_factory.mktemp("xss")
    inbox = work / "in"
    inbox.mkdir()
    (inbox / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (inbox / "calm.md").write_text(CALM, encoding="utf-8")
    (inbox / "page.html").write_text(PAGE, encoding="utf-8")
    reports = work / "reports"
    code = main(["run", str(inbox), "--db", str(work / "claims.duckdb"), "--reports", str(reports)])
    assert code == 0
    return reports / "latest.html"


@pytest.fixture()
def page(hostile_report: Path, browser) -> Iterator[Any]:
    """The report in a fresh tab, recording console errors, page errors and dialogs."""
    # hostile_report comes first: Playwright's sync API keeps an event loop running in this
    # thread, and a Prefect flow called from inside a running loop returns a coroutine.
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.errors, tab.dialogs = [], []
    tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.goto(hostile_report.as_uri())
    tab.wait_for_selector("#filters:not([hidden])")
    yield tab
    context.close()


def test_the_pipeline_flags_the_hostile_sentences_as_conflicts(page) -> None:
    conflicts = page.locator("section#conflicts").inner_text()
    assert "more than 5,000 troops" in conflicts and "about 4,500 troops" in conflicts
    assert "310 drones" in conflicts and "260 drones" in conflicts


def test_no_payload_runs_and_no_dialog_opens(page) -> None:
    # Clicking every link and hovering every card would fire handlers a parser had created.
    for link in page.locator("a").all():
        if link.is_visible():
            link.hover()
    assert page.evaluate("() => window.__pwned") is None
    assert page.dialogs == []
    assert page.locator("script").count() == 1  # the report's own, nothing from an article
    assert (
        page.locator("img, iframe, object, embed, svg [onload], [onerror], [onload]").count() == 0
    )
    assert page.errors == []


def test_the_markup_in_a_flagged_sentence_is_shown_as_visible_text(page) -> None:
    conflicts = page.locator("section#conflicts").inner_text()
    assert SCRIPT in conflicts
    assert SVG in conflicts and IMG in conflicts and "onerror" in conflicts
    assert A_LINK in conflicts and MD_LINK in conflicts
    body = page.locator("body").inner_text()
    assert "<script>window.__pwned=6</script>Border" in body  # the hostile title
    assert '<svg onload="window.__pwned=8">Hostile Wire' in body  # the hostile outlet


def test_no_link_has_a_script_url(page) -> None:
    hrefs = page.eval_on_selector_all("[href], [src], [action], [formaction]", HREFS_JS)
    assert hrefs, "the page has links (section anchors, the calm article's URL)"
    assert not [h for h in hrefs if h.strip().lower().startswith(("javascript:", "data:"))]
    assert "https://news.example/calm" in hrefs


HREFS_JS = """els => els.flatMap(e => ['href', 'src', 'action', 'formaction']
    .map(a => e.getAttribute(a)).filter(v => v !== null))"""


def test_the_filters_still_work_on_a_page_with_hostile_text(page) -> None:
    from playwright.sync_api import expect

    total = page.locator("#filter-count").inner_text()
    every = int(total.split(" of ")[1].split()[0])
    assert total == f"{every} of {every} shown"
    # Typing markup into the filter searches for it as text; it must not be parsed either.
    page.locator("#filter-text").fill(SCRIPT)
    expect(page.locator("#filter-count")).not_to_have_text(total)
    left = page.locator("[data-kind]:visible")
    assert 1 <= left.count() < every
    assert all(SCRIPT in item.inner_text() for item in left.all())
    page.locator("#filter-text").fill("")
    wait_for_count(page, total)
    assert page.evaluate("() => window.__pwned") is None
    assert page.errors == []
