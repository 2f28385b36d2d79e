"""Progress on stderr: a bar on a terminal, occasional lines in a log, nothing when quiet; fed
by the real stages over real files and a real DuckDB file."""

from __future__ import annotations

import io
from pathlib import Path

from spacy.language import Language

from claims import progress, stages
from claims.models import RunSummary
from claims.settings import Settings

ARTICLES = {
    "a.txt": "Over 50 allied nations pledged air defence systems on Friday.",
    "b.txt": "Some 100,000 troops were massed near the border in April, officials said.",
    "c.txt": "",  # rejected: empty
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_stages(tmp_path: Path, settings: Settings, nlp: Language) -> RunSummary:
    """Discover, read, extract and stage the articles one file per batch, as the flow does."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(parents=True)
    for name, text in ARTICLES.items():
        (inbox / name).write_text(text, encoding="utf-8")
    settings = settings.model_copy(update={"db": tmp_path / "claims.duckdb"})
    sources = stages.discover_inputs([inbox])
    summary = stages.begin_run(settings, "run-1", [str(inbox)])
    for chunk in stages.batches(sources, settings.model_copy(update={"batch_size": 1})):
        batch = stages.ingest_batch(chunk, {}, settings)
        extractions = stages.extract_batch(batch.changed, settings)
        summary = stages.stage_batch(batch, extractions, summary, settings)
    return summary


def test_a_terminal_gets_a_bar_that_ends_full_and_is_cleared(tmp_path, settings, nlp) -> None:
    stream = Terminal()
    with progress.use(progress.reporter_for(stream, quiet=False)) as reporter:
        assert isinstance(reporter, progress.Bar)
        summary = run_stages(tmp_path, settings, nlp)
    frames = stream.getvalue().split("\r\x1b[2K")
    assert frames[1].startswith("░" * progress.BAR_WIDTH + "   0%  0/3 files")
    last = frames[-2]
    assert last.startswith("█" * progress.BAR_WIDTH + " 100%  3/3 files · 3 documents")
    claims = int(last.split(" claims")[0].rsplit("· ", 1)[1])
    assert claims >= 2  # at least one figure in each non-empty article
    assert summary.documents_rejected == 1  # the empty file counts as processed
    assert frames[-1] == ""  # cleared, so the summary printed next starts on a clean line


def test_quiet_shows_nothing_and_a_log_gets_no_line_for_a_short_run(
    tmp_path, settings, nlp
) -> None:
    quiet = Terminal()
    with progress.use(progress.reporter_for(quiet, quiet=True)) as reporter:
        assert isinstance(reporter, progress.Silent)
        run_stages(tmp_path / "quiet", settings, nlp)
    assert quiet.getvalue() == ""
    log = io.StringIO()  # not a terminal
    with progress.use(progress.reporter_for(log, quiet=False)) as reporter:
        assert isinstance(reporter, progress.Lines)
        run_stages(tmp_path / "log", settings, nlp)
    assert log.getvalue() == ""  # well under LINE_INTERVAL_S


def test_a_log_gets_a_plain_line_every_interval() -> None:
    log, clock = io.StringIO(), Clock()
    lines = progress.Lines(log, clock=clock)
    lines.start(40)
    lines.advance(files=10, documents=12, claims=1500)
    assert log.getvalue() == ""
    clock.now = progress.LINE_INTERVAL_S + 65
    lines.advance(files=10, documents=10, claims=500)
    assert log.getvalue() == "claims: 20/40 files · 22 documents · 2,000 claims · 1:15\n"


def test_without_a_reporter_the_stages_report_to_nobody() -> None:
    assert isinstance(progress.current(), progress.Silent)
    with progress.use(progress.Lines(io.StringIO())):
        assert isinstance(progress.current(), progress.Lines)
    assert isinstance(progress.current(), progress.Silent)
