"""`claims ui` served by uvicorn on 127.0.0.1, driven by headless Chromium and by plain HTTP.

The database is built from the seeds by a real `claims run`; a second database carries hostile
text. A reviewer sees the allies conflict with both sentences, filters, records a verdict with
the keyboard, reloads and sees it, and `claims flags --all` shows it; the verdict survives the
next run; forms from another site, a stale form and a busy database record nothing silently.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from builders import publish_state, quantity_claim
from corpora import corpus

from claims.cli import main
from claims.models import Document, Relation
from claims.settings import Settings
from claims.ui import create_app
from expectations.suites import TABLES

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

ALLIES_A = "over 50 allied nations"
ALLIES_B = "Nearly 50 allies and partners"
VIEWPORT = {"width": 1280, "height": 1600}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    """The app on 127.0.0.1:<port> in a background thread."""

    def __init__(self, db: Path, **options: Any) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        app = create_app(Settings(db=db, reports_dir=db.parent / "reports"), **options)
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Served:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """A database from one real `claims run` over the seeds (reports beside it)."""
    work = tmp_path_factory.mktemp("ui")
    db = work / "claims.duckdb"
    assert main(["run", str(SEEDS), "--db", str(db), "--reports", str(work / "reports")]) == 0
    return db


@pytest.fixture()
def copy_of(seeded: Path, tmp_path: Path) -> Callable[[], Path]:
    """A fresh copy of the seeded database (with its reports), for a test that writes."""

    def make() -> Path:
        target = tmp_path / "work"
        shutil.copytree(seeded.parent, target)
        return target / seeded.name

    return make


def flags_json(db: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["flags", "--db", str(db), "--format", "json", *extra]) == 0
    flags: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return flags


def form_token(client: httpx.Client, url: str) -> tuple[str, str]:
    """The page's CSRF token and the relation id of its first flag."""
    html = client.get(url).text
    token = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    relation_id = html.split('class="rid" href="/flags/', 1)[1].split('"', 1)[0]
    return token, relation_id


# --- over HTTP (before any browser starts: a flow cannot run while Playwright's loop does) -----


def test_a_verdict_survives_the_next_run(copy_of, capsys, tmp_path: Path) -> None:
    db = copy_of()
    with Served(db) as app, httpx.Client(base_url=app.url) as client:
        token, relation_id = form_token(client, "/")
        posted = client.post(
            f"/flags/{relation_id}/verdict",
            data={
                "csrf": token,
                "verdict": "needs_context",
                "note": "two coalitions",
                "reviewer": "Ada",
            },
        )
        assert posted.status_code == 303 and posted.headers["location"].endswith(f"#{relation_id}")
    # A later run that publishes a new document recomputes every relation; the verdict stays.
    inbox = corpus("later_article", tmp_path)
    assert (
        main(
            [
                "run",
                str(SEEDS),
                str(inbox),
                "--db",
                str(db),
                "--reports",
                str(db.parent / "reports"),
            ]
        )
        == 0
    )
    [flag] = [f for f in flags_json(db, capsys, "--all") if f["relation_id"] == relation_id]
    assert (flag["status"], flag["note"], flag["reviewer"]) == (
        "needs_context",
        "two coalitions",
        "Ada",
    )


def test_a_run_publishes_while_reviewers_keep_loading_pages(
    copy_of, tmp_path: Path, prefect_harness: None
) -> None:
    """Every page opens the file for a moment while a run (another process, as a scheduled run
    is) stages and publishes: the run never waits for them, and no page fails."""
    from prefect.settings import PREFECT_API_URL

    db = copy_of()
    inbox = corpus("later_article", tmp_path)
    shutil.copytree(SEEDS, inbox, dirs_exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
    env.update(
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_API_URL=str(PREFECT_API_URL.value()),
        PREFECT_HOME=str(tmp_path / "prefect-home"),
    )
    statuses: list[int] = []
    done = threading.Event()
    with Served(db, busy_wait=2) as app:

        def reviewer() -> None:
            with httpx.Client(base_url=app.url, timeout=30) as client:
                while not done.is_set():
                    statuses.append(client.get("/?relation=all").status_code)

        thread = threading.Thread(target=reviewer)
        thread.start()
        try:
            run = subprocess.run(
                [sys.executable, "-m", "claims.cli", "run", str(inbox), "--db", str(db)],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            done.set()
            thread.join(60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "gate       passed" in run.stdout
    assert len(statuses) > 5 and set(statuses) <= {200, 503}, sorted(set(statuses))


def test_a_form_from_another_site_or_without_the_token_records_nothing(copy_of, capsys) -> None:
    db = copy_of()
    with Served(db) as app, httpx.Client(base_url=app.url) as client:
        token, relation_id = form_token(client, "/")
        url = f"/flags/{relation_id}/verdict"
        verdict = {"verdict": "confirmed", "reviewer": "Mallory"}
        # No token, a token that is not this browser's, and the right token sent from elsewhere.
        assert client.post(url, data=verdict).status_code == 403
        assert client.post(url, data={**verdict, "csrf": "forged"}).status_code == 403
        with httpx.Client(base_url=app.url) as stranger:  # no cookie: another browser
            assert stranger.post(url, data={**verdict, "csrf": token}).status_code == 403
        foreign = client.post(
            url, data={**verdict, "csrf": token}, headers={"Origin": "https://evil.example"}
        )
        assert foreign.status_code == 403
        # A DNS-rebinding page reaches 127.0.0.1 under its own name: refused by Host.
        assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert [f["status"] for f in flags_json(db, capsys, "--all")] == ["open"]


def test_a_busy_database_says_the_verdict_was_not_recorded(copy_of, capsys) -> None:
    db = copy_of()
    hold = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('held', flush=True); time.sleep(float(sys.argv[2]))"
    )
    with Served(db, busy_wait=0.5) as app, httpx.Client(base_url=app.url) as client:
        token, relation_id = form_token(client, "/")
        # Another process writing the file, as a run does while it stages and publishes.
        writer = subprocess.Popen(
            [sys.executable, "-c", hold, str(db), "4"], stdout=subprocess.PIPE, text=True
        )
        try:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "held"
            busy = client.post(
                f"/flags/{relation_id}/verdict",
                data={"csrf": token, "verdict": "confirmed", "reviewer": "Ada"},
            )
            assert busy.status_code == 503 and "not</strong> recorded" in busy.text
        finally:
            writer.wait(20)
        done = client.post(
            f"/flags/{relation_id}/verdict",
            data={"csrf": token, "verdict": "confirmed", "reviewer": "Ada"},
        )
        assert done.status_code == 303
    assert [f["status"] for f in flags_json(db, capsys, "--all")] == ["confirmed"]


def test_the_gate_results_are_served_and_read_without_scripts(seeded: Path) -> None:
    with Served(seeded) as app, httpx.Client(base_url=app.url) as client:
        runs = client.get("/runs")
        assert runs.status_code == 200 and "passed" in runs.text
        pages = runs.text.split('href="/data-docs/validations/')[1:]
        assert len(pages) == len(TABLES), "one validation page per suite"
        page = client.get("/data-docs/validations/" + pages[0].split('"', 1)[0])
        assert page.status_code == 200 and "Expectation Validation Result" in page.text
        assert page.headers["content-security-policy"].startswith("sandbox")
        outside = client.get("/data-docs/..%2F..%2Fclaims.duckdb")
        assert outside.status_code == 404


def test_the_claims_ui_command_serves_on_loopback_and_stops_on_sigterm(seeded: Path) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "claims.cli", "ui", "--db", str(seeded), "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.2)
        assert page.status_code == 200 and ALLIES_A in page.text
        assert "default-src 'none'" in page.headers["content-security-policy"]
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    assert f"on http://127.0.0.1:{port}/" in out
    assert "Traceback" not in out


def test_claims_ui_on_a_port_in_use_says_so_in_one_line(seeded: Path, capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["ui", "--db", str(seeded), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"127.0.0.1:{port}: cannot listen there" in err and err.count("\n") == 1


def test_flags_group_by_story_and_filter_by_it(seeded: Path) -> None:
    """The seeds form two stories (the 2020-2021 articles, and the two 2024 articles where the
    allies conflict is); the flags page offers each story with its flags and filters by it."""
    import duckdb

    with duckdb.connect(str(seeded), read_only=True) as con:
        [(story, label)] = con.execute(
            "SELECT story_id, label FROM stories JOIN documents USING (story_id) "
            "WHERE published = DATE '2024-08-31'"
        ).fetchall()
        assert con.execute("SELECT count(*) FROM stories").fetchone() == (2,)
    with Served(seeded) as app, httpx.Client(base_url=app.url) as client:
        page = client.get("/?relation=all").text
        assert f'<option value="{story}">' in page and f"story: {html.escape(label)}" in page
        only = client.get(f"/?relation=all&story={story}").text
        assert ALLIES_A in only
        assert only.count('<article class="card') == page.count(f"story: {html.escape(label)}")


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture()
def tab(browser) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.errors, page.dialogs = [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    yield page
    context.close()


def test_the_allies_conflict_shows_both_sentences_in_context(seeded: Path, tab) -> None:
    with Served(seeded) as app:
        tab.goto(app.url + "/")
        card = tab.locator("article.flag.card-conflict")
        assert card.count() == 1
        marks = card.locator("blockquote mark").all_inner_texts()
        assert marks == [ALLIES_A, ALLIES_B]
        text = card.inner_text()
        assert "DOD release (blog repost)" in text and "ANI" in text
        assert "2024-07-02" in text and "2024-08-31" in text
        assert "(50, ∞)" in text and "[45, 50)" in text and "Why:" in text
        # The sentence's neighbours are shown around it.
        assert "Secretary Austin asserted" in card.locator("blockquote").first.inner_text()
        # The quantity's timeline: one mark per claim, the conflict drawn between them.
        chart = tab.locator("section.group").first.locator("figure.chart")
        assert chart.locator("g.mark").count() == 2
        assert chart.locator("line.link-conflict").count() == 1
        # Agreements are not flags: they show when asked for.
        assert tab.locator("article.card-agree").count() == 0
        assert tab.errors == []


def test_the_filters_narrow_the_flags(seeded: Path, tab) -> None:
    with Served(seeded) as app:
        tab.goto(app.url + "/")
        tab.get_by_label("relation").select_option("all")  # the form submits itself
        tab.wait_for_url("**relation=all**")
        assert tab.locator("article.flag").count() == 3
        tab.get_by_label("outlet").select_option("UPI")
        tab.wait_for_url("**outlet=UPI**")
        [agreement] = tab.locator("article.flag").all()
        assert "annex" in agreement.inner_text() and "UPI" in agreement.inner_text()
        tab.get_by_label("status").select_option("decided")
        tab.wait_for_url("**status=decided**")
        assert tab.locator("article.flag").count() == 0
        assert "No flags match these filters." in tab.locator("main").inner_text()
        tab.goto(app.url + "/?relation=all&new=1")
        assert tab.locator("article.flag").count() == 3  # all published by the seed run
        assert tab.errors == []


def test_a_verdict_recorded_with_the_keyboard_is_kept(copy_of, tab, capsys) -> None:
    db = copy_of()
    with Served(db) as app:
        tab.goto(app.url + "/")
        tab.keyboard.press("j")  # focus the first flag
        assert tab.evaluate("() => document.activeElement.classList.contains('flag')")
        tab.keyboard.press("1")  # confirmed conflict
        tab.keyboard.press("n")
        tab.keyboard.type("both cannot be true: 50+ vs under 50")
        card = tab.locator("article.flag").first
        card.locator("input[name=reviewer]").fill("Ada Reviewer")
        card.locator("button[type=submit]").click()
        tab.wait_for_load_state()
        tab.reload()
        card = tab.locator("article.flag").first
        assert "confirmed conflict" in card.locator(".verdict-now").inner_text()
        assert "by Ada Reviewer" in card.inner_text()
        # The name is asked once: the next form does not ask again.
        assert card.locator("input[name=reviewer]").count() == 0
        assert tab.locator("form.reviewer input[name=reviewer]").input_value() == "Ada Reviewer"
        relation_id = card.get_attribute("id")
        tab.goto(f"{app.url}/flags/{relation_id}")
        assert "both cannot be true" in tab.locator("table.history").inner_text()
        assert tab.errors == []
    [flag] = flags_json(db, capsys, "--all")
    assert flag["relation_id"] == relation_id
    assert (flag["status"], flag["reviewer"]) == ("confirmed", "Ada Reviewer")
    assert flag["note"] == "both cannot be true: 50+ vs under 50"


def test_a_document_shows_every_claim_marked_in_its_text(seeded: Path, tab) -> None:
    with Served(seeded) as app:
        tab.goto(app.url + "/documents/001_b5842a176354263a.txt")
        marked = tab.locator(".doc-text mark.m-claim").all_inner_texts()
        assert ALLIES_A in marked and "exceeding $2.3 billion" in marked
        assert tab.locator(".doc-text mark.m-contested").all_inner_texts() == [ALLIES_A]
        assert tab.locator(".doc-text mark.m-fact").count() >= 1
        assert tab.errors == []


def test_a_screenshot_of_the_flags_page_is_written(seeded: Path, tab, tmp_path: Path) -> None:
    """Always into tmp_path; with CLAIMS_WRITE_SCREENSHOT=1 also docs/ui.png for the README."""
    with Served(seeded) as app:
        tab.goto(app.url + "/?relation=all")
        out = tmp_path / "ui.png"
        tab.screenshot(path=str(out))
        assert out.stat().st_size > 10_000
        if os.environ.get("CLAIMS_WRITE_SCREENSHOT") == "1":
            shutil.copyfile(out, Path(__file__).resolve().parents[1] / "docs" / "ui.png")


# --- hostile text -----------------------------------------------------------------------------

PAYLOAD = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
OUTLET = '<svg onload="window.__pwned=3">Wire'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Two documents whose text, outlet, title and URL carry markup, in a conflict."""
    db = tmp_path_factory.mktemp("hostile") / "claims.duckdb"
    docs = [
        Document.build(
            doc_id=f'<b onmouseover="window.__pwned=4">{n}',
            source_path=f"/in/{n}.txt",
            text=f"Officials said {PAYLOAD} over {n} troops crossed on Friday.",
            outlet=OUTLET,
            title=f"<script>window.__pwned=5</script>{n}",
            url="javascript:window.__pwned=6",
            published=date(2024, 6, 14),
        )
        for n in (50, 40)
    ]
    a = quantity_claim(docs[0], "over 50 troops", value=50, low=50, high=None, unit="troop")
    b = quantity_claim(docs[1], "over 40 troops", value=40, low=40, high=45, unit="troop")
    relation = Relation(
        relation_id=Relation.make_id(a.claim_id, b.claim_id, "conflict"),
        claim_a=a.claim_id,
        claim_b=b.claim_id,
        doc_a=a.doc_id,
        doc_b=b.doc_id,
        claim_type="quantity",
        relation="conflict",
        rule="CONFLICT_DISJOINT_SAME_TIME",
        reason=f"the reason {PAYLOAD}",
        score=0.9,
    )
    publish_state(db, docs, [a, b], [relation], run_id="run-1", started_at=datetime(2024, 7, 1))
    return db, relation.relation_id


def test_a_hostile_database_through_the_ui_executes_nothing(hostile, tab) -> None:
    db, relation_id = hostile
    with Served(db) as app:
        # A verdict whose note and name are markup, then every page that shows them.
        tab.goto(app.url + "/")
        card = tab.locator("article.flag").first
        card.locator("input[value=misleading]").check()
        card.locator("input[name=note]").fill(PAYLOAD)
        card.locator("input[name=reviewer]").fill(OUTLET)
        card.locator("button[type=submit]").click()
        tab.wait_for_load_state()
        doc = tab.locator("a.doc").first.get_attribute("href")
        for path in ("/", f"/flags/{relation_id}", doc, "/runs", "/?relation=all&outlet=" + OUTLET):
            tab.goto(app.url + path)
            for link in tab.locator("a, mark, .source").all():
                if link.is_visible():
                    link.hover()
            assert tab.evaluate("() => window.__pwned") is None, path
            assert tab.locator("script").count() == 1, path  # the app's own
            assert (
                tab.locator(
                    "img, iframe, object, embed, [onerror], [onload], [onmouseover]"
                ).count()
                == 0
            )
            hrefs = tab.eval_on_selector_all(
                "[href]", "els => els.map(e => e.getAttribute('href'))"
            )
            assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], path
        tab.goto(f"{app.url}/flags/{relation_id}")
        body = tab.locator("body").inner_text()
        assert PAYLOAD in body and OUTLET in body  # shown as text
        assert tab.dialogs == [] and tab.errors == []
