"""The flagged-claims report and the claim_status view, on a real DuckDB file in tmp_path.

The database is built through the Store's own staging and publish path, as a run would.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from builders import publish_state, quantity_claim

from claims.errors import StoreError
from claims.models import Document, FactClaim, QuantityClaim, Rejection, Relation, Rule, RunSummary
from claims.report import markdown_value, read_report, safe_href, write_report
from claims.report.html import OWNER_FILE
from claims.settings import Settings
from claims.store import Store

RUN_ID = "2f6c1d0e-run"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_URL = "javascript:alert(1)"

TEXTS = {
    "reuters-ramstein": (
        "Defence ministers met at Ramstein on Friday. "
        "Over 50 allied nations pledged new air defence systems for Ukraine. "
        "Some 100,000 troops were massed near the border in April. "
        "Officials said over 50 allied nations would meet again in July."
    ),
    "ap-ramstein": (
        "Nearly 50 allies and partners joined the Ramstein call on Friday. "
        "Tens of thousands of troops remained near the border in May. "
        "Russia annexed Crimea in 2014."
    ),
    "blog-casualties": (
        f"War has claimed more than 14,000 Ukrainian lives, the blog said {XSS_SCRIPT}. "
        f"Some 48 allies attended, a reader wrote {XSS_IMG}. "
        "Russia annexed Crimea in 2015."
    ),
    "kyiv-casualties": "At least 14,400 people have been killed since 2014, officials said.",
}
META: dict[str, dict[str, Any]] = {
    "reuters-ramstein": dict(
        outlet="Reuters", url="https://www.reuters.com/world/ramstein-50?a=1&b=2"
    ),
    "ap-ramstein": dict(outlet="AP", url="http://apnews.com/article/ramstein"),
    "blog-casualties": dict(outlet=XSS_SCRIPT, title=XSS_IMG, url=XSS_URL),
    "kyiv-casualties": dict(outlet="Kyiv Independent", url=None),
}

OVER_50 = dict(value=50, low=50, high=None, low_inclusive=False, high_inclusive=True)
APRIL = dict(as_of_start=date(2024, 4, 1), as_of_end=date(2024, 4, 30), time_text="in April")
MAY = dict(as_of_start=date(2024, 5, 1), as_of_end=date(2024, 5, 31), time_text="in May")
# name: (doc_id, the sentence's first words, span, fields)
CLAIMS: dict[str, tuple[str, str, str, dict]] = {
    "over50": (
        "reuters-ramstein",
        "Over 50",
        "Over 50 allied nations",
        dict(qualifier="over", unit="nation", **OVER_50),
    ),
    "over50_again": (
        "reuters-ramstein",
        "Officials said",
        "over 50 allied nations",
        dict(unit="nation", **OVER_50),
    ),
    "troops_april": (
        "reuters-ramstein",
        "Some 100,000",
        "Some 100,000 troops",
        dict(value=100_000, low=90_000, high=110_000, unit="troop", time_basis="explicit", **APRIL),
    ),
    "nearly50": (
        "ap-ramstein",
        "Nearly 50",
        "Nearly 50 allies",
        dict(
            value=50,
            low=45,
            high=50,
            high_inclusive=False,
            qualifier="nearly",
            unit="ally",
            attributed_to="Pentagon spokesman",
        ),
    ),
    "troops_may": (
        "ap-ramstein",
        "Tens of",
        "Tens of thousands of troops",
        dict(low=20_000, high=99_999, unit="troop", time_basis="explicit", **MAY),
    ),
    "lives": (
        "blog-casualties",
        "War has",
        "more than 14,000 Ukrainian lives",
        dict(value=14_000, low=14_000, low_inclusive=False, unit="life"),
    ),
    "allies48": (
        "blog-casualties",
        "Some 48",
        "Some 48 allies",
        dict(value=48, low=43.2, high=52.8, unit="ally"),
    ),
    "killed": (
        "kyiv-casualties",
        "At least",
        "At least 14,400 people",
        dict(value=14_400, low=14_400, unit="person", subject="people killed since 2014"),
    ),
}


def document(doc_id: str) -> Document:
    return Document.build(
        doc_id=doc_id,
        source_path=f"/in/{doc_id}.txt",
        text=TEXTS[doc_id],
        published=date(2024, 6, 14),
        **META[doc_id],
    )


def fact(d: Document, span: str, time: str) -> FactClaim:
    start = d.text.index(span)
    return FactClaim(
        fact_id=FactClaim.make_id(d.sha256, start, start + len(span), "annex"),
        doc_id=d.doc_id,
        span=span,
        char_start=start,
        char_end=start + len(span),
        sentence=span,
        subject="Russia",
        predicate="annex",
        object="Crimea",
        time=time,
    )


def relation(
    a: QuantityClaim | FactClaim, b: QuantityClaim | FactClaim, rule: Rule, score: float = 0.9
) -> Relation:
    ida = a.claim_id if isinstance(a, QuantityClaim) else a.fact_id
    idb = b.claim_id if isinstance(b, QuantityClaim) else b.fact_id
    return Relation(
        relation_id=Relation.make_id(ida, idb, rule.relation),
        claim_a=ida,
        claim_b=idb,
        doc_a=a.doc_id,
        doc_b=b.doc_id,
        claim_type="quantity" if isinstance(a, QuantityClaim) else "fact",
        relation=rule.relation,
        rule=rule.value,
        reason=f"{rule.value}: {rule.meaning}",
        score=score,
        shared_terms=["GPE:ukraine"],
    )


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, QuantityClaim]]:
    """Four articles: a conflict (over 50 vs nearly 50 allies), an update (troops, April to May),
    agreements (lives lost; a 48-allies figure that also conflicts), a fact conflict, repeats,
    hostile markup in one article, one rejected file, and the run that published them."""
    docs = {k: document(k) for k in TEXTS}
    c = {
        name: quantity_claim(docs[d], span, sentence_from=first, **fields)
        for name, (d, first, span, fields) in CLAIMS.items()
    }
    c["over50_again"] = c["over50_again"].model_copy(update={"mention_of": c["over50"].claim_id})
    ap, blog = docs["ap-ramstein"], docs["blog-casualties"]
    crimea_2014 = fact(ap, "Russia annexed Crimea in 2014.", "2014")
    crimea_2015 = fact(blog, "Russia annexed Crimea in 2015.", "2015")
    relations = [
        relation(c["over50"], c["nearly50"], Rule.CONFLICT_DISJOINT_SAME_TIME, 0.93),
        relation(c["troops_april"], c["troops_may"], Rule.UPDATE_DIFFERENT_TIME, 0.7),
        relation(c["lives"], c["killed"], Rule.AGREE_OVERLAP, 0.8),
        relation(c["allies48"], c["nearly50"], Rule.AGREE_OVERLAP, 0.75),
        relation(c["allies48"], c["over50"], Rule.CONFLICT_DISJOINT_SAME_TIME, 0.6),
        relation(crimea_2014, crimea_2015, Rule.FACT_CONFLICT_TIME, 0.88),
    ]
    db = tmp_path / "claims.duckdb"
    publish_state(
        db,
        list(docs.values()),
        list(c.values()),
        relations,
        run_id=RUN_ID,
        facts=[crimea_2014, crimea_2015],
        started_at=datetime(2024, 6, 14, 9, 0, 0),
        seconds=90,
        rejections=[Rejection(source_path="/in/empty.txt", reason="empty", detail="no text")],
        inputs=["/in"],
    )
    return db, c


def statuses(db: Path) -> dict[str, str]:
    with Store(db, read_only=True) as store:
        return dict(store.con.execute("SELECT claim_id, status FROM claim_status").fetchall())


def test_claim_status_takes_the_strongest_relation_and_repeats_inherit_it(corpus) -> None:
    db, c = corpus
    got = {name: statuses(db)[x.claim_id] for name, x in c.items()}
    assert got == {
        "over50": "contested",
        "over50_again": "contested",  # a repeat of a contested figure
        "nearly50": "contested",  # in a conflict and an agreement: conflict wins
        "allies48": "contested",
        "troops_april": "updated",  # the older side of the update
        "troops_may": "single-source",  # the newer side is not superseded
        "lives": "corroborated",
        "killed": "corroborated",
    }


def test_the_older_side_of_an_update_is_updated_even_when_stored_second(tmp_path: Path) -> None:
    d_old, d_new = document("reuters-ramstein"), document("ap-ramstein")
    old = quantity_claim(
        d_old,
        "Some 100,000 troops",
        sentence_from="Some 100,000",
        low=90_000,
        high=110_000,
        as_of_start=date(2024, 4, 1),
        as_of_end=date(2024, 4, 30),
    )
    new = quantity_claim(
        d_new,
        "Tens of thousands of troops",
        sentence_from="Tens of thousands",
        low=20_000,
        high=99_999,
        as_of_start=date(2024, 5, 1),
        as_of_end=date(2024, 5, 31),
    )
    agree = quantity_claim(d_new, "Nearly 50 allies", sentence_from="Nearly 50", low=45, high=50)
    partner = quantity_claim(
        d_old, "Over 50 allied nations", sentence_from="Over 50", low=44, high=55
    )
    db = tmp_path / "c.duckdb"
    publish_state(
        db,
        [d_old, d_new],
        [old, partner, new, agree],
        [
            relation(new, old, Rule.UPDATE_DIFFERENT_TIME),
            relation(old, new, Rule.AGREE_OVERLAP),  # both updated and in an agreement
            relation(agree, partner, Rule.AGREE_OVERLAP),
        ],
        run_id="r1",
    )
    got = statuses(db)
    assert got[old.claim_id] == "updated"  # update outranks agreement
    assert got[new.claim_id] == "corroborated"
    assert got[agree.claim_id] == got[partner.claim_id] == "corroborated"


def test_the_report_opens_with_the_conflict_and_highlights_both_spans(corpus, tmp_path) -> None:
    db, _ = corpus
    paths = write_report(db, tmp_path / "reports")
    html = paths.html.read_text(encoding="utf-8")
    assert paths.html.name == f"report-{RUN_ID}.html"
    order = [
        html.index(f'id="{s}"')
        for s in ("conflicts", "updates", "agrees", "single-source", "facts")
    ]
    assert order == sorted(order)
    conflicts = html[html.index('id="conflicts"') : html.index('id="updates"')]
    assert "<mark>Over 50 allied nations</mark> pledged new air defence systems" in conflicts
    assert "<mark>Nearly 50 allies</mark> and partners joined" in conflicts
    assert "(50, ∞)" in conflicts and "[45, 50)" in conflicts
    assert "CONFLICT_DISJOINT_SAME_TIME" in conflicts and "score 0.93" in conflicts
    assert "2024-06-14 (publication date)" in conflicts
    assert 'href="https://www.reuters.com/world/ramstein-50?a=1&amp;b=2"' in conflicts
    assert "Pentagon spokesman" in conflicts
    # the stronger conflict comes first
    assert conflicts.index("score 0.93") < conflicts.index("score 0.60")


def test_numbers_intervals_and_time_scopes_are_formatted(corpus, tmp_path) -> None:
    db, _ = corpus
    html = write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")
    updates = html[html.index('id="updates"') : html.index('id="agrees"')]
    assert "[90,000, 110,000]" in updates and "[20,000, 99,999]" in updates
    assert "100,000" in updates
    assert "2024-04-01 to 2024-04-30 (from “in April”)" in updates
    assert updates.index("earlier figure") < updates.index("later figure")
    assert updates.index("Some 100,000 troops") < updates.index("Tens of thousands of troops")
    assert "(14,000, ∞)" in html and "[14,400, ∞)" in html
    assert "1 min 30 s" in html


def test_article_markup_and_script_urls_are_escaped_not_rendered(corpus, tmp_path) -> None:
    db, _ = corpus
    paths = write_report(db, tmp_path / "r")
    html = paths.html.read_text(encoding="utf-8")
    assert XSS_SCRIPT not in html and XSS_IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<script") == 1  # only the report's own filter script
    assert re.search(r"<img\b", html) is None
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("#", "http://", "https://")) for h in hrefs)
    assert "javascript:alert(1)" in html  # shown as text, so a reviewer sees what was there
    assert "default-src 'none'" in html  # and the CSP forbids anything but our own script
    md = paths.markdown.read_text(encoding="utf-8")
    assert XSS_SCRIPT not in md and "\\<script\\>alert(1)\\</script\\>" in md
    assert "](javascript" not in md


def test_the_markdown_lists_the_conflict_in_tables(corpus, tmp_path) -> None:
    db, _ = corpus
    md = write_report(db, tmp_path / "r").markdown.read_text(encoding="utf-8")
    conflicts = md[
        md.index("## Conflicts between figures (2)") : md.index("## Updates between figures (1)")
    ]
    assert "**Over 50 allied nations** pledged" in conflicts
    assert "**Nearly 50 allies** and partners" in conflicts
    assert "| interval | (50, ∞) | \\[45, 50) |" in conflicts
    assert "[Reuters](https://www.reuters.com/world/ramstein-50?a=1&b=2)" in conflicts
    assert md.index("## Conflicts") < md.index("## Updates") < md.index("## Agreements")
    assert md.index("## Agreements") < md.index("## Single-source") < md.index("## Factual")
    assert "| Some 100,000 troops |" not in md.split("## Single-source")[1]  # updated, not single


def test_a_capped_report_keeps_the_best_of_each_list_with_exact_counts(corpus, tmp_path) -> None:
    db, _ = corpus
    full = read_report(db)
    capped = read_report(db, limit=1)
    for whole, part in zip(full["sections"], capped["sections"], strict=True):
        assert part["total"] == whole["total"] == len(whole["pairs"])
        # The first of each list by score is the one kept.
        assert [p["relation_id"] for p in part["pairs"]] == [
            p["relation_id"] for p in whole["pairs"][:1]
        ]
    assert capped["single_source_shown"] == full["single_source_shown"] == 1  # at the cap: all
    assert capped["facts_shown"] == 1 < full["facts_shown"]
    assert len(capped["fact_pairs"]) == 1 and capped["fact_pairs_total"] == len(full["fact_pairs"])

    paths = write_report(db, tmp_path / "r", limit=1)
    html = paths.html.read_text(encoding="utf-8")
    conflicts = html[html.index('id="conflicts"') : html.index('id="updates"')]
    assert conflicts.count('class="card') == 1 and '<span class="count">2</span>' in conflicts
    assert "Showing the first 1 of 2 (best score first)" in conflicts
    assert "relation = &#39;conflict&#39;" in conflicts  # how to get the rest, escaped
    assert "Showing the first" not in html[html.index('id="updates"') : html.index('id="agrees"')]
    md = paths.markdown.read_text(encoding="utf-8")
    assert (
        "## Conflicts between figures (2)" in md
        and "Showing the first 1 of 2 (best score first)" in md
    )
    assert '`claims query "SELECT * FROM report.facts"`' in md
    # Uncapped, nothing says it was cut.
    assert "Showing the first" not in write_report(db, tmp_path / "all").html.read_text("utf-8")


def test_the_summary_shows_counts_gate_and_rejected_documents(corpus, tmp_path) -> None:
    db, _ = corpus
    html = write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")
    summary = html[html.index('id="summary"') : html.index('id="filters"')]
    assert "passed" in summary and "/in/empty.txt" in summary and "no text" in summary
    assert re.search(r"<th>conflict</th><td[^>]*>2</td><td[^>]*>1</td>", summary)
    assert re.search(r"quantity claims</th><td[^>]*>8 ", summary)


def test_facts_and_their_relations_are_listed(corpus, tmp_path) -> None:
    db, _ = corpus
    html = write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")
    facts = html[html.index('id="facts"') :]
    assert "FACT_CONFLICT_TIME" in facts
    assert "<mark>Russia annexed Crimea in 2014.</mark>" in facts
    assert '<td dir="auto">2015</td>' in facts


def test_latest_files_are_copies_of_the_run_report(corpus, tmp_path) -> None:
    db, _ = corpus
    paths = write_report(db, tmp_path / "r", run_id=RUN_ID)
    assert paths.latest_html.name == "latest.html" and paths.latest_markdown.name == "latest.md"
    assert paths.latest_html.read_bytes() == paths.html.read_bytes()
    assert paths.latest_markdown.read_bytes() == paths.markdown.read_bytes()
    assert sorted(p.name for p in paths.html.parent.iterdir() if p.name != OWNER_FILE) == sorted(
        ["latest.html", "latest.md", f"report-{RUN_ID}.html", f"report-{RUN_ID}.md"]
    )


def test_a_failed_gate_is_shown_with_its_expectations(corpus, tmp_path) -> None:
    db, _ = corpus
    with Store(db) as store:
        store.record_run(
            RunSummary(
                run_id="later",
                started_at=datetime(2024, 6, 15, 9, 0),
                finished_at=datetime(2024, 6, 15, 9, 0, 12),
                status="gate_failed",
                gate_passed=False,
                failed_expectations=["claims: span matches text[char_start:char_end]"],
            )
        )
    html = write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")
    assert "run <code>later</code>" in html
    assert "the validation gate failed and nothing from it was published" in html
    assert "claims: span matches text[char_start:char_end]" in html
    assert "/in/empty.txt" not in html  # rejections belong to the other run


def test_an_empty_database_gives_a_report_that_says_so(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    Store(db).close()
    paths = write_report(db, tmp_path / "r")
    assert paths.html.name == "report-no-run.html"
    assert "No runs are recorded in this database yet" in paths.html.read_text(encoding="utf-8")
    assert "No runs are recorded" in paths.markdown.read_text(encoding="utf-8")
    assert "No conflicts between figures." in paths.html.read_text(encoding="utf-8")


def test_an_unknown_run_id_is_an_error_naming_it(corpus, tmp_path) -> None:
    db, _ = corpus
    with pytest.raises(StoreError, match="no run 'nope'"):
        write_report(db, tmp_path / "r", run_id="nope")


def test_a_database_from_before_the_report_views_gets_them(corpus, tmp_path) -> None:
    db, _ = corpus
    with Store(db) as store:
        store.con.execute("DROP VIEW report.totals")
    assert "Conflicts" in write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")


def test_only_absolute_web_urls_become_links() -> None:
    assert safe_href('https://example.com/a b?q="x"') == "https://example.com/a%20b?q=%22x%22"
    assert safe_href("http://example.com/(x)") == "http://example.com/%28x%29"
    for bad in (
        XSS_URL,
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/etc/passwd",
        "https://",
        None,
        "",
    ):
        assert safe_href(bad) is None, bad


def test_markdown_values_cannot_format_link_or_break_a_table() -> None:
    assert markdown_value("a | b\nc") == "a \\| b c"
    assert markdown_value("[x](javascript:y) *b* <i>") == "\\[x\\](javascript:y) \\*b\\* \\<i\\>"
    assert markdown_value(None) == "–"


def test_the_page_is_self_contained_and_its_csp_admits_its_own_script(corpus, tmp_path) -> None:
    db, _ = corpus
    html = write_report(db, tmp_path / "r").html.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//(?!www\.reuters|apnews)""", html)
    assert "<link" not in html
    for tag in ("script", "style"):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert f"{tag}-src &#39;sha256-{digest}&#39;" in html
    assert 'id="filter-text"' in html and 'data-kind="conflict"' in html


def test_relation_counts_say_between_facts_or_figures_and_years_have_no_separator(
    tmp_path,
) -> None:
    """The summary said "2 agreements" above an Agreements section saying "No agreements" (the two
    were between facts), and a year read "1,993"."""
    docs = [
        Document.build(
            doc_id=d, source_path=f"/in/{d}", text=t, outlet=d.upper(), published=date(2021, 5, 7)
        )
        for d, t in (
            ("upi", "Russia annexed Crimea in 2014. The treaty dates from 1993."),
            ("ani", "Russia annexed Crimea in 2014."),
        )
    ]
    # A date claim holds day numbers (days since 1970-01-01): 1993 is 8401 to 8765.
    year = quantity_claim(docs[0], "1993", kind="date", value=8401, low=8401, high=8765)
    facts = [fact(d, "Russia annexed Crimea in 2014.", "2014") for d in docs]
    agree = relation(facts[0], facts[1], Rule.FACT_AGREE_TRIPLE, 0.8)
    db = tmp_path / "facts.duckdb"
    publish_state(
        db, docs, [year], [agree], run_id="r1", facts=facts, started_at=datetime(2024, 1, 1)
    )
    paths = write_report(db, tmp_path / "r")
    html, md = (p.read_text(encoding="utf-8") for p in (paths.html, paths.markdown))
    for text in (html, md):
        assert "between facts: 0 conflicts, 1 agreement;" in text
        assert "No agreements between figures. 1 between facts is listed under" in text
        assert "1993-01-01 to 1993-12-31" in text and "1,993" not in text and "8,401" not in text


def test_a_folder_of_another_databases_reports_is_refused_and_old_reports_are_pruned(
    corpus, tmp_path
) -> None:
    """`--db other.duckdb` used to overwrite reports/latest.html of the default database."""
    db, _ = corpus
    reports = tmp_path / "shared"
    write_report(db, reports)
    other = tmp_path / "other.duckdb"
    Store(other).close()
    with pytest.raises(StoreError, match="holds the reports of"):
        write_report(other, reports)
    assert Settings(db=other).reports_dir != Settings(db=db).reports_dir
    assert Settings(db=tmp_path / "news.duckdb").reports_dir == tmp_path / "reports" / "news"
    # Reports of the newest runs are kept, older ones pruned; latest.* always stay.
    for n in range(4):
        old = reports / f"report-old{n}.html"
        old.write_text("old", encoding="utf-8")
        old.with_suffix(".md").write_text("old", encoding="utf-8")
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    write_report(db, reports, keep=2)
    kept = sorted(p.name for p in reports.glob("report-*"))
    assert kept == sorted(
        [f"report-{RUN_ID}.html", f"report-{RUN_ID}.md", "report-old3.html", "report-old3.md"]
    )
    assert (reports / "latest.html").is_file()


def test_a_verdict_shows_in_its_words(corpus, tmp_path) -> None:
    db, c = corpus
    conflict = relation(c["over50"], c["nearly50"], Rule.CONFLICT_DISJOINT_SAME_TIME, 0.93)
    with Store(db) as store:
        store.record_review(conflict.relation_id, "needs_context", "which coalition?", "Ada")
    paths = write_report(db, tmp_path / "r")
    assert "verdict: <strong>needs context</strong>" in paths.html.read_text(encoding="utf-8")
    assert "verdict: needs context" in paths.markdown.read_text(encoding="utf-8")
