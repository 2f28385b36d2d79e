"""The one error hierarchy. The CLI turns these into one line and exit code 2.

Each message names the file or object concerned and what to try next.
"""

from __future__ import annotations


class ClaimsError(Exception):
    """Base class for every error a user of claims can see."""


class InputError(ClaimsError):
    """An input path is missing or unreadable; the run stops before doing anything."""


class DocumentError(ClaimsError):
    """One document cannot be used; it is rejected and the others go on.

    ``source`` names the file (and line, for JSONL); ``reason`` is a short code stored in
    ``rejected_documents.reason``; the message says what is wrong in words.
    """

    def __init__(self, source: str, reason: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = reason
        self.detail = message


class DataFileError(ClaimsError):
    """A word-list file of the data folder (``Settings.data_dir``) is missing or malformed."""


class StoreError(ClaimsError):
    """The DuckDB file cannot be opened or written."""


class LockedError(StoreError):
    """Another run holds the database."""


class ReportNotWritten(ClaimsError):
    """The run was published, but its report could not be written."""

    def __init__(self, summary: object, cause: str) -> None:
        run_id = getattr(summary, "run_id", "?")
        super().__init__(
            f"run {run_id} was published, but its report could not be written: {cause}; "
            f"`claims report` writes it again."
        )
        self.summary = summary


class GateFailed(ClaimsError):
    """The validation gate failed; nothing was published."""

    def __init__(self, run_id: str, failed: list[str]) -> None:
        names = "; ".join(failed[:5]) + (f" (+{len(failed) - 5} more)" if len(failed) > 5 else "")
        super().__init__(
            f"run {run_id}: the gate failed, nothing was published. Failed expectations: {names}. "
            "See runs.failed_expectations or the report for details."
        )
        self.run_id = run_id
        self.failed = failed


class ModelNotInstalled(ClaimsError):
    """The configured spaCy model cannot be loaded."""


OUT_OF_MEMORY = ("failed to map segment", "out of memory", "cannot allocate memory")


def describe_failure(e: BaseException) -> str:
    """The cause of a failed run in one line, for ``runs.error``."""
    if isinstance(e, KeyboardInterrupt):
        return "interrupted"
    first = (str(e).strip().splitlines() or [""])[0]
    if isinstance(e, MemoryError) or any(m in first.lower() for m in OUT_OF_MEMORY):
        return (
            f"out of memory ({type(e).__name__}: {first or 'no detail'}); raise the memory "
            "limit, or lower CLAIMS_BATCH_SIZE and -j"
        )
    if isinstance(e, ClaimsError):
        return first
    return f"{type(e).__name__}: {first}" if first else type(e).__name__
