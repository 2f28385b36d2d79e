"""The ``claims`` command line. Expected failures print one line and exit 2; a failed gate exits 1."""

from __future__ import annotations

import argparse
import contextlib
import csv
import getpass
import importlib
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from claims import timings
from claims.display import visible_controls
from claims.errors import ClaimsError, ReportNotWritten, describe_failure
from claims.models import VERDICTS, gate_words
from claims.settings import Settings
from claims.wordlists import check_all

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
        # A failed run is reported in one line by the CLI; Prefect's tracebacks still reach the
        # run's logs in the Prefect API (`-v` shows them here too).
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
        "GX_ANALYTICS_ENABLED": "false",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of this command: its options over ``CLAIMS_*`` over the defaults."""
    from pydantic import ValidationError

    given = {
        "db": getattr(args, "db", None),
        "reports_dir": getattr(args, "reports", None),
        "n_process": getattr(args, "processes", None),
    }
    try:
        return Settings(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as e:
        error = e.errors()[0]
        name = "CLAIMS_" + "_".join(str(part) for part in error["loc"]).upper()
        raise ClaimsError(f"{name}: {error['msg']} (got {error.get('input')!r})") from None


def output_folder(path: Path, option: str) -> Path:
    """A folder the command may write into, made if missing; fails in one line if it cannot."""
    if path.exists() and not path.is_dir():
        raise ClaimsError(f"{path}: {option} must be a folder, and this is a file.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ClaimsError(f"{path}: cannot create the folder for {option} ({e.strerror}).") from e
    if not os.access(path, os.W_OK | os.X_OK):
        raise ClaimsError(f"{path}: cannot write in the folder given to {option}.")
    return path


def flow_settings(args: argparse.Namespace) -> Settings:
    """What ``run`` and ``serve`` do before Prefect is imported; the settings the flow gets."""
    prefect_environment()
    # An environment variable, so the worker processes a local Dask cluster spawns inherit it.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if args.verbose else "warning")
    if args.verbose:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    settings = settings_from(args)
    check_all(settings.data_dir)
    return settings


# --- run / report ----------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    if args.timings:
        timings.record()
    settings = flow_settings(args)
    # What would fail the flow at its first step (a missing input, a report folder that is a
    # file or another database's, a busy, foreign or corrupt database) fails here instead, in
    # one line, before Prefect is even imported.
    from claims.ingest import discover
    from claims.report.html import claim_reports_dir
    from claims.store import check_database, run_lock

    with timings.phase("check inputs and database"):
        discover(args.paths or ["seeds"])
        db = settings.db
        new_database = not db.exists()
        check_database(db)
        claim_reports_dir(output_folder(settings.reports_dir, "--reports"), db)
    from claims import reaper

    # Started before Prefect: if this process is killed, what it started is ended too.
    reaper.start()
    from claims import progress
    from flows import api as temporary_api

    # Without a configured API, its server starts now and boots while this process imports
    # Prefect and loads the model (before, Prefect started it only once imported itself).
    own_api = temporary_api.TemporaryApi() if temporary_api.wanted() else None
    with timings.phase("import prefect and the flow"):
        from flows.deployments import configured_flow, extract_ahead, preload_gate, start_api

    flow = configured_flow(
        workers=args.workers, dask_address=args.dask_address, processes=settings.n_process
    )
    with run_lock(db), progress.use(progress.reporter_for(sys.stderr, quiet=args.quiet)):
        try:
            api = own_api or start_api()
            if api is not None:
                # While Prefect's temporary API boots in its own process, this one would only
                # wait: load the model the extraction will need (unless worker processes load
                # their own) and, on a new database, where the gate is sure to run, the gate.
                api.booting.wait()
                if args.workers is None and args.dask_address is None:
                    preload_model(settings)
                if new_database:
                    preload_gate()
                with timings.phase("wait for the Prefect API"):
                    api.wait()
            with timings.phase("flow run"):
                state = flow(
                    paths=[str(p) for p in args.paths] or None,
                    settings=settings,
                    extract_ahead=extract_ahead(args.workers),
                    return_state=True,
                )
        except Exception as e:
            # The orchestration itself failed (the Prefect API went away, or its disk filled).
            raise ClaimsError(f"the run could not be completed: {describe_failure(e)}") from e
    summary = state.result(raise_on_failure=False)
    if args.timings:
        print(timings.table(total=timings.now()), file=sys.stderr)
    if isinstance(summary, ReportNotWritten):
        print(render_summary(summary.summary, settings))
        raise summary
    if isinstance(summary, BaseException):
        run = state.state_details.flow_run_id
        raise ClaimsError(
            f"run {run} failed, nothing was published: {describe_failure(summary)}"
        ) from summary
    if summary.status == "failed":
        raise ClaimsError(f"run {summary.run_id} failed, nothing was published: {summary.error}")
    if summary.documents == 0:
        print(render_summary(summary, settings))
        raise ClaimsError(
            f"no document was read from {', '.join(map(str, args.paths or ['seeds']))} "
            f'({summary.documents_rejected} rejected: `claims query "SELECT * FROM '
            f"rejected_documents WHERE run_id = '{summary.run_id}'\"`); nothing was published"
        )
    failed = summary.status == "gate_failed"
    if not args.quiet or failed:
        print(render_summary(summary, settings))
    return EXIT_GATE_FAILED if failed else 0


def preload_model(settings: Settings) -> None:
    """Import the extractor and load the spaCy model, unless extraction runs in processes of
    its own.

    A model that cannot be loaded is left for the extraction to report, in its own words.
    """
    if settings.n_process > 1:
        return
    from claims.errors import ModelNotInstalled

    with timings.phase("load the extractor and model"), contextlib.suppress(ModelNotInstalled):
        from claims.extract import load_nlp

        # The extraction's own module builds its tables when imported.
        importlib.import_module("claims.extract.pipeline")
        load_nlp(settings)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    settings = flow_settings(args)
    from flows.deployments import serve

    serve(
        args.paths,
        settings,
        cron=args.cron,
        interval=args.interval,
        name=args.name,
        workers=args.workers,
        dask_address=args.dask_address,
    )
    return 0


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_summary(summary: Any, settings: Settings) -> str:
    gate = gate_words(summary.status, summary.gate_passed, summary.documents)
    lines = [
        f"run {summary.run_id}",
        f"  documents  {summary.documents} ({summary.documents_extracted} extracted, "
        f"{summary.documents_unchanged} unchanged, {summary.documents_rejected} rejected)",
        f"  claims     {summary.claims} quantity claims, {summary.facts} factual claims",
        f"  relations  {_n(summary.agreements, 'agreement')}, "
        f"{_n(summary.conflicts, 'conflict')}, {_n(summary.updates, 'update')}"
        + (" (kept: nothing changed)" if summary.relations_recomputed is False else ""),
        f"  gate       {gate}",
    ]
    if summary.finished_at is not None:
        took = (summary.finished_at - summary.started_at).total_seconds()
        lines.append(f"  took       {took:.1f} s")
    lines += [f"             ✗ {name}" for name in summary.failed_expectations[:10]]
    lines.append(f"  database   {settings.db}")
    if summary.report_path:
        lines.append(f"  report     {summary.report_path}")
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    from claims.report import write_report

    settings = settings_from(args)
    limit = settings.report_max_items if args.limit is None else args.limit
    out = output_folder(args.out or settings.reports_dir, "--out")
    try:
        paths = write_report(settings.db, out, limit=limit)
    except OSError as e:
        raise ClaimsError(f"{out}: cannot write the report ({e.strerror or e})") from e
    print(f"report written: {paths.html} (and {paths.markdown.name}, {paths.latest_html.name})")
    return 0


# --- reviewing -------------------------------------------------------------------------------


def cmd_flags(args: argparse.Namespace) -> int:
    from claims.store import Store

    # Agreements are not flags: nothing in them needs a decision. They show when asked for.
    relations = [args.relation] if args.relation else ["conflict", "update"]
    with Store.reader(settings_from(args).db) as store:
        columns, rows = store.review_queue(relations, decided=args.all)
    if args.format == "table":
        print_flags([dict(zip(columns, r, strict=True)) for r in rows])
    else:
        print_rows(columns, rows, args.format)
    return 0


def print_flags(flags: list[dict[str, Any]]) -> None:
    """Each flag as a short block a person reads: both claims with their sources, the verdict
    and the whole reason, wrapped to the terminal."""
    width = min(shutil.get_terminal_size((100, 20)).columns, 120)
    for f in flags:
        verdict = VERDICTS.get(f["status"], f["status"])
        by = f" by {f['reviewer']}" if f["reviewer"] else ""
        print(f"{f['relation_id']}  {f['relation'].upper()}  {verdict}{by}  score {f['score']:.2f}")
        for side in ("a", "b"):
            source = ", ".join(
                str(_plain(v))
                for v in (f[f"outlet_{side}"] or f[f"doc_{side}"], f[f"published_{side}"])
                if v
            )
            print(f"  {side.upper()}  “{f[f'span_{side}']}” ({source})")
        for label, text in (("why", f["reason"]), ("note", f["note"])):
            if text:
                print(
                    textwrap.fill(
                        text, width, initial_indent=f"  {label}  ", subsequent_indent="       "
                    )
                )
        print()
    shown = len(flags)
    print(f"({shown} flag{'' if shown == 1 else 's'})")


def reviewer_name(given: str | None, settings: Settings) -> str:
    """Who is deciding: --reviewer, else CLAIMS_REVIEWER, else the login name."""
    name = given or settings.reviewer or os.environ.get("USER") or os.environ.get("LOGNAME")
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = None
    if not name:
        raise ClaimsError("who is reviewing? give --reviewer NAME or set CLAIMS_REVIEWER")
    return name


def cmd_review(args: argparse.Namespace) -> int:
    from claims.store import Store

    decision = args.verdict or ("confirmed" if args.confirm else "dismissed")
    settings = settings_from(args)
    reviewer = reviewer_name(args.reviewer, settings)
    if not settings.db.exists():
        raise ClaimsError(f"{settings.db}: no such database; run `claims run` first.")
    with Store(settings.db) as store:
        relation_id = store.record_review(args.flag, decision, args.note, reviewer)
    label = VERDICTS[decision]
    code = "" if label == decision else f" ({decision})"
    print(f"{relation_id}: {label}{code}, by {reviewer}")
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from claims.ui import serve

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"claims ui: listening on {args.host}: anyone who can reach it can record verdicts",
            file=sys.stderr,
        )
    serve(settings_from(args), host=args.host, port=args.port)
    return 0


# --- reading the database --------------------------------------------------------------------


def cmd_query(args: argparse.Namespace) -> int:
    from claims.store import Store

    with Store(settings_from(args).db, read_only=True) as store:
        columns, rows = store.query(args.sql)
    print_rows(columns, rows, args.format)
    return 0


# Formats and the extension each writes; an --out with one of these extensions sets the format.
EXPORT_SUFFIXES = {
    "parquet": ".parquet",
    "csv": ".csv",
    "jsonl": ".jsonl",
    "claimreview": ".jsonld",
}
SUFFIX_FORMATS = {
    **{suffix: fmt for fmt, suffix in EXPORT_SUFFIXES.items()},
    ".ndjson": "jsonl",
    ".pq": "parquet",
}


def export_target(fmt: str | None, out: str | None, table: str) -> tuple[str, Path]:
    """The format and the file of an export, from --format and --out; refuses a mismatch."""
    folder = out is not None and (out.endswith(("/", os.sep)) or Path(out).is_dir())
    if out is None or folder:
        fmt = fmt or "parquet"
        name = Path(f"{table}{EXPORT_SUFFIXES[fmt]}")
        if folder:
            assert out is not None
            if not Path(out).is_dir():
                raise ClaimsError(f"--out {out}: no such folder; create it first")
            return fmt, Path(out) / name
        return fmt, name
    path = Path(out)
    implied = SUFFIX_FORMATS.get(path.suffix.lower())
    if fmt is None:
        if implied is None:
            ending = f"the extension {path.suffix}" if path.suffix else "a name without extension"
            raise ClaimsError(
                f"--out {out}: cannot tell the format from {ending}; give --format "
                f"({', '.join(EXPORT_SUFFIXES)}) or end the name in "
                f"{', '.join(EXPORT_SUFFIXES.values())}"
            )
        return implied, path
    if implied is not None and implied != fmt:
        raise ClaimsError(
            f"--out {out} ends in {path.suffix} but --format is {fmt}; "
            f"name it {path.with_suffix(EXPORT_SUFFIXES[fmt]).name} or drop --format"
        )
    return fmt, path


def cmd_export(args: argparse.Namespace) -> int:
    from claims.dbconnect import export_table
    from claims.dbfiles import is_database_file
    from claims.store import Store

    table = args.table or ("claimreview" if args.format == "claimreview" else "claims")
    fmt, out = export_target(args.format, args.out, table)
    if fmt == "claimreview" and args.table:
        raise ClaimsError("ClaimReview exports the decided flags, not a table; leave out --table")
    db = settings_from(args).db
    if fmt != "claimreview":
        count = export_table(db, table, out, fmt)
        print(f"{count} rows of {table} written to {out} ({fmt})")
        return 0
    if is_database_file(out, db):
        raise ClaimsError(
            f"{out}: that is the database {db} or one of its files; choose another --out."
        )
    with Store(db, read_only=True) as store:
        from claims.claimreview import write_claim_reviews

        count = write_claim_reviews(store, out)
    print(f"{count} ClaimReview{'s' if count != 1 else ''} of decided flags written to {out}")
    return 0


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def print_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> None:
    """Rows as an aligned table for people, or csv/json for scripts."""
    if fmt == "json":
        json.dump([dict(zip(columns, map(_plain, r), strict=True)) for r in rows], sys.stdout)
        print()
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    if not columns:
        print("ok")
        return
    width = 60
    cells = [[_cell(v, width) for v in r] for r in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    print(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _cell(value: Any, width: int) -> str:
    # Article text can hold escape sequences and bidi controls: shown, never acted on.
    text = "NULL" if value is None else visible_controls(" ".join(str(_plain(value)).split()))
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the parser ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    func: Callable[[argparse.Namespace], int]
    help: str
    examples: str
    arguments: Callable[[argparse.ArgumentParser], None]


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", type=Path, help="files or folders (default: seeds/)")
    p.add_argument("--reports", type=Path, help="report folder (default: reports/)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only on failure (for cron)")
    p.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    p.add_argument(
        "--timings", action="store_true", help="print where the run's seconds went (to stderr)"
    )
    _dask_args(p)


def _dask_args(p: argparse.ArgumentParser) -> None:
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "-j",
        "--processes",
        type=_positive,
        metavar="N",
        help="extract in N processes on this machine, without Dask (default: CLAIMS_N_PROCESS, 1)",
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="extract on a local Dask cluster of N processes (on 127.0.0.1)",
    )
    where.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="extract on an existing Dask scheduler; only this process writes the database",
    )


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", type=Path, help="files or folders to watch (default: seeds/)"
    )
    p.add_argument("--reports", type=Path, help="report folder (default: reports/)")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--cron", help="cron schedule (default: '0 * * * *', hourly)")
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    p.add_argument("--name", default="scheduled", help="deployment name (default: scheduled)")
    p.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    _dask_args(p)


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, help="report folder (default: reports/)")
    p.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="items per list, best first (default: CLAIMS_REPORT_MAX_ITEMS, 300; 0: all)",
    )


def _format_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format"
    )


def _flags_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="include flags already reviewed")
    p.add_argument("--relation", choices=("conflict", "update", "agree"), help="only this kind")
    _format_arg(p)


def _review_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("flag", help="relation_id, or a unique prefix of it (see `claims flags`)")
    decision = p.add_mutually_exclusive_group(required=True)
    decision.add_argument(
        "--verdict",
        choices=tuple(VERDICTS),
        help="; ".join(f"{k}: {v}" for k, v in VERDICTS.items()),
    )
    decision.add_argument(
        "--confirm", action="store_true", help="the flag is right (--verdict confirmed)"
    )
    decision.add_argument(
        "--dismiss", action="store_true", help="the flag is wrong (--verdict dismissed)"
    )
    p.add_argument("--note", help="why, for the next reviewer and the ClaimReview export")
    p.add_argument(
        "--reviewer", help="who decided (default: $CLAIMS_REVIEWER, else the login name)"
    )


def _ui_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument(
        "--reports", type=Path, help="reports folder with the GX Data Docs (default: the db's)"
    )


def _query_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("sql", help="one SQL statement; the database is opened read-only")
    _format_arg(p)


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=tuple(EXPORT_SUFFIXES),
        help="default: from the extension of --out, else parquet; claimreview: schema.org "
        "ClaimReview JSON-LD of the decided flags",
    )
    p.add_argument("--table", help="table or view (default: claims)")
    p.add_argument(
        "--out",
        help="output file, or a folder to write TABLE.FORMAT into (default: TABLE.FORMAT here)",
    )


COMMANDS: dict[str, Command] = {
    "run": Command(
        cmd_run,
        "Run the verify-claims flow over articles and publish through the gate.",
        "  claims run                        # the demo corpus in seeds/\n"
        "  claims run inbox/ wire.jsonl --db news.duckdb\n"
        "  claims run inbox/ --workers 4     # extraction on a local Dask cluster\n\n"
        "exit status: 0 published, 1 the gate failed (nothing published), 2 error",
        _run_args,
    ),
    "serve": Command(
        cmd_serve,
        "Serve the flow as a Prefect deployment that runs on a schedule (needs a Prefect server).",
        "  export PREFECT_API_URL=http://127.0.0.1:4200/api   # `prefect server start` runs it\n"
        '  claims serve --cron "0 * * * *" inbox/ --db news.duckdb\n'
        "  claims serve --interval 300 inbox/ --dask-address tcp://scheduler:8786\n\n"
        "each run extracts only new or changed documents; stop with Ctrl-C",
        _serve_args,
    ),
    "report": Command(
        cmd_report,
        "Rewrite the flagged-claims report (HTML + Markdown) from the database.",
        "  claims report\n  claims report --db news.duckdb --out /tmp/review",
        _report_args,
    ),
    "flags": Command(
        cmd_flags,
        "List relations waiting for review (conflicts first).",
        "  claims flags\n  claims flags --relation conflict --format csv\n  claims flags --all",
        _flags_args,
    ),
    "review": Command(
        cmd_review,
        "Record a reviewer's decision on a flag; it survives later runs.",
        "  claims review r_3f2a --dismiss --note 'different coalitions'\n"
        "  claims review r_3f2a9c01 --confirm",
        _review_args,
    ),
    "ui": Command(
        cmd_ui,
        "Review flags in the browser: by story and quantity, with verdicts and documents.",
        "  claims ui                          # http://127.0.0.1:8000/\n"
        "  claims ui --db news.duckdb --port 8001\n\n"
        "verdicts go into the reviews table, like `claims review`; stop with Ctrl-C",
        _ui_args,
    ),
    "query": Command(
        cmd_query,
        "Run read-only SQL against the database and print the result.",
        '  claims query "SELECT span_a, span_b, reason FROM flagged_claims"\n'
        '  claims query "SELECT * FROM runs" --format json',
        _query_args,
    ),
    "export": Command(
        cmd_export,
        "Export a table or view to parquet, csv or jsonl.",
        "  claims export --table claims --format parquet --out claims.parquet\n"
        "  claims export --table flagged_claims --format csv",
        _export_args,
    ),
}


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error in one line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_ERROR, f"claims: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="claims",
        description="Extract numeric and factual claims from news, cross-check them across "
        "articles, and publish them to DuckDB through a validation gate.",
        epilog="Settings come from CLAIMS_* environment variables (CLAIMS_DB, CLAIMS_SPACY_MODEL, "
        "...); see README.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        p = sub.add_parser(
            name,
            help=command.help,
            description=command.help,
            epilog="examples:\n" + command.examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=command.func, parser=p)
        p.add_argument("--db", type=Path, help="DuckDB file (default: $CLAIMS_DB or claims.duckdb)")
        command.arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # The subcommand's own usage, not the top-level one: the typo is in its options.
        args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        return int(args.func(args))
    except ClaimsError as e:
        return fail(str(e))
    except MemoryError:
        return fail(
            "out of memory; raise the process's memory limit, or lower CLAIMS_BATCH_SIZE "
            "and -j (each extraction process loads its own model)"
        )
    except BrokenPipeError:
        # The reader of our output went away (`claims query ... | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("claims: interrupted", file=sys.stderr)
        return 130


def fail(message: str) -> int:
    """Print an expected failure as one line (whatever the message held) and return 2."""
    print(f"claims: error: {one_line(message)}", file=sys.stderr)
    return EXIT_ERROR


def one_line(text: str) -> str:
    """A message on one line, any control character in it (a file name's) shown, not acted on."""
    return visible_controls(" ".join(text.split()))


def console() -> NoReturn:
    """The `claims` command: ``main``, then an exit that adds nothing to the output.

    Once the command is done, what the interpreter prints while it shuts down (DuckDB's
    bindings count objects an exception still held as leaks) is noise after a one-line error.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())
    sys.exit(code)


if __name__ == "__main__":
    console()
