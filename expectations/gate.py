"""Run the suites on a run's staged tables: the audit step of write-audit-publish.

GX 1.x has no DuckDB data source, and its SQL route through duckdb-engine returns empty
results (GX issues 11579, 10738), so the staged tables are validated as pandas DataFrames with
GX's pandas data source. The GX context is ephemeral (in memory: nothing is written to the
repo or the working directory) and is built once per process, because building it and the
suites costs seconds while a validation costs milliseconds.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.data_context import EphemeralDataContext
from great_expectations.data_context.store.store import DataDocsSiteConfigTypedDict
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from expectations.suites import INDEX_COLUMNS, TABLES, build_suite, prepare_frames

DATA_SOURCE = "staging"
BATCH_DEFINITION = "whole_table"
DOCS_SITE = "claims_gate"
# Offending rows named per failed expectation; the full counts are in ``results``.
SAMPLES = 3
SAMPLE_CHARS = 60


@dataclass(frozen=True)
class GateResult:
    """What the gate decided about one staged state."""

    passed: bool
    failed: list[str]
    """Failed expectations in words: ``<suite>: <type>(<column>) — <n> unexpected, e.g. ...``."""
    results: dict[str, Any]
    """Per suite, the GX validation result as JSON (``describe_dict``)."""
    data_docs: Path | None
    """index.html of the GX Data Docs, when they were written."""


@dataclass(frozen=True)
class _Gate:
    context: EphemeralDataContext
    definitions: dict[str, gx.ValidationDefinition]


# One ephemeral context is shared by every caller in the process, and its stores are not
# thread-safe; Prefect may run tasks in threads.
_LOCK = threading.Lock()


@functools.cache
def _gate() -> _Gate:
    """The context with one data asset, suite and validation definition per table."""
    # GX logs at INFO about stores and data sources; the CLI prints its own summary.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    context = gx.get_context(project_config=config, mode="ephemeral")
    source = context.data_sources.add_pandas(DATA_SOURCE)
    definitions = {}
    for table in TABLES:
        batch = source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(
            BATCH_DEFINITION
        )
        suite = context.suites.add(build_suite(table))
        definitions[table] = context.validation_definitions.add(
            gx.ValidationDefinition(name=table, data=batch, suite=suite)
        )
    return _Gate(context=context, definitions=definitions)


def warm_up() -> None:
    """Build the GX context and suites now rather than in the first :func:`run_gate`."""
    with _LOCK:
        _gate()


def run_gate(
    frames: Mapping[str, pd.DataFrame], *, data_docs_dir: Path | None = None
) -> GateResult:
    """Validate the staged tables; one suite per table ("documents", "claims", "facts", "claim_relations").

    ``frames`` is :meth:`claims.store.Store.staging_frames`. The gate passes only if every
    expectation of every suite passes; an empty table passes, a missing one fails.
    With ``data_docs_dir``, GX Data Docs for this validation are written there and
    ``data_docs`` points at their index.html; otherwise nothing is written anywhere.
    """
    prepared = prepare_frames(frames)
    with _LOCK:
        gate = _gate()
        try:
            validations = {
                table: gate.definitions[table].run(
                    batch_parameters={"dataframe": prepared[table]},
                    result_format={
                        "result_format": "SUMMARY",
                        "unexpected_index_column_names": list(INDEX_COLUMNS[table]),
                        # Twice the samples shown: duplicates (a repeated id) are folded.
                        "partial_unexpected_count": 2 * SAMPLES,
                    },
                )
                for table in TABLES
            }
            docs = _build_data_docs(gate.context, data_docs_dir) if data_docs_dir else None
        finally:
            _forget_results(gate.context)
    failed = [
        message
        for table, validation in validations.items()
        for message in failed_expectations(table, validation)
    ]
    return GateResult(
        passed=all(v.success for v in validations.values()),
        failed=failed,
        results={table: v.describe_dict() for table, v in validations.items()},
        data_docs=docs,
    )


def _build_data_docs(context: EphemeralDataContext, directory: Path) -> Path:
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    site: DataDocsSiteConfigTypedDict = {
        "class_name": "SiteBuilder",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(directory),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    sites = context.config.data_docs_sites or {}
    if DOCS_SITE in sites:
        context.update_data_docs_site(DOCS_SITE, site)
    else:
        context.add_data_docs_site(DOCS_SITE, site)
    context.build_data_docs(site_names=[DOCS_SITE])
    return directory / "index.html"


def _forget_results(context: EphemeralDataContext) -> None:
    """Drop stored validation results: a long-lived process would otherwise keep every run's."""
    store = context.validation_results_store
    for key in store.list_keys():
        store.remove_key(key)  # type: ignore[no-untyped-call]  # GX leaves it unannotated


# --- failure messages -----------------------------------------------------------------------


def _columns(kwargs: Mapping[str, Any]) -> str:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return ""


def _short(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


def _samples(result: Mapping[str, Any]) -> list[str]:
    """Up to SAMPLES offending rows, named by their index columns and checked values."""
    rows = result.get("partial_unexpected_index_list") or []
    if rows and isinstance(rows[0], Mapping):
        # The row's ids first, then the values that broke the rule.
        ids = [c for c in result.get("unexpected_index_column_names") or [] if c in rows[0]]
        order = [*ids, *(k for k in rows[0] if k not in ids)]
        found = [" ".join(f"{k}={_short(row.get(k))}" for k in order) for row in rows]
    else:
        found = [_short(v) for v in result.get("partial_unexpected_list") or []]
    return list(dict.fromkeys(found))[:SAMPLES]


def describe_failure(table: str, outcome: ExpectationValidationResult) -> str:
    """One failed expectation in words, naming the rule and a few offending rows."""
    config = outcome.expectation_config
    kind = config.type if config else "expectation"
    kwargs = config.kwargs if config else {}
    rule = f" ({config.description})" if config and config.description else ""
    head = f"{table}: {kind}({_columns(kwargs) or table})"
    error = _exception_message(outcome.exception_info)
    if error is not None:
        return f"{head} — could not be evaluated: {_short(error)}{rule}"
    result = outcome.result or {}
    if "unexpected_count" in result:
        samples = _samples(result)
        example = f", e.g. {'; '.join(samples)}" if samples else ""
        return f"{head} — {result['unexpected_count']} unexpected{example}{rule}"
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    if mismatched.get("missing"):
        return f"{head} — missing columns: {', '.join(mismatched['missing'])}{rule}"
    return f"{head} — observed {_short(result.get('observed_value'))}{rule}"


def _exception_message(info: Mapping[str, Any] | None) -> str | None:
    """The error that kept an expectation from being evaluated, if any.

    GX reports it either flat or, when a metric failed (e.g. a missing column), keyed by metric.
    """
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for nested in info.values():
        if isinstance(nested, Mapping) and nested.get("raised_exception"):
            return str(nested.get("exception_message"))
    return None


def failed_expectations(table: str, validation: ExpectationSuiteValidationResult) -> list[str]:
    """The failed expectations of one suite's validation, in words.

    When columns are missing, the column-set failure names them and stands in for every
    expectation that could not be evaluated for lack of them.
    """
    failed = [r for r in validation.results if not r.success]
    columns_missing = any(
        r.expectation_config and r.expectation_config.type == "expect_table_columns_to_match_set"
        for r in failed
    )
    if not columns_missing:
        return [describe_failure(table, r) for r in failed]
    evaluated = [r for r in failed if _exception_message(r.exception_info) is None]
    messages = [describe_failure(table, r) for r in evaluated]
    skipped = len(failed) - len(evaluated)
    if skipped:
        messages.append(f"{table}: {skipped} more expectations could not be evaluated")
    return messages
