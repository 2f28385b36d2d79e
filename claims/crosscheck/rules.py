"""Reason codes of cross-document relations, defined only here.

The report, the UI and SQL filters rely on the values (``claim_relations.rule``); a code is
never renamed, only added.
"""

from __future__ import annotations

from enum import StrEnum

from claims.models import RelationKind


class Rule(StrEnum):
    """Why two claims got their relation."""

    AGREE_OVERLAP = "AGREE_OVERLAP"
    CONFLICT_DISJOINT_SAME_TIME = "CONFLICT_DISJOINT_SAME_TIME"
    CONFLICT_DENIED = "CONFLICT_DENIED"
    UPDATE_DIFFERENT_TIME = "UPDATE_DIFFERENT_TIME"
    UPDATE_REVISED = "UPDATE_REVISED"
    UPDATE_PROVISIONAL = "UPDATE_PROVISIONAL"
    UPDATE_CUMULATIVE_GROWTH = "UPDATE_CUMULATIVE_GROWTH"
    FACT_AGREE_TRIPLE = "FACT_AGREE_TRIPLE"
    FACT_CONFLICT_TIME = "FACT_CONFLICT_TIME"
    FACT_CONFLICT_POLARITY = "FACT_CONFLICT_POLARITY"
    FACT_CONFLICT_PLACE = "FACT_CONFLICT_PLACE"

    @property
    def relation(self) -> RelationKind:
        """The relation this rule records: agree, conflict or update."""
        return MEANINGS[self][0]

    @property
    def meaning(self) -> str:
        """One sentence for docs and reports."""
        return MEANINGS[self][1]


MEANINGS: dict[Rule, tuple[RelationKind, str]] = {
    Rule.AGREE_OVERLAP: ("agree", "Same quantity; the intervals the wordings assert overlap."),
    Rule.CONFLICT_DISJOINT_SAME_TIME: (
        "conflict",
        "Same quantity at the same time, intervals disjoint: both cannot be true.",
    ),
    Rule.CONFLICT_DENIED: (
        "conflict",
        "A figure one source reports and another source reports as denied or refuted.",
    ),
    Rule.UPDATE_DIFFERENT_TIME: (
        "update",
        "Same moving figure (a toll, a count, a running total) at different times: the newer "
        "figure supersedes.",
    ),
    Rule.UPDATE_REVISED: (
        "update",
        "The later figure is presented as a revision or correction: it replaces the earlier one.",
    ),
    Rule.UPDATE_PROVISIONAL: (
        "update",
        "A provisional or partial figure (so far, with part of the count in) against another of "
        "the same time: stages of one count, not a contradiction.",
    ),
    Rule.UPDATE_CUMULATIVE_GROWTH: (
        "update",
        "Same running total at close but different dates and the newer one higher: it grew.",
    ),
    Rule.FACT_AGREE_TRIPLE: ("agree", "Same triple; time, place and polarity do not contradict."),
    Rule.FACT_CONFLICT_TIME: ("conflict", "Same one-off event triple at disjoint times."),
    Rule.FACT_CONFLICT_POLARITY: ("conflict", "Same triple, asserted by one and denied by one."),
    Rule.FACT_CONFLICT_PLACE: ("conflict", "Same event triple placed in different places."),
}
