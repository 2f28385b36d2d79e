"""The ``claims`` command line. Expected failures print one line and exit 2; a failed gate exits 1."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from claims.errors import ClaimsError
from claims.settings import Settings

EXIT_GATE_FAILED = 1
EXIT_ERROR = 2


def prefect_environment(home: Path | None = None) -> None:
    """Offline, quiet Prefect defaults; anything the user exported wins.

    Must run before Prefect is imported: it reads its settings at import time.
    """
    defaults = {
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
        "PREFECT_HOME": str(home or Path.cwd() / ".prefect"),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "GX_ANALYTICS_ENABLED": "false",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def cmd_run(args: argparse.Namespace) -> int:
    prefect_environment()
    if args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    from flows.verify_claims import verify_claims

    state = verify_claims(
        paths=[str(p) for p in args.paths] or None,
        db=str(args.db) if args.db else None,
        reports_dir=str(args.reports) if args.reports else None,
        return_state=True,
    )
    summary = state.result(raise_on_failure=False)
    if isinstance(summary, BaseException):
        if isinstance(summary, ClaimsError):
            raise summary
        raise ClaimsError(f"the run failed: {type(summary).__name__}: {summary}") from summary
    if not args.quiet or not summary.gate_passed:
        print(render_summary(summary, Settings(**_db_override(args))))
    return 0 if summary.gate_passed else EXIT_GATE_FAILED


def render_summary(summary: object, settings: Settings) -> str:
    from claims.models import RunSummary

    assert isinstance(summary, RunSummary)
    gate = "passed" if summary.gate_passed else "FAILED — nothing was published"
    lines = [
        f"run {summary.run_id}",
        f"  documents  {summary.documents} ({summary.documents_extracted} extracted, "
        f"{summary.documents_unchanged} unchanged, {summary.documents_rejected} rejected)",
        f"  claims     {summary.claims} quantity claims, {summary.facts} factual claims",
        f"  relations  {summary.agreements} agreements, {summary.conflicts} conflicts, "
        f"{summary.updates} updates",
        f"  gate       {gate}",
    ]
    lines += [f"             ✗ {name}" for name in summary.failed_expectations[:10]]
    lines.append(f"  database   {settings.db}")
    if summary.report_path:
        lines.append(f"  report     {summary.report_path}")
    return "\n".join(lines)


def _db_override(args: argparse.Namespace) -> dict[str, object]:
    return {"db": args.db} if getattr(args, "db", None) else {}


def cmd_report(args: argparse.Namespace) -> int:
    from claims.report import write_report

    settings = Settings(**_db_override(args))
    out = args.out or settings.reports_dir
    paths = write_report(settings.db, out)
    print(f"report written: {paths.html} (and {paths.markdown.name}, {paths.latest_html.name})")
    return 0


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str, str]] = {
    "run": (
        cmd_run,
        "Run the verify-claims flow over articles and publish through the gate.",
        "examples:\n  claims run                      # the demo corpus in seeds/\n"
        "  claims run inbox/ extra.jsonl --db news.duckdb\n"
        "exit status: 0 published, 1 the gate failed (nothing published), 2 error",
    ),
    "report": (
        cmd_report,
        "Rewrite the flagged-claims report (HTML + Markdown) from the database.",
        "examples:\n  claims report\n  claims report --db news.duckdb --out /tmp/review",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="claims",
        description="Extract numeric and factual claims from news, cross-check them across "
        "articles, and publish them to DuckDB through a validation gate.",
        epilog="Settings come from CLAIMS_* environment variables (CLAIMS_DB, CLAIMS_SPACY_MODEL, "
        "...); see README.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (func, help_text, epilog) in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        p.add_argument("--db", type=Path, help="DuckDB file (default: $CLAIMS_DB or claims.duckdb)")
        if name == "run":
            p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
            p.add_argument("--reports", type=Path, help="report folder (default: reports/)")
            p.add_argument("-q", "--quiet", action="store_true", help="print only on failure")
            p.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
        if name == "report":
            p.add_argument("--out", type=Path, help="report folder (default: reports/)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ClaimsError as e:
        print(f"claims: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("claims: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
