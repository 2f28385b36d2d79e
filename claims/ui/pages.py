"""What the review UI's pages show, read from the database and shaped for its templates.

Flags are grouped the way a fact-checker reads them: by story (when the database has
``documents.story_id``), then by quantity: the quantity claims joined by relations form one group,
every claim of that quantity side by side across outlets on a timeline. Groups with a conflict
come first, then the best-scored. Facts' relations are groups of their own.

Everything is read through ``Store`` from the public tables and the ``report`` views, so the UI,
the report and SQL agree; this module never writes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claims.models import VERDICTS
from claims.report.chart import Chart, build_chart
from claims.report.html import (
    plain_rows,
    shape_claim,
    shape_fact,
    shape_run,
    shape_source,
)
from claims.store import Store

Row = dict[str, Any]

# Characters of article text shown around a claim's sentence, each side.
CONTEXT_CHARS = 280
# Groups per page; the filters narrow a large database down.
GROUPS_PER_PAGE = 40
RELATION_CHOICES = {
    "flags": ("conflict", "update"),
    "conflict": ("conflict",),
    "update": ("update",),
    "agree": ("agree",),
    "all": ("conflict", "update", "agree"),
}
STATUS_CHOICES = ("all", "open", "decided")


@dataclass(frozen=True)
class Filters:
    """The flags page's filters, as given in its query string."""

    relation: str = "flags"
    status: str = "all"
    new: bool = False
    story: str = ""
    outlet: str = ""
    unit: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> Filters:
        relation = params.get("relation", "flags")
        status = params.get("status", "all")
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            relation=relation if relation in RELATION_CHOICES else "flags",
            status=status if status in STATUS_CHOICES else "all",
            new=params.get("new") in ("1", "on", "true"),
            story=params.get("story", ""),
            outlet=params.get("outlet", ""),
            unit=params.get("unit", ""),
            page=page,
        )

    def query(self, **changes: object) -> dict[str, str]:
        """The query string of these filters with ``changes``, defaults left out."""
        values = {**self.__dict__, **changes}
        out = {}
        for key, default in Filters().__dict__.items():
            value = values[key]
            if value != default:
                out[key] = "1" if value is True else str(value)
        return out


@dataclass
class Group:
    """One quantity (or one fact relation) and every flag about it."""

    key: str
    title: str
    unit: str
    story: Row | None
    flags: list[Row] = field(default_factory=list)
    chart: Chart | None = None

    @property
    def has_conflict(self) -> bool:
        return any(f["relation"] == "conflict" for f in self.flags)

    @property
    def best(self) -> float:
        return float(max(f["score"] for f in self.flags))

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(f["relation"] for f in self.flags))

    @property
    def outlets(self) -> list[str]:
        seen: dict[str, None] = {}
        for f in self.flags:
            for s in f["sides"]:
                seen.setdefault(s["outlet"] or s["doc_id"], None)
        return list(seen)


def flag_sides(store: Store, relations: tuple[str, ...], only: str | None = None) -> list[Row]:
    """Both sides of every relation of the given kinds (or of the one relation ``only``), with a
    window of article text around each claim's sentence, its story and whether it is new."""
    return plain_rows(store.flag_sides(relations, only, context_chars=CONTEXT_CHARS))


def load_flags(store: Store, filters: Filters) -> Row:
    """Groups of flags for the flags page, filtered and paged, with the filters' choices."""
    relations = RELATION_CHOICES[filters.relation]
    sides = flag_sides(store, relations)
    latest = store.latest_published_run()
    flags = pair_sides(sides, latest)
    # Each filter's options with how many flags each would show, as datasette's facets do.
    stories: Counter[tuple[str, str]] = Counter(
        (f["story"]["id"], f["story"]["label"]) for f in flags if f["story"]
    )
    outlets: Counter[str] = Counter(
        o for f in flags for o in {s["outlet"] for s in f["sides"] if s["outlet"]}
    )
    units: Counter[str] = Counter(
        u for f in flags for u in {s.get("unit") for s in f["sides"] if s.get("unit")}
    )
    choices = {
        "stories": sorted(((i, label, n) for (i, label), n in stories.items()), key=lambda s: s[1]),
        "outlets": sorted(outlets.items()),
        "units": sorted(units.items()),
    }
    total = len(flags)
    flags = [f for f in flags if _keep(f, filters)]
    groups = group_flags(flags, sides)
    pages = max(1, math.ceil(len(groups) / GROUPS_PER_PAGE))
    start = (filters.page - 1) * GROUPS_PER_PAGE
    shown = groups[start : start + GROUPS_PER_PAGE]
    for g in shown:
        g.chart = _chart(g, sides)
    return {
        "groups": shown,
        "group_count": len(groups),
        "flag_count": len(flags),
        "total": total,
        "open": sum(1 for f in flags if f["verdict"] is None),
        "new": sum(1 for f in flags if f["new"]),
        "pages": pages,
        "choices": choices,
        "stories": bool(choices["stories"]),
        "latest_run": latest,
    }


def load_flag(store: Store, relation_id: str) -> Row | None:
    """One flag (its permalink page), or None."""
    sides = flag_sides(store, RELATION_CHOICES["all"], only=relation_id)
    flags = pair_sides(sides, store.latest_published_run())
    if not flags:
        return None
    groups = group_flags(flags, sides)
    groups[0].chart = _chart(groups[0], sides)
    history = plain_rows(store.verdicts(relation_id))
    for h in history:
        h["label"] = VERDICTS.get(h["decision"], h["decision"])
    return {"group": groups[0], "flag": flags[0], "history": history}


def pair_sides(sides: list[Row], latest_run: str | None) -> list[Row]:
    """One flag per relation, its two sides shaped as the report shapes them, plus context."""
    flags: dict[str, Row] = {}
    for row in sides:
        flag = flags.get(row["relation_id"])
        if flag is None:
            verdict = row["review"]
            flag = {
                "relation_id": row["relation_id"],
                "relation": row["relation"],
                "claim_type": row["claim_type"],
                "rule": row["rule"],
                "score": float(row["score"]),
                "reason": row["reason"],
                "shared_terms": row["shared_terms"] or [],
                "verdict": verdict,
                "verdict_label": VERDICTS.get(verdict, verdict) if verdict else None,
                "note": row["review_note"],
                "reviewer": row["reviewer"],
                "decided_at": row["decided_at"],
                "new": False,
                "story": None,
                "sides": [],
            }
            flags[row["relation_id"]] = flag
        side = shape_fact(row) if row["claim_type"] == "fact" else shape_claim(row)
        side.update(_context(row))
        side["doc_url"] = row["doc_id"]
        flag["sides"].append(side)
        flag["new"] = flag["new"] or (latest_run is not None and row["extracted_run"] == latest_run)
        if row["story_id"] is not None and flag["story"] is None:
            flag["story"] = {"id": str(row["story_id"]), "label": row["story_label"] or ""}
    return list(flags.values())


def group_flags(flags: list[Row], sides: list[Row]) -> list[Group]:
    """Quantity flags joined through shared claims form one group (a connected component);
    each fact flag is a group of its own. Conflicts first, then the best score."""
    by_id = {f["relation_id"]: f for f in flags}
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    claims_of: dict[str, list[str]] = defaultdict(list)
    for row in sides:
        if row["relation_id"] in by_id:
            claims_of[row["relation_id"]].append(row["claim_id"])
    for rid, claims in claims_of.items():
        if by_id[rid]["claim_type"] == "quantity" and len(claims) == 2:
            parent[root(claims[0])] = root(claims[1])
    groups: dict[str, Group] = {}
    for flag in flags:
        claims = claims_of[flag["relation_id"]]
        key = root(claims[0]) if flag["claim_type"] == "quantity" else flag["relation_id"]
        group = groups.get(key)
        if group is None:
            first = flag["sides"][0]
            title = (
                f"{first['subject']} · {first['predicate']} · {first['object']}"
                if flag["claim_type"] == "fact"
                else first.get("subject") or first.get("unit") or "quantity"
            )
            group = groups[key] = Group(
                key=key, title=title, unit=first.get("unit") or "", story=flag["story"]
            )
        group.flags.append(flag)
    ordered = sorted(groups.values(), key=lambda g: (not g.has_conflict, -g.best, g.title))
    for g in ordered:
        g.flags.sort(
            key=lambda f: (f["relation"] != "conflict", f["relation"] != "update", -f["score"])
        )
    return ordered


def _keep(flag: Row, f: Filters) -> bool:
    sides = flag["sides"]
    decided = flag["verdict"] is not None
    return (
        (f.status == "all" or (f.status == "decided") == decided)
        and (not f.new or flag["new"])
        and (not f.story or (flag["story"] is not None and flag["story"]["id"] == f.story))
        and (not f.outlet or any(s["outlet"] == f.outlet for s in sides))
        and (not f.unit or any(s.get("unit") == f.unit for s in sides))
    )


def _chart(group: Group, sides: list[Row]) -> Chart | None:
    """The quantity's timeline: every claim of its flags, drawn as the report draws them."""
    if group.flags[0]["claim_type"] != "quantity":
        return None
    wanted = {f["relation_id"] for f in group.flags}
    rows = [r for r in sides if r["relation_id"] in wanted]
    claims: dict[str, Row] = {}
    pairs: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        claims.setdefault(r["claim_id"], r)
        pairs[r["relation_id"]].append(r)
    return build_chart(list(claims.values()), list(pairs.values()))


def _context(row: Row) -> Row:
    """The article text around the claim: what precedes its sentence, the sentence split around
    the claim, and what follows, each cut at a word so that no word is shown in half."""
    window = row.get("window") or ""
    if row["char_start"] is None or row["window_start"] is None:
        return {"context_before": "", "context_after": ""}
    start = row["char_start"] - row["window_start"]
    sentence_start = start - (row["span_offset"] or 0)
    sentence_end = sentence_start + len(row["sentence"] or "")
    if window[start : start + len(row["span"])] != row["span"]:
        return {"context_before": "", "context_after": ""}
    before = window[:sentence_start]
    after = window[sentence_end:]
    if row["window_start"] > 0:
        before = "…" + before[before.find(" ") + 1 :] if " " in before else before
    if len(after) >= CONTEXT_CHARS:
        after = after[: after.rfind(" ")] + "…" if " " in after else after
    return {"context_before": before, "context_after": after}


def load_document(store: Store, doc_id: str) -> Row | None:
    """A document with every claim and fact in its text marked, as nested segments."""
    docs = plain_rows(store.document_row(doc_id))
    if not docs:
        return None
    doc = docs[0]
    claims = plain_rows(store.document_claims(doc_id))
    facts = plain_rows(store.document_facts(doc_id))
    marks = [
        (c["char_start"], c["char_end"], "claim", c["status"], _claim_title(c), c["claim_id"])
        for c in claims
    ] + [
        (f["char_start"], f["char_end"], "fact", "fact", _fact_title(f), f["fact_id"])
        for f in facts
    ]
    source = shape_source({**doc, "url": doc["url"]})
    return {
        "doc": doc,
        "src": source,
        "segments": segments(doc["text"], marks),
        "claims": [shape_claim(c) for c in claims],
        "facts": [shape_fact(f) for f in facts],
        "statuses": Counter(c["status"] for c in claims),
    }


def segments(text: str, marks: list[tuple[int, int, str, str, str, str]]) -> list[Row]:
    """The text as a tree of plain and marked pieces. Marks nest when one lies inside another
    (a figure inside a fact's clause); a mark that would cross another's edge is left out."""
    ordered = sorted(
        (m for m in marks if 0 <= m[0] < m[1] <= len(text)), key=lambda m: (m[0], -m[1])
    )
    root: Row = {"children": [], "end": len(text)}
    stack = [root]
    pos = 0

    def emit(upto: int) -> None:
        nonlocal pos
        if upto > pos:
            stack[-1]["children"].append({"text": text[pos:upto]})
            pos = upto

    for start, end, kind, status, title, ident in ordered:
        while stack[-1] is not root and start >= stack[-1]["end"]:
            emit(stack[-1]["end"])
            stack.pop()
        if end > stack[-1]["end"] or start < pos:
            continue  # crosses an open mark's edge
        emit(start)
        node: Row = {
            "kind": kind,
            "status": status,
            "title": title,
            "id": ident,
            "end": end,
            "children": [],
        }
        stack[-1]["children"].append(node)
        stack.append(node)
    while len(stack) > 1:
        emit(stack[-1]["end"])
        stack.pop()
    emit(len(text))
    children: list[Row] = root["children"]
    return children


def _claim_title(c: Row) -> str:
    interval = shape_claim(c)["interval"] or "vague amount"
    return f"{c['span']}: {interval} {c['unit'] or ''} · {c['status']}".strip()


def _fact_title(f: Row) -> str:
    return f"{f['subject']} · {f['predicate']} · {f['object']}"


def load_runs(store: Store) -> Row:
    runs = [shape_run(r) for r in plain_rows(store.report_runs(every=True))]
    rejected = plain_rows(store.rejections(runs[0]["run_id"] if runs else None))
    return {"runs": runs, "rejected": rejected}


def validation_pages(data_docs: Path) -> list[Row]:
    """The newest GX validation result page of each suite under ``data_docs``: static HTML
    that reads offline (the Data Docs index builds its list with scripts from a CDN)."""
    newest: dict[str, Row] = {}
    root = data_docs / "validations"
    for page in sorted(root.glob("*/*/*/*.html")) if root.is_dir() else []:
        suite, _, stamp = page.relative_to(root).parts[:3]
        if suite not in newest or stamp > newest[suite]["stamp"]:
            newest[suite] = {
                "suite": suite,
                "stamp": stamp,
                "path": page.relative_to(data_docs).as_posix(),
            }
    return sorted(newest.values(), key=lambda v: v["suite"])


__all__ = [
    "Filters",
    "Group",
    "load_document",
    "load_flag",
    "load_flags",
    "load_runs",
    "segments",
    "validation_pages",
]
