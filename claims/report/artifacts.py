"""What a flow run shows in the Prefect UI: a Markdown summary and a table of flags.

The content is built here from the published tables and the ``runs`` row, through the same
views and shaping as the HTML report (``claims.report.read_report``), so the UI, the report and
SQL agree. Publishing it is the flow's job (``flows/verify_claims.py``): this module does not
import Prefect.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claims.report.html import DATA_DOCS_INDEX, counted, markdown_value, read_report

# Artifact keys: lowercase letters, digits and dashes (Prefect's rule). One key each, so the UI's
# Artifacts page shows every run's version of the summary and of the flags as one history.
SUMMARY_KEY = "claims-summary"
FLAGS_KEY = "claims-flags"
# Relations a reviewer must look at; agreements are counted in the summary only.
FLAG_RELATIONS = ("conflict", "update")
# The UI renders a table artifact in full; past this many rows the report is the better view.
MAX_FLAG_ROWS = 500
# Conflicts listed by name in the summary, strongest first.
TOP_CONFLICTS = 10

Row = dict[str, Any]


@dataclass(frozen=True)
class RunArtifacts:
    """The artifacts of one run, ready for ``create_markdown_artifact``/``create_table_artifact``."""

    summary: str
    summary_description: str
    flags: list[Row]
    flags_description: str


def run_artifacts(
    db: Path, run_id: str | None = None, *, reports_dir: Path | None = None
) -> RunArtifacts:
    """The summary and flags of run ``run_id`` (None: the latest run) from the database ``db``.

    ``reports_dir`` is where the run's report and GX Data Docs were written; their paths are
    named in the summary when they exist. Raises ``StoreError`` like ``read_report``.
    """
    # The table shows at most MAX_FLAG_ROWS, so no list needs to be read further than that.
    context = read_report(Path(db), run_id, limit=MAX_FLAG_ROWS)
    pairs = [p for s in context["sections"] for p in s["pairs"]] + context["fact_pairs"]
    flagged = [p for p in pairs if p["relation"] in FLAG_RELATIONS]
    rows = [flag_row(p) for p in flagged[:MAX_FLAG_ROWS]]
    totals = context["totals"]
    total = sum(
        totals[f"{kind}_{rel}"] or 0
        for kind in ("quantity", "fact")
        for rel in ("conflicts", "updates")
    )
    shown = f"{len(rows)} of {total:,}" if total > len(rows) else str(len(rows))
    run = context["run"]
    title = f"run {run['run_id']}" if run else "no run recorded"
    return RunArtifacts(
        summary=summary_markdown(context, reports_dir),
        summary_description=f"Claims verification summary, {title}.",
        flags=rows,
        flags_description=(
            f"Conflicts and updates to review ({shown}), conflicts first, strongest first; "
            "record a decision with `claims review RELATION_ID --confirm|--dismiss`."
        ),
    )


def flag_row(pair: Row) -> Row:
    """One relation as a flat row: both claims with their sources, the reason and the score."""
    a, b = pair["sides"]
    return {
        "relation": pair["relation"],
        "type": pair["claim_type"],
        "score": round(float(pair["score"]), 2),
        "review": pair["verdict"] or "open",
        "claim_a": a["span"],
        "interval_a": a.get("interval") or "",
        "source_a": _source(a),
        "claim_b": b["span"],
        "interval_b": b.get("interval") or "",
        "source_b": _source(b),
        "reason": pair["reason"],
        "relation_id": pair["relation_id"],
    }


def summary_markdown(context: Row, reports_dir: Path | None = None) -> str:
    """The run in a few lines of Markdown: outcome, counts, failed expectations, top conflicts."""
    run, totals = context["run"], context["totals"]
    lines: list[str] = []
    if run is None:
        lines += ["# No run recorded", "", "The database has no runs yet."]
    else:
        outcome = "published" if run["gate"] == "passed" else f"{run['status']}, nothing published"
        if run["gate"] == "skipped":
            outcome = "skipped, " + run["gate_words"].removeprefix("not run: ")
        lines += [
            f"# Claims run: {markdown_value(outcome)}",
            "",
            "| | |",
            "|---|---|",
            f"| run | `{run['run_id']}` |",
            f"| gate | **{markdown_value(run['gate_words'])}** |",
            f"| run time | {markdown_value(run['run_time'] or 'unfinished')} |",
            f"| documents | {run['documents']} read ({run['documents_extracted']} extracted, "
            f"{run['documents_unchanged']} unchanged), {run['documents_rejected']} rejected |",
            f"| claims | {run['claims']} quantity, {run['facts']} factual |",
            f"| relations | {counted(run['conflicts'], 'conflict')}, "
            f"{counted(run['updates'], 'update')}, {counted(run['agreements'], 'agreement')} |",
        ]
        if run["failed_expectations"]:
            lines += ["", "## Failed expectations", ""]
            lines += [f"- {markdown_value(f)}" for f in run["failed_expectations"]]
    lines += [
        "",
        f"Published now: {totals['documents']} documents, {totals['claims']} quantity claims "
        f"({totals['contested']} contested, {totals['updated']} updated, "
        f"{totals['corroborated']} corroborated, {totals['single_source']} single-source), "
        f"{totals['facts']} factual claims.",
    ]
    conflicts = [p for s in context["sections"] if s["relation"] == "conflict" for p in s["pairs"]]
    conflicts += [p for p in context["fact_pairs"] if p["relation"] == "conflict"]
    conflicts.sort(key=lambda p: -p["score"])
    if conflicts:
        lines += ["", f"## Strongest conflicts ({min(len(conflicts), TOP_CONFLICTS)} shown)", ""]
        for n, p in enumerate(conflicts[:TOP_CONFLICTS], 1):
            a, b = p["sides"]
            lines.append(
                f"{n}. “{markdown_value(a['span'])}” ({markdown_value(_source(a))}) vs "
                f"“{markdown_value(b['span'])}” ({markdown_value(_source(b))}): "
                f"{markdown_value(p['reason'])} Score {p['score']:.2f}, "
                f"`{p['relation_id']}`."
            )
    lines += ["", *_where(run, reports_dir)]
    return "\n".join(lines).rstrip() + "\n"


def _where(run: Row | None, reports_dir: Path | None) -> list[str]:
    """Where to look next: the report, the Data Docs, the SQL that lists the flags."""
    out = []
    if run and run.get("report_path"):
        out.append(f"- Report: `{run['report_path']}`")
    if reports_dir is not None and (Path(reports_dir) / DATA_DOCS_INDEX).is_file():
        out.append(f"- Validation results (GX Data Docs): `{Path(reports_dir) / DATA_DOCS_INDEX}`")
    out.append(
        "- Flags in SQL: `claims query \"SELECT * FROM review_queue WHERE status = 'open'\"`"
    )
    return out


def _source(side: Row) -> str:
    name = side.get("outlet") or side.get("title") or side["doc_id"]
    return f"{name}, {side.get('published') or 'no date'}"
