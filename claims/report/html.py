"""The flagged-claims report: a self-contained HTML page and its Markdown twin, for fact-checkers.

Everything comes from DuckDB through the views in ``claims/sql/views/`` (``claim_status`` and the
``report_*`` views); this module only shapes their rows for the templates in
``claims/report/templates/``. Article text and URLs come from the open web, so the HTML environment
autoescapes every value, only absolute http(s) URLs become links, and the page's
Content-Security-Policy admits nothing but its own inline style and script (by hash), so even a
value that slipped through escaping could not run.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from claims import formats
from claims.display import visible_bidi
from claims.errors import StoreError
from claims.formats import format_interval, iso_day
from claims.models import DAY_ZERO, VERDICTS, Rule, gate_words
from claims.report.chart import contested_charts
from claims.store import Store

TEMPLATES = Path(__file__).parent / "templates"
REPORT_VIEWS = (
    "main.claim_relation_sides",
    "main.claim_status",
    "report.claims",
    "report.facts",
    "report.relation_sides",
    "report.runs",
    "report.totals",
)
# (relation, section title) in the order a reviewer should read them: conflicts need a decision.
SECTIONS = (
    ("conflict", "Conflicts", "conflicts"),
    ("update", "Updates", "updates"),
    ("agree", "Agreements", "agreements"),
)
STATUSES = ("contested", "updated", "corroborated", "single-source")
RELATION_FIELDS = ("relation_id", "relation", "claim_type", "rule", "score", "reason", "review")
SOURCE_FIELDS = ("doc_id", "title", "outlet", "published", "url")
WEB_SCHEMES = ("http", "https")
# GX Data Docs of the run's validation, as the flow writes them next to the report; linked by a
# relative path so that the folder can be moved or served as a whole.
DATA_DOCS_INDEX = "data_docs/index.html"
# Characters a URL may keep as they are; everything else (quotes, spaces, brackets that would end
# a Markdown link, control characters) is percent-encoded.
URL_SAFE = ":/?#[]@!$&*+,;=%~"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")

Row = dict[str, Any]


@dataclass(frozen=True)
class ReportPaths:
    """Where ``write_report`` wrote: the run's own files and the ``latest`` copies."""

    html: Path
    markdown: Path
    latest_html: Path
    latest_markdown: Path


def report_paths(out_dir: Path, run_id: str | None) -> ReportPaths:
    """Where the report of ``run_id`` (None: a database without runs) goes in ``out_dir``."""
    stem = "report-" + (re.sub(r"[^A-Za-z0-9._-]+", "_", run_id) if run_id else "no-run")
    return ReportPaths(
        html=out_dir / f"{stem}.html",
        markdown=out_dir / f"{stem}.md",
        latest_html=out_dir / "latest.html",
        latest_markdown=out_dir / "latest.md",
    )


def write_report(
    db: Path,
    out_dir: Path,
    *,
    run_id: str | None = None,
    limit: int | None = None,
    keep: int | None = None,
) -> ReportPaths:
    """Write report-<run_id>.html, report-<run_id>.md and latest.html/latest.md into out_dir from
    the published tables and the runs table (run_id None = latest run). Returns the paths.

    ``limit`` caps each list of the report (see ``read_report``); ``keep`` (None or 0: all)
    prunes the reports of older runs past that many. A database without runs gives a report
    that says so. Raises ``StoreError`` when the database cannot be opened, ``run_id`` names no
    run, or ``out_dir`` holds the reports of another database.
    """
    out_dir = Path(out_dir)
    claim_reports_dir(out_dir, Path(db))
    context = read_report(Path(db), run_id, limit=limit)
    if (out_dir / DATA_DOCS_INDEX).is_file():
        context["data_docs"] = DATA_DOCS_INDEX
    html = render_html(context)
    markdown = render_markdown(context)
    run = context["run"]
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = report_paths(out_dir, run["run_id"] if run else None)
    for path in (paths.html, paths.latest_html):
        _write_atomically(path, html)
    for path in (paths.markdown, paths.latest_markdown):
        _write_atomically(path, markdown)
    if keep:
        prune_reports(out_dir, keep)
    return paths


# Names the database whose reports a folder holds, so that a run of another database refuses to
# write over them (its latest.html above all).
OWNER_FILE = ".claims-database"


def claim_reports_dir(out_dir: Path, db: Path) -> None:
    """Make ``out_dir`` the reports folder of ``db``; refuse one that belongs to another database."""
    owner = out_dir / OWNER_FILE
    # Relative to the folder, so that a database moved or copied with its reports still owns them.
    mine = os.path.relpath(db.resolve(), out_dir.resolve())
    try:
        theirs = owner.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        theirs = None
    except OSError as e:
        raise StoreError(f"{owner}: cannot read ({e.strerror})") from e
    if theirs and theirs != mine:
        raise StoreError(
            f"{out_dir}: holds the reports of {theirs}, not of {db}; give this database its "
            "own folder with --reports (or CLAIMS_REPORTS_DIR), or leave it out for the default "
            "reports/<database name>/"
        )
    if theirs is None:
        out_dir.mkdir(parents=True, exist_ok=True)
        _write_atomically(owner, mine + "\n")


def prune_reports(out_dir: Path, keep: int) -> list[Path]:
    """Delete the reports (HTML and Markdown) of all but the ``keep`` newest runs; returns them."""
    runs = sorted(
        out_dir.glob("report-*.html"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True
    )
    removed = []
    for html in runs[keep:]:
        for path in (html, html.with_suffix(".md")):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def read_report(db: Path, run_id: str | None = None, *, limit: int | None = None) -> dict[str, Any]:
    """Everything the report shows, read from the report views and shaped for the templates.

    ``limit`` (None or 0: no cap) caps each list: the conflicts, updates and agreements of
    quantities, the relations between facts, the single-source claims and the facts. A page a
    reviewer reads has the best-scored items first; the counts stay exact, and the page says how
    to get the rest from the database, which always holds everything.
    """
    limit = limit if limit and limit > 0 else None
    _ensure_views(db)
    with Store(db, read_only=True) as store:
        runs = plain_rows(store.report_runs(run_id))
        if run_id is not None and not runs:
            raise StoreError(
                f"{db}: no run {run_id!r}; list the runs with "
                '`claims query "SELECT run_id, started_at, status FROM runs"`.'
            )
        run = runs[0] if runs else None
        rejected = plain_rows(store.rejections(run["run_id"] if run else None))
        repaired = plain_rows(store.repaired_documents(run["run_id"] if run else None, limit))
        totals = plain_rows(store.report_totals())[0]
        sides = plain_rows(store.relation_sides(limit))
        single = plain_rows(store.single_source_claims(limit))
        # Per listed document, how many of its claims are in each status: the single-source
        # list says what else of the document is in the relations above.
        statuses = store.claim_status_counts(c["doc_id"] for c in single)
        facts = plain_rows(store.report_facts(limit))
    pairs = _pairs(sides)
    quantity = [p for p in pairs if p["claim_type"] == "quantity"]
    shown_claims = [shape_claim(c) for c in single]
    shown_facts = [shape_fact(f) for f in facts]
    counts: dict[str, Counter[str]] = {}
    for doc_id, status, n in statuses.itertuples(index=False):
        counts.setdefault(doc_id, Counter())[status] = int(n)
    fact_pairs = [p for p in pairs if p["claim_type"] == "fact"]
    single_source = _by_document(shown_claims)
    for group in single_source:
        group["count"] = counts.get(group["source"]["doc_id"], Counter())
    return {
        "db": str(db),
        "generated_at": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "run": shape_run(run) if run else None,
        "rejected": rejected,
        "repaired": repaired,
        "totals": totals,
        "limit": limit,
        "sections": [
            {
                "relation": kind,
                "title": title,
                "pairs": [p for p in quantity if p["relation"] == kind],
                "total": totals[f"quantity_{plural}"],
                "plural": plural,
            }
            for kind, title, plural in SECTIONS
        ],
        "single_source": single_source,
        "single_source_shown": len(shown_claims),
        "fact_pairs": fact_pairs,
        "fact_pairs_total": sum(totals[f"fact_{plural}"] for _, _, plural in SECTIONS),
        "facts": _by_document(shown_facts),
        "facts_shown": len(shown_facts),
        "statuses": STATUSES,
        "charts": contested_charts(sides),
        "choices": _choices([*shown_claims, *(s for p in pairs for s in p["sides"])], shown_facts),
        "data_docs": None,
    }


def render_html(context: dict[str, Any]) -> str:
    """The HTML page: autoescaped, inline CSS and JavaScript, no network access."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    env = _environment(autoescape=True, finalize=_html_value)
    return env.get_template("report.html.j2").render(
        **context,
        css=Markup(css),
        js=Markup(js),
        style_hash=_csp_hash(css),
        script_hash=_csp_hash(js),
    )


def render_markdown(context: dict[str, Any]) -> str:
    """The Markdown twin, for pasting into tickets: every value is Markdown-escaped."""
    env = _environment(autoescape=False, finalize=markdown_value)
    env.filters["markdown"] = MarkdownText
    return env.get_template("report.md.j2").render(**context)


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, percent-encoded so that it cannot leave an HTML
    attribute or a Markdown link; None for anything else (javascript:, data:, relative paths)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not parts.netloc:
        return None
    return quote(parts.geturl(), safe=URL_SAFE)


class MarkdownText(str):
    """Text that is already Markdown (a macro's output): ``markdown_value`` leaves it alone."""


def markdown_value(value: object) -> str:
    """A value as Markdown text on one line: punctuation that would format, link, open an HTML
    tag or end a table cell is backslash-escaped."""
    if isinstance(value, MarkdownText):
        return value
    if value is None:
        return "–"
    text = visible_bidi(re.sub(r"\s+", " ", str(value)))
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def format_number(value: float | None) -> str | None:
    """A figure as the report writes it, ``format_interval``'s style with two decimals at most."""
    return None if value is None else formats.format_number(value, decimals=2)


def counted(n: int | None, word: str) -> str:
    """A count with its noun: 1 conflict, 2 conflicts, 1,204 claims."""
    n = n or 0
    return f"{format_number(n)} {word if n == 1 else word + 's'}"


# --- shaping rows --------------------------------------------------------------------------


def _pairs(sides: list[Row]) -> list[Row]:
    """One entry per relation with its two sides, in the views' order."""
    pairs: dict[str, Row] = {}
    for row in sides:
        pair = pairs.get(row["relation_id"])
        if pair is None:
            pair = {k: row[k] for k in RELATION_FIELDS}
            pair["shared_terms"] = row["shared_terms"] or []
            pair["meaning"] = _rule_meaning(row["rule"])
            pair["verdict"] = VERDICTS.get(row["review"], row["review"]) if row["review"] else None
            pair["sides"] = []
            pairs[row["relation_id"]] = pair
        side = shape_fact(row) if row["claim_type"] == "fact" else shape_claim(row)
        pair["sides"].append(side)
    for pair in pairs.values():
        both = pair["sides"]
        # What the page's filters and sorting match a card on, as data-* attributes.
        pair["statuses"] = " ".join(sorted({s["status"] for s in both if s.get("status")}))
        pair["units"] = "\n".join(sorted({s["unit"] for s in both if s.get("unit")}))
        pair["docs"] = "\n".join(sorted({s["doc_id"] for s in both}))
        pair["date"] = max((s["published"] or "" for s in both), default="")
    return list(pairs.values())


def _choices(claims: list[Row], facts: list[Row]) -> Row:
    """The options of the page's unit and document filters: every value that occurs on it."""
    docs: dict[str, str] = {}
    for row in (*claims, *facts):
        docs.setdefault(row["doc_id"], row.get("outlet") or row.get("title") or "")
    return {
        "units": sorted({c["unit"] for c in claims if c.get("unit")}),
        "docs": sorted(docs.items()),
    }


def shape_claim(row: Row) -> Row:
    return {
        **_sentence(row),
        **shape_source(row),
        "claim_id": row["claim_id"],
        "kind": row["kind"],
        "value": _date_text(row["value"]) if row["kind"] == "date" else format_number(row["value"]),
        "interval": _interval(row),
        "how": _how(row),
        "qualifier": row["qualifier"],
        "unit": row["unit"],
        "subject": row["subject"],
        "scope": _scope(row),
        "scope_type": row["scope_type"],
        "attributed_to": row["attributed_to"],
        "status": row["status"],
        "repeat": bool(row.get("mention_of")),
    }


def _how(row: Row) -> str | None:
    """How the text holds the figure, when not as a plain level asserted: 'change',
    'new level', 'revised from 88', 'denied', 'projected', 'hypothetical'."""
    words = []
    if row.get("change") and row["change"] != "level":
        words.append(str(row["change"]).replace("_", " "))
    stance = row.get("stance")
    if stance and stance != "asserted":
        revises = row.get("revises")
        words.append(f"revised from {format_number(revises)}" if revises is not None else stance)
    return ", ".join(words) or None


def _date_text(days: float | None) -> str | None:
    """A date claim's day number (days since 1970-01-01) as the date it is."""
    if days is None:
        return None
    return (DAY_ZERO + timedelta(days=float(days))).isoformat()


def _interval(row: Row) -> str | None:
    lo, hi = row["low"], row["high"]
    if lo is None and hi is None:
        return None
    if row["kind"] == "date":
        return f"{_date_text(lo) or '…'} to {_date_text(hi) or '…'}"
    lo = -math.inf if lo is None else lo
    hi = math.inf if hi is None else hi
    return format_interval(lo, hi, bool(row["low_inclusive"]), bool(row["high_inclusive"]))


def shape_fact(row: Row) -> Row:
    return {
        **_sentence(row),
        **shape_source(row),
        "claim_id": row.get("claim_id") or row.get("fact_id"),
        **{k: row[k] for k in ("subject", "predicate", "object", "time", "place", "polarity")},
        "attributed_to": row["attributed_to"],
        "relations": row.get("relations"),
        "in_conflict": bool(row.get("in_conflict")),
    }


def _sentence(row: Row) -> Row:
    """The sentence split around the span: before / span / after. The stored offset is trusted
    only when it points at the span; otherwise the span's first occurrence is shown, and when
    the span is not in the sentence at all nothing is highlighted."""
    sentence, span, offset = row["sentence"] or "", row["span"] or "", row["span_offset"]
    if offset is None or offset < 0 or sentence[offset : offset + len(span)] != span:
        offset = sentence.find(span) if span else -1
    if offset < 0:
        return {"span": span, "before": sentence, "mark": "", "after": ""}
    end = offset + len(span)
    return {"span": span, "before": sentence[:offset], "mark": span, "after": sentence[end:]}


def shape_source(row: Row) -> Row:
    source = {k: row[k] for k in SOURCE_FIELDS}
    source["published"] = iso_day(row["published"])
    source["href"] = safe_href(row["url"])
    return source


def _scope(row: Row) -> str:
    start, end = iso_day(row["as_of_start"]), iso_day(row["as_of_end"])
    when = f"{start} to {end}" if start and end and start != end else (start or end or "no date")
    basis, text = row["time_basis"], row["time_text"]
    if basis == "explicit" and text:
        return f"{when} (from “{text}”)"
    if basis == "published":
        return f"{when} (publication date)"
    return when if basis == "explicit" else f"{when} ({basis})"


def _by_document(rows: list[Row]) -> list[Row]:
    """Rows grouped by document, in row order."""
    groups: dict[str, Row] = {}
    for row in rows:
        group = groups.setdefault(
            row["doc_id"],
            {
                "source": {k: row[k] for k in (*SOURCE_FIELDS, "href")},
                "rows": [],
                "count": Counter(),
            },
        )
        group["rows"].append(row)
    return list(groups.values())


def shape_run(run: Row) -> Row:
    return {
        **run,
        "started_at": _moment(run["started_at"]),
        "finished_at": _moment(run["finished_at"]),
        "run_time": _duration(run["run_time"]),
        "gate": "skipped"
        if run["status"] == "skipped"
        else {True: "passed", False: "failed"}.get(run["gate_passed"], "not run"),
        "gate_words": gate_words(run["status"], run["gate_passed"], run["documents"]),
        "inputs": run["inputs"] or [],
        "failed_expectations": run["failed_expectations"] or [],
    }


def _rule_meaning(code: str) -> str:
    try:
        return Rule(code).meaning
    except ValueError:
        return ""


# --- values --------------------------------------------------------------------------------


def plain_rows(frame: pd.DataFrame) -> list[Row]:
    """DataFrame rows as dicts of plain Python values (None for every kind of missing)."""
    return [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray | list | tuple):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value


def _moment(value: object) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else None


def _duration(value: object) -> str | None:
    if not isinstance(value, timedelta):
        return None
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


# --- rendering -----------------------------------------------------------------------------


def _environment(*, autoescape: bool, finalize: Callable[[object], object]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = format_number
    env.filters["counted"] = counted
    return env


def _html_value(value: object) -> object:
    if value is None:
        return "–"
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible_bidi(value)
    return value


def _csp_hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def _ensure_views(db: Path) -> None:
    """Give a database written before the report views existed its views: opening it for writing
    applies pending migrations and recreates every view, and changes no data."""
    with Store(db, read_only=True) as store:
        present = store.view_names()
    if not present.issuperset(REPORT_VIEWS):
        Store(db).close()


def _write_atomically(path: Path, text: str) -> None:
    """Write beside ``path`` and rename, so a reader never sees half a report."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
