"""The real-news gold (bench/news/gold.json): load it, locate it in the ingested texts, check it.

    .venv/bin/python bench/newsgold.py [bench/news | bench/news/<story>]    # check, print problems
    .venv/bin/python bench/newsgold.py --merge bench/news   # a story's own gold.json joins gold.json

A story folder may hold its own ``gold.json`` while it is written; ``--merge`` joins them into
``bench/news/gold.json``. The checks are those of ``bench/news/GUIDE.md``: every quote and span
found in the text the pipeline ingests, fields and intervals consistent, ids unique, and a
relation for every pair of first mentions of one quantity in different articles.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.ingest import ingest
from claims.settings import Settings

NEWS = Path(__file__).resolve().parent / "news"
KINDS = {"count", "money", "percent", "ordinal", "duration", "measure", "date"}
RELATIONS = {"agree", "conflict", "update", "none", "unrelated-same-number"}
CHANGES = {"level", "change", "new_level"}
STANCES = {"asserted", "revised", "denied", "projected", "hypothetical"}
CASES = {
    "revision",
    "denial",
    "running-total",
    "hedge",
    "unit-conversion",
    "parts-sum",
    "event-date",
    "rounding",
    "projection",
    "part-whole",
    "change-vs-level",
    "unrelated-same-number",
}
CLAIM_FIELDS = (
    "id",
    "file",
    "quote",
    "span",
    "kind",
    "value",
    "low",
    "high",
    "low_inclusive",
    "high_inclusive",
    "qualifier",
    "unit",
    "subject",
    "quantity",
    "as_of",
)
AS_OF = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?$")


@dataclass
class Located:
    """A gold claim and where its span sits in the ingested text."""

    claim: dict[str, Any]
    start: int
    end: int


@dataclass
class Gold:
    data: dict[str, Any]
    texts: dict[str, str]  # file -> ingested text
    located: dict[str, Located] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def claims(self) -> list[dict[str, Any]]:
        claims: list[dict[str, Any]] = self.data["quantity_claims"]
        return claims

    def first_mentions(self) -> list[dict[str, Any]]:
        return [c for c in self.claims if not c.get("mention_of")]


def find(text: str, needle: str, start: int = 0, end: int | None = None) -> list[int]:
    """Start offsets of ``needle`` in ``text[start:end]``, any run of whitespace matching any
    other (hard-wrapped text breaks lines where the annotation has spaces)."""
    words = needle.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    stop = len(text) if end is None else end
    return [m.start() for m in pattern.finditer(text, start, stop)]


def span_end(text: str, start: int, needle: str) -> int:
    pattern = re.compile(r"\s+".join(re.escape(w) for w in needle.split()))
    match = pattern.match(text, start)
    assert match is not None
    return match.end()


def article_tree(files: list[str], dest: Path) -> Path:
    """Copy the listed articles to ``dest`` under their story folders, so that a run reads
    them (and not the guide or the notes) with the document ids the gold uses."""
    for rel in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NEWS / rel, target)
    return dest


def read_texts(files: list[str]) -> tuple[dict[str, str], list[str]]:
    """The text the pipeline stores for each article (front matter stripped, HTML reduced)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = ingest([article_tree(files, Path(tmp))], Settings())
    texts = {doc.doc_id: doc.text for doc in result.documents}
    problems = [
        f"{r.source_path}: rejected by ingest: {r.reason} ({r.detail})" for r in result.rejected
    ]
    problems += [f"{f}: listed in documents but not read" for f in files if f not in texts]
    return texts, problems


def load(root: Path) -> Gold:
    """The gold of a story folder, or of the whole corpus (``bench/news``: every story's
    ``gold.json``, else the merged ``gold.json``)."""
    stories = sorted(root.glob("*/gold.json"))
    if (root / "gold.json").exists() and (root != NEWS or not stories):
        data = json.loads((root / "gold.json").read_text(encoding="utf-8"))
    elif stories:
        data = merge([json.loads(p.read_text(encoding="utf-8")) for p in stories])
    else:  # one story of the merged gold
        data = of_story(json.loads((NEWS / "gold.json").read_text(encoding="utf-8")), root.name)
    files = [d["file"] for d in data["documents"]]
    texts, problems = read_texts(files)
    gold = Gold(data, texts, problems=problems)
    locate_all(gold)
    return gold


def of_story(data: dict[str, Any], story: str) -> dict[str, Any]:
    """The part of the merged gold about the articles in folder ``story``."""
    mine = {d["file"] for d in data["documents"] if d["file"].startswith(f"{story}/")}
    ids = {c["id"] for c in data["quantity_claims"] if c["file"] in mine}
    out = dict(data)
    out["stories"] = [s for s in data["stories"] if s["id"] == story]
    out["documents"] = [d for d in data["documents"] if d["file"] in mine]
    for key in ("quantity_claims", "not_quantities"):
        out[key] = [c for c in data[key] if c["file"] in mine]
    out["relations"] = [r for r in data["relations"] if r["a"] in ids or r["b"] in ids]
    out["doubtful"] = [x for x in data.get("doubtful", []) if x.startswith(f"{story}-")]
    return out


def merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "about": (
            "Hand annotation of the real-news development corpus (bench/news). Guide: "
            "bench/news/GUIDE.md. Intervals follow the qualifier table in CLAIMS.md; 'value' is "
            "the stated number; null high means unbounded."
        ),
        "stories": [],
        "documents": [],
        "quantity_claims": [],
        "not_quantities": [],
        "relations": [],
        "doubtful": [],
    }
    for part in parts:
        if "stories" in part:
            out["stories"].extend(part["stories"])
        else:
            out["stories"].append(part["story"])
        for key in ("documents", "quantity_claims", "not_quantities", "relations", "doubtful"):
            out[key].extend(part.get(key, []))
    return out


def locate_all(gold: Gold) -> None:
    p = gold.problems
    for c in gold.claims:
        text = gold.texts.get(c.get("file", ""))
        if text is None:
            continue
        quote, span = c.get("quote", ""), c.get("span", "")
        hits = find(text, quote)
        if len(hits) != 1:
            p.append(f"{c.get('id')}: quote found {len(hits)} times in {c['file']}: {quote!r}")
            continue
        q_end = span_end(text, hits[0], quote)
        inner = find(text, span, hits[0], q_end)
        if not inner:
            p.append(f"{c.get('id')}: span {span!r} not inside its quote")
            continue
        gold.located[c["id"]] = Located(c, inner[0], span_end(text, inner[0], span))
    for n in gold.data.get("not_quantities", []):
        text = gold.texts.get(n.get("file", ""))
        if text is not None and not find(text, n.get("quote", "")):
            p.append(f"not_quantity quote not in {n.get('file')}: {n.get('quote')!r}")


def check(gold: Gold) -> list[str]:
    p = gold.problems
    data = gold.data
    docs = {d["file"]: d for d in data["documents"]}
    ids = Counter(c.get("id") for c in gold.claims)
    p += [f"{i}: id used {n} times" for i, n in ids.items() if n > 1]
    by_id = {c["id"]: c for c in gold.claims if "id" in c}
    keys = {c.get("quantity") for c in gold.claims}
    for c in gold.claims:
        p += [f"{c.get('id')}: missing field {k}" for k in CLAIM_FIELDS if k not in c]
        if any(k not in c for k in CLAIM_FIELDS):
            continue
        cid = c["id"]
        if c["file"] not in docs:
            p.append(f"{cid}: file {c['file']} not in documents")
        if c["kind"] not in KINDS:
            p.append(f"{cid}: kind {c['kind']!r}")
        if c.get("change", "level") not in CHANGES:
            p.append(f"{cid}: change {c.get('change')!r}")
        if c.get("stance", "asserted") not in STANCES:
            p.append(f"{cid}: stance {c.get('stance')!r}")
        if not AS_OF.match(str(c["as_of"])):
            p.append(f"{cid}: as_of {c['as_of']!r} is not YYYY[-MM[-DD]][/...]")
        if not str(c["quantity"]).startswith(c["file"].split("/")[0] + ":"):
            p.append(f"{cid}: quantity {c['quantity']!r} should start with the story id")
        if c["kind"] != "date":
            p += interval_problems(c)
        m = c.get("mention_of")
        if m and (m not in by_id or by_id[m]["file"] != c["file"]):
            p.append(f"{cid}: mention_of {m} is not a claim of the same file")
        if m and m in by_id and by_id[m].get("quantity") != c["quantity"]:
            p.append(f"{cid}: mention_of {m} has another quantity key")
        w = c.get("part_of")
        if w and w not in keys:
            p.append(f"{cid}: part_of {w} is no claim's quantity key")
    labelled: dict[frozenset[str], str] = {}
    for r in data.get("relations", []):
        a, b, rel = r.get("a"), r.get("b"), r.get("relation")
        if a not in by_id or b not in by_id:
            p.append(f"relation {a} / {b}: unknown id")
            continue
        if rel not in RELATIONS:
            p.append(f"relation {a} / {b}: relation {rel!r}")
        if r.get("case") and r["case"] not in CASES:
            p.append(f"relation {a} / {b}: case {r['case']!r}")
        if not r.get("why"):
            p.append(f"relation {a} / {b}: no why")
        ca, cb = by_id[a], by_id[b]
        if ca["file"] == cb["file"]:
            p.append(f"relation {a} / {b}: same article")
        if ca.get("mention_of") or cb.get("mention_of"):
            p.append(f"relation {a} / {b}: relate first mentions only")
        same_key = ca["quantity"] == cb["quantity"]
        if rel in {"agree", "conflict", "update"} and not same_key:
            p.append(f"relation {a} / {b}: {rel} between different quantity keys")
        pair = frozenset((a, b))
        if pair in labelled:
            p.append(f"relation {a} / {b}: labelled twice")
        labelled[pair] = rel
    p += [f"missing relation: {a} / {b}" for a, b in missing_pairs(gold, labelled)]
    per_story: dict[str, set[str]] = defaultdict(set)
    for d in data["documents"]:
        per_story[d["file"].split("/")[0]].add(d.get("outlet", ""))
    p += [f"story {s}: only {len(o)} outlets" for s, o in per_story.items() if len(o) < 4]
    return p


def interval_problems(c: dict[str, Any]) -> list[str]:
    v, lo, hi = c["value"], c["low"], c["high"]
    if lo is not None and hi is not None and lo > hi:
        return [f"{c['id']}: low {lo} > high {hi}"]
    if v is not None and lo is not None and hi is not None and not lo <= v <= hi:
        q = (c.get("qualifier") or "").lower()
        if not any(w in q for w in ("nearly", "almost", "under", "less", "fewer", "below")):
            return [f"{c['id']}: value {v} outside [{lo}, {hi}]"]
    if lo is None and hi is None:
        return [f"{c['id']}: neither low nor high"]
    return []


def missing_pairs(gold: Gold, labelled: dict[frozenset[str], str]) -> list[tuple[str, str]]:
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in gold.first_mentions():
        if "quantity" in c:
            by_key[c["quantity"]].append(c)
    out = []
    for members in by_key.values():
        for a, b in combinations(members, 2):
            if a["file"] != b["file"] and frozenset((a["id"], b["id"])) not in labelled:
                out.append((a["id"], b["id"]))
    return out


def summary(gold: Gold) -> str:
    data = gold.data
    rel = Counter(r["relation"] for r in data.get("relations", []))
    stories = {d["file"].split("/")[0] for d in data["documents"]}
    undated = sum(not d.get("dated", True) for d in data["documents"])
    return (
        f"{len(stories)} stories, {len(data['documents'])} articles ({undated} undated), "
        f"{len(gold.claims)} figures ({len(gold.first_mentions())} first mentions), "
        f"relations: " + ", ".join(f"{k} {n}" for k, n in sorted(rel.items()))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=NEWS)
    parser.add_argument("--merge", action="store_true", help="write bench/news/gold.json")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.merge:
        # The merged file is the corpus's gold; a story annotated in its own folder joins it
        # and its folder's file goes (one place to correct a call).
        stories = sorted(root.glob("*/gold.json"))
        parts = [json.loads(p.read_text(encoding="utf-8")) for p in stories]
        merged_path = root / "gold.json"
        if merged_path.exists():
            parts.insert(0, json.loads(merged_path.read_text(encoding="utf-8")))
        merged = merge(parts)
        merged_path.write_text(
            json.dumps(merged, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        for path in stories:
            path.unlink()
    gold = load(root)
    problems = check(gold)
    for line in problems:
        print(line)
    print(summary(gold))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
