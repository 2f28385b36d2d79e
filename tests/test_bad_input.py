"""Hostile input loses nothing: a run over an inbox full of bad files still publishes every good
document, rejects every bad one by name with its reason, and keeps what earlier runs published.

Real runs throughout: `claims run` in this process against the session's Prefect API (the
hostile inbox and the path-traversal inbox), and in child processes for the 50 MB file, whose
peak memory is measured with ``wait4``. The unit behaviour of each reader lives in
``test_ingest.py``; here the whole pipeline must carry it to the database and the report.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from databases import query

from claims.cli import main
from claims.ingest import discover
from claims.models import text_sha256
from claims.settings import Settings
from claims.stages import ingest_batch

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
FIRST_RUN_SEEDS = ("000_378ce0e16a8b93be.txt", "001_b5842a176354263a.txt")
HOSTILE_RUN_SEEDS = ("002_9a6e5357df07f2d3.txt", "003_ff68f18e496dc427.txt")
# Small enough that the over-limit inputs below cost nothing; the seeds are ~4 KB.
SIZE_LIMIT = 20_000
LINE_LIMIT = 5_000

pytestmark = pytest.mark.slow


def latest_run(db: Path) -> tuple[str, str, bool, int, str]:
    [row] = query(
        db,
        "SELECT run_id, status, gate_passed, documents_rejected, report_path FROM runs "
        "ORDER BY started_at DESC LIMIT 1",
    )
    return row


def copy_seeds(names: tuple[str, ...], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(SEEDS / name, folder / name)
    # The manifest names all five seeds; entries for absent files are ignored.
    shutil.copy(SEEDS / "manifest.yaml", folder / "manifest.yaml")


def article(sentence: str, published: str = "2024-09-03") -> str:
    return f"---\noutlet: Wire\npublished: {published}\n---\n{sentence}\n"


# --- the hostile inbox -----------------------------------------------------------------------

HTML_PARAGRAPH = (
    "The regional emergency office said on Monday that 1,350 families had been moved out of "
    "the flooded river valley overnight, and that the shelters set up in three schools near "
    "the old bridge were already full by the early morning."
)
HTML_PAGE = (
    "<!doctype html><html><head><title>Floods</title>"
    "<script>var tracking = 9999; window.adSlots = ['top', 'side'];</script>"
    "<script src='https://ads.example.com/x.js'></script></head><body>"
    "<nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World news</a></li>"
    "<li><a href='/sport'>Sport</a></li></ul></nav>"
    "<div class='cookie-banner'>We use 12 cookies. <button>Accept all</button></div>"
    f"<main><article><h1>Families moved out of the valley</h1><p>{HTML_PARAGRAPH}</p>"
    "</article></main>"
    "<script>document.write('<p>Subscribe for 3 euros a month</p>');</script>"
    "<footer><p>Copyright 2024 Example News. All rights reserved.</p>"
    "<a href='/privacy'>Privacy</a> | <a href='/terms'>Terms</a></footer></body></html>"
)
JSONL_GOOD_WITH_ID = {
    "id": "wire-1",
    "text": "Some 300 firefighters were sent to the hills above the town.",
    "published": "2024-08-20",
    "outlet": "Wire",
}
JSONL_GOOD_WITHOUT_ID = {"text": "More than 12 ships left the harbour before the storm."}
JSONL_LINES = [
    json.dumps(JSONL_GOOD_WITH_ID),  # L1
    "{not json",  # L2
    json.dumps({"id": "wire-x", "title": "a title but no text"}),  # L3
    json.dumps({"id": "wire-y", "text": 42}),  # L4: text of the wrong type
    json.dumps([1, 2, 3]),  # L5: not an object
    json.dumps({"text": "About 80 trucks crossed.", "published": True}),  # L6
    json.dumps({"text": "About 90 trucks crossed.", "published": "2999-01-01"}),  # L7
    '{"text": "About 70 trucks crossed \\ud800 the border."}',  # L8: half a surrogate pair
    json.dumps(JSONL_GOOD_WITHOUT_ID),  # L9
    "",  # L10: a blank line is no document and no rejection
    json.dumps({"id": "wire-1", "text": "Nearly 40 buses were sent."}),  # L11: repeats L1's id
]

# Published from the hostile inbox: file name -> a phrase its stored text must contain.
GOOD_FILES = {
    "latin1.txt": "Café owners said 30 shops closed",
    "cp1252.txt": "“about 25 € a day”",
    "bom.txt": "About 20 ships",
    "nul.txt": "At least 15 boats",
    "page.html": "1,350 families",
    "archaeology.txt": "5000 years ago",
    "notepad-unicode.txt": "About 60 people attended",
}
NON_UTF8_NAME = b"caf\xe9-notes.txt"
NON_UTF8_DOC_ID = "caf\\xe9-notes.txt"

# Rejected from the hostile run: file name (#line for JSONL) -> reason.
REJECTED = {
    "empty.txt": "empty",
    "blank.md": "empty",
    "scan.txt": "binary",
    "photo.txt": "binary",
    "big.txt": "too_large",
    "one-line.txt": "line_too_long",
    "no-article.html": "no_article_text",
    "bad-yaml.md": "bad_front_matter",
    "future.txt": "future_date",
    "someday.txt": "bad_date",
    "feb30.txt": "bad_date",
    "ancient.txt": "bad_date",
    "story.docx": "unsupported_type",
    "feed.jsonl#L2": "bad_json",
    "feed.jsonl#L3": "no_text",
    "feed.jsonl#L4": "no_text",
    "feed.jsonl#L5": "bad_json",
    "feed.jsonl#L6": "bad_date",
    "feed.jsonl#L7": "future_date",
    "feed.jsonl#L8": "bad_text",
    "feed.jsonl#L11": "duplicate_id",
}


def write_hostile_inbox(inbox: Path) -> Path:
    """The inbox of the second run; returns the one input given as a file rather than a folder."""
    copy_seeds(HOSTILE_RUN_SEEDS, inbox)
    files: dict[str, bytes] = {
        # Good, if awkward.
        "latin1.txt": article("Café owners said 30 shops closed in the old town.").encode(
            "latin-1"
        ),
        "cp1252.txt": article("The mayor said the repairs cost “about 25 € a day”.").encode(
            "cp1252"
        ),
        "bom.txt": b"\xef\xbb\xbf" + article("About 20 ships waited outside the port.").encode(),
        "nul.txt": article("At least 15 boats\x00 were\x00 damaged in the storm.").encode(),
        "page.html": HTML_PAGE.encode(),
        "archaeology.txt": article(
            "The settlement was founded 5000 years ago, and 40 graves have been found there."
        ).encode(),
        # Bad.
        "empty.txt": b"",
        "blank.md": b"  \n\t\r\n   \n",
        "scan.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "photo.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(64),
        "notepad-unicode.txt": "About 60 people attended the meeting.".encode("utf-16"),
        "big.txt": ("About 10 people walked. " * (SIZE_LIMIT // 20)).encode(),
        "one-line.txt": article("About 10 people walked. " * (LINE_LIMIT // 20)).encode(),
        "no-article.html": b"<html><head><script>var x = 1;</script></head><body></body></html>",
        "bad-yaml.md": b"---\ntitle: [unclosed\noutlet: {x\n---\nNearly 50 countries attended.\n",
        "future.txt": article("Nearly 50 countries attended.", "2999-01-01").encode(),
        "someday.txt": article("Nearly 50 countries attended.", "next tuesday").encode(),
        "feb30.txt": article("Nearly 50 countries attended.", "2024-02-30").encode(),
        "ancient.txt": article("Nearly 50 countries attended last week.", "0001-01-02").encode(),
        "feed.jsonl": ("\n".join(JSONL_LINES) + "\n").encode(),
    }
    for name, content in files.items():
        (inbox / name).write_bytes(content)
    # Path() cannot spell a name that is not UTF-8; the OS takes bytes.
    with open(os.fsencode(inbox) + b"/" + NON_UTF8_NAME, "wb") as f:
        f.write(article("Officials said 45 houses lost power overnight.").encode())
    # A file of an unsupported type named on the command line (in a folder: tests/test_ingest.py).
    docx = inbox.parent / "story.docx"
    docx.write_bytes(b"PK\x03\x04" + bytes(32))
    return docx


@dataclass(frozen=True)
class HostileRun:
    db: Path
    inbox: Path
    first_run: str
    first_rows: dict[str, list[tuple]]
    run_id: str
    status: str
    gate_passed: bool
    documents_rejected: int
    report_path: Path


def rows_of(db: Path, doc_ids: tuple[str, ...]) -> dict[str, list[tuple]]:
    ids = list(doc_ids)
    return {
        table: query(db, f"SELECT * FROM {table} WHERE doc_id IN ? ORDER BY ALL", [ids])
        for table in ("documents", "claims", "facts")
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> HostileRun:
    """Two runs on one database: two seeds, then an inbox of two other seeds and bad input."""
    root = tmp_path_factory.mktemp("hostile")
    db = root / "claims.duckdb"
    first = root / "first"
    copy_seeds(FIRST_RUN_SEEDS, first)
    assert main(["run", str(first), "--db", str(db), "--reports", str(root / "r1"), "-q"]) == 0
    first_run, *_ = latest_run(db)
    first_rows = rows_of(db, FIRST_RUN_SEEDS)

    inbox = root / "inbox"
    docx = write_hostile_inbox(inbox)
    argv = ["run", str(inbox), str(docx), "--db", str(db), "--reports", str(root / "r2"), "-q"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMS_MAX_DOCUMENT_BYTES", str(SIZE_LIMIT))
        mp.setenv("CLAIMS_MAX_LINE_CHARS", str(LINE_LIMIT))
        code = main(argv)
    assert code == 0
    run_id, status, gate_passed, rejected, report = latest_run(db)
    return HostileRun(
        db, inbox, first_run, first_rows, run_id, status, gate_passed, rejected, Path(report)
    )


def test_the_hostile_run_passes_the_gate_and_publishes(hostile: HostileRun) -> None:
    assert hostile.run_id != hostile.first_run
    assert (hostile.status, hostile.gate_passed) == ("published", True)
    assert hostile.documents_rejected == len(REJECTED)


def test_every_good_document_and_jsonl_line_is_published_with_claims(
    hostile: HostileRun,
) -> None:
    jsonl_hash_id = f"feed.jsonl:{text_sha256(JSONL_GOOD_WITHOUT_ID['text'])[:12]}"
    expected = {
        *FIRST_RUN_SEEDS,
        *HOSTILE_RUN_SEEDS,
        *GOOD_FILES,
        NON_UTF8_DOC_ID,
        "wire-1",
        jsonl_hash_id,
    }
    rows = query(
        hostile.db,
        "SELECT d.doc_id, count(c.claim_id) FROM documents d "
        "LEFT JOIN claims c USING (doc_id) GROUP BY d.doc_id",
    )
    assert {doc_id for doc_id, _ in rows} == expected
    assert [doc_id for doc_id, n in rows if n == 0] == []
    texts = dict(query(hostile.db, "SELECT doc_id, text FROM documents"))
    assert texts["wire-1"] == JSONL_GOOD_WITH_ID["text"], "the first of two equal ids is kept"


def test_awkward_encodings_are_decoded_into_clean_text(hostile: HostileRun) -> None:
    texts = dict(query(hostile.db, "SELECT doc_id, text FROM documents"))
    for name, phrase in GOOD_FILES.items():
        assert phrase in texts[name], name
    assert not texts["bom.txt"].startswith("\ufeff")
    assert "\x00" not in texts["nul.txt"]
    html = texts["page.html"]
    for boilerplate in ("tracking", "adSlots", "World news", "cookies", "Subscribe", "Copyright"):
        assert boilerplate not in html


def test_a_page_without_a_stated_date_gets_none_rather_than_its_copyright_year(
    hostile: HostileRun,
) -> None:
    [(published, origin)] = query(
        hostile.db, "SELECT published, published_source FROM documents WHERE doc_id = 'page.html'"
    )
    assert (published, origin) == (None, None)


def test_a_file_name_that_is_not_utf8_is_stored_with_its_bytes_escaped(
    hostile: HostileRun,
) -> None:
    [(source_path,)] = query(
        hostile.db, "SELECT source_path FROM documents WHERE doc_id = ?", [NON_UTF8_DOC_ID]
    )
    assert source_path == f"{hostile.inbox}/{NON_UTF8_DOC_ID}"


def test_decode_warnings_are_attached_to_the_documents_that_needed_them(
    hostile: HostileRun,
) -> None:
    sources = [s for s in discover([hostile.inbox]) if s.path.name in GOOD_FILES]
    batch = ingest_batch(sources, {}, Settings())
    warnings = {Path(d.source_path).name: d.warnings for d in batch.documents}
    assert any("Windows-1252" in w for w in warnings["latin1.txt"])
    assert any("Windows-1252" in w for w in warnings["cp1252.txt"])
    assert warnings["nul.txt"] == ["NUL characters removed"]
    assert warnings["notepad-unicode.txt"] == ["decoded as UTF-16 (byte order mark)"]
    assert warnings["bom.txt"] == [] and warnings["page.html"] == []


def test_decode_warnings_are_stored_and_reach_the_report(hostile: HostileRun) -> None:
    stored = dict(
        query(hostile.db, "SELECT doc_id, warnings FROM documents WHERE len(warnings) > 0")
    )
    assert any("Windows-1252" in " ".join(w) for w in stored.values()), stored
    assert any("NUL characters removed" in w for ws in stored.values() for w in ws), stored
    html = hostile.report_path.read_text(encoding="utf-8")
    repaired = html[
        html.index("Read with repairs") : html.index("</table>", html.index("Read with repairs"))
    ]
    assert "Windows-1252" in repaired and "NUL characters removed" in repaired
    for doc_id in stored:
        assert doc_id in repaired


def test_every_bad_input_is_a_rejected_row_naming_its_file_and_reason(
    hostile: HostileRun,
) -> None:
    rows = query(
        hostile.db,
        "SELECT source_path, reason, detail FROM rejected_documents WHERE run_id = ?",
        [hostile.run_id],
    )
    assert {Path(path).name: reason for path, reason, _ in rows} == REJECTED
    assert len(rows) == len(REJECTED)
    for path, _, detail in rows:
        assert path.startswith(str(hostile.inbox.parent)), path
        assert detail.strip(), path
    details = {Path(path).name: detail for path, _, detail in rows}
    assert (
        f"{SIZE_LIMIT:,}" in details["big.txt"]
        and "CLAIMS_MAX_DOCUMENT_BYTES" in details["big.txt"]
    )
    assert f"{LINE_LIMIT:,}" in details["one-line.txt"]
    assert "CLAIMS_MAX_LINE_CHARS" in details["one-line.txt"]
    assert "2999-01-01" in details["future.txt"]
    assert "next tuesday" in details["someday.txt"]
    assert "wire-1" in details["feed.jsonl#L11"]


def test_the_report_lists_every_rejected_document(hostile: HostileRun) -> None:
    html = hostile.report_path.read_text(encoding="utf-8")
    _, found, section = html.partition("Rejected documents")
    assert found, "the report has no rejected documents section"
    section = section[: section.index("</table>")]
    rows = re.findall(r"<tr><td><code><bdi>([^<]*)</bdi></code></td><td>([^<]*)</td>", section)
    assert {Path(path).name: reason for path, reason in rows} == REJECTED


def test_documents_of_the_first_run_stay_published_unchanged(hostile: HostileRun) -> None:
    """A later run that does not read a published document carries it over as it was."""
    assert hostile.first_rows["claims"], "the first run published claims"
    assert rows_of(hostile.db, FIRST_RUN_SEEDS) == hostile.first_rows
    extracted = query(
        hostile.db,
        "SELECT DISTINCT extracted_run FROM documents WHERE doc_id IN ?",
        [list(FIRST_RUN_SEEDS)],
    )
    assert extracted == [(hostile.first_run,)]


# --- a 50 MB file, in a child process whose memory is measured --------------------------------

BIG_FILE_BYTES = 50 * 1024 * 1024
# Reading the file once costs 50 MB and decoding it another 50 MB: a run that never reads it
# stays well within this of a run without it.
RSS_MARGIN_KB = 100 * 1024


@dataclass(frozen=True)
class Measured:
    returncode: int
    max_rss_kb: int
    stderr: str


def child_env(api_url: str, home: Path) -> dict[str, str]:
    """The environment of a `claims run` child: this session's Prefect API, no CLAIMS_ overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
    env.update(
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_HOME=str(home),
        PREFECT_API_URL=api_url,
    )
    return env


def start_run(inbox: Path, db: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    argv = ["run", str(inbox), "--db", str(db), "--reports", str(db.parent / "reports"), "-q"]
    with (db.parent / "stderr.txt").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "claims.cli", *argv],
            env=env,
            cwd=db.parent,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def finish_run(proc: subprocess.Popen[bytes], db: Path) -> Measured:
    """The child's exit code and its own peak RSS, from wait4 on its pid alone.

    Not Popen.wait: it would reap the child and its resource usage with it.
    """
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = (db.parent / "stderr.txt").read_text()
    return Measured(proc.returncode, usage.ru_maxrss, stderr)


@pytest.fixture()
def cli_env(prefect_harness: None, tmp_path: Path) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return child_env(str(PREFECT_API_URL.value()), tmp_path / "prefect-home")


def test_a_50_mb_file_is_rejected_by_size_without_being_read(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    good = "005_wire.txt"
    text = article("Defense ministers from about 50 countries met at Ramstein on Tuesday.")
    baseline_inbox, big_inbox = tmp_path / "baseline" / "inbox", tmp_path / "big" / "inbox"
    for inbox in (baseline_inbox, big_inbox):
        inbox.mkdir(parents=True)
        (inbox / good).write_text(text, encoding="utf-8")
    line = b"Officials said that about 40 families had left the valley by Tuesday night.\n"
    with (big_inbox / "huge.txt").open("wb") as f:
        for _ in range(BIG_FILE_BYTES // len(line) + 1):
            f.write(line)
    size = (big_inbox / "huge.txt").stat().st_size
    assert size > BIG_FILE_BYTES > Settings().max_document_bytes

    baseline_db, big_db = (
        tmp_path / "baseline" / "claims.duckdb",
        tmp_path / "big" / "claims.duckdb",
    )
    # Side by side, to halve the wait: wait4 keeps each child's peak memory apart.
    first = start_run(baseline_inbox, baseline_db, cli_env)
    second = start_run(big_inbox, big_db, cli_env)
    baseline, big = finish_run(first, baseline_db), finish_run(second, big_db)
    print(
        f"peak RSS of `claims run`: {baseline.max_rss_kb / 1024:.0f} MB without the 50 MB file, "
        f"{big.max_rss_kb / 1024:.0f} MB with it"
    )

    assert baseline.returncode == 0, baseline.stderr
    assert big.returncode == 0, big.stderr
    [(path, reason, detail)] = query(
        big_db, "SELECT source_path, reason, detail FROM rejected_documents"
    )
    assert (Path(path).name, reason) == ("huge.txt", "too_large")
    assert f"{size:,}" in detail and f"{Settings().max_document_bytes:,}" in detail
    assert query(big_db, "SELECT doc_id FROM documents") == [(good,)]
    assert query(big_db, "SELECT count(*) FROM claims WHERE doc_id = ?", [good]) != [(0,)]
    assert big.max_rss_kb < baseline.max_rss_kb + RSS_MARGIN_KB


# --- metadata never decides where anything is written ----------------------------------------

TRAVERSAL_META = {
    "doc_id": "/tmp/x",
    "path": "../evil.html",
    "url": "file:///etc/passwd",
    "outlet": "../../x",
    "title": "../../../../etc/cron.d/evil",
}


def tree(root: Path) -> set[str]:
    """Every file and folder under ``root``, relative to it."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_ids_and_paths_in_metadata_never_decide_where_files_are_written(
    tmp_path: Path, prefect_harness: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The run happens three levels below tmp_path, so "../../../x" from any folder it writes
    # to still lands where this test looks.
    base = tmp_path / "a" / "b" / "c"
    inbox, reports, db = base / "inbox", base / "reports", base / "claims.duckdb"
    cwd = base / "cwd"
    inbox.mkdir(parents=True)
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    front_matter = "".join(f"{k}: {json.dumps(v)}\n" for k, v in TRAVERSAL_META.items())
    (inbox / "story.md").write_text(
        f"---\nid: ../../../escape\n{front_matter}published: 2024-09-03\n---\n"
        "Officials said 40 people were evacuated from the town.\n",
        encoding="utf-8",
    )
    wire_text = "More than 12 ships left the harbour before the storm."
    lines = [
        {"id": "/tmp/x", **TRAVERSAL_META, "text": "Some 300 troops arrived at the base."},
        {**TRAVERSAL_META, "text": wire_text},
    ]
    (inbox / "feed.jsonl").write_text(
        "".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8"
    )
    outside = tmp_path.parent
    absolute_targets = [Path("/tmp/x"), Path("/escape"), Path("/evil.html"), Path("/x")]
    before_outside = sorted(os.listdir(outside))
    before_absolute = [p.exists() for p in absolute_targets]
    before_inside = tree(tmp_path)

    assert main(["run", str(inbox), "--db", str(db), "--reports", str(reports), "-q"]) == 0

    run_id, status, *_ = latest_run(db)
    assert status == "published"
    created = tree(tmp_path) - before_inside
    data_docs = {p for p in created if p.startswith("a/b/c/reports/data_docs/")}
    assert data_docs, "the gate wrote its Data Docs"
    assert created - data_docs == {
        "a/b/c/claims.duckdb",
        "a/b/c/claims.duckdb.lock",
        "a/b/c/claims.duckdb.write.lock",
        "a/b/c/reports",
        "a/b/c/reports/data_docs",
        f"a/b/c/reports/report-{run_id}.html",
        f"a/b/c/reports/report-{run_id}.md",
        "a/b/c/reports/latest.html",
        "a/b/c/reports/latest.md",
        "a/b/c/reports/.claims-database",  # names the database these reports belong to
    } | ({"a/b/c/claims.duckdb.wal"} & created)
    for path in data_docs:
        assert not re.search(r"escape|evil|passwd|cron", path), path
    assert os.listdir(cwd) == []
    assert sorted(os.listdir(outside)) == before_outside
    assert [p.exists() for p in absolute_targets] == before_absolute

    stored = dict(query(db, "SELECT doc_id, source_path FROM documents"))
    assert stored == {
        "../../../escape": str(inbox / "story.md"),
        "/tmp/x": f"{inbox / 'feed.jsonl'}#L1",
        f"feed.jsonl:{text_sha256(wire_text)[:12]}": f"{inbox / 'feed.jsonl'}#L2",
    }
    html = (reports / f"report-{run_id}.html").read_text(encoding="utf-8")
    assert 'href="file:' not in html, "only http(s) URLs become links"
