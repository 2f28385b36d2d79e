"""Reading articles: formats, metadata, dates, and bad input that must not stop a run."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from claims.errors import InputError
from claims.ingest import discover, find_published_date, ingest, read_sources
from claims.models import Document, Rejection
from claims.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture()
def settings() -> Settings:
    return Settings()


def read(paths: list[Path], settings: Settings) -> tuple[list[Document], list[Rejection]]:
    result = ingest(paths, settings)
    return result.documents, result.rejected


def test_it_reads_the_seed_corpus_with_manifest_dates(settings: Settings) -> None:
    docs, rejected = read([SEEDS], settings)
    assert rejected == []
    assert len(docs) == 5
    by_id = {d.doc_id: d for d in docs}
    upi = by_id["002_9a6e5357df07f2d3.txt"]
    assert upi.published == date(2021, 5, 7)
    assert upi.published_source == "manifest"
    assert upi.outlet == "UPI"
    raw = (SEEDS / "002_9a6e5357df07f2d3.txt").read_text(encoding="utf-8")
    assert upi.text == raw, "stored text is the file's text, so offsets point into the file"


def test_front_matter_sets_metadata_and_is_not_part_of_the_text(tmp_path: Path, settings) -> None:
    (tmp_path / "a.md").write_text(
        "---\nid: story-1\nurl: https://example.org/a\noutlet: Example\npublished: 2024-03-01\n---\n"
        "Officials said 40 people were evacuated.\n",
        encoding="utf-8",
    )
    [doc], _ = read([tmp_path], settings)
    assert doc.doc_id == "story-1"
    assert doc.url == "https://example.org/a"
    assert doc.published == date(2024, 3, 1)
    assert doc.published_source == "front matter"
    assert doc.text.startswith("Officials said")


def test_jsonl_lines_become_documents_and_bad_lines_are_rejected_alone(tmp_path: Path, settings):
    lines = [
        json.dumps({"id": "x1", "text": "Some 300 troops arrived.", "published": "2023-01-02"}),
        "{not json",
        json.dumps({"id": "x2", "title": "no text here"}),
        json.dumps({"text": "More than 12 ships sailed.", "outlet": "Wire"}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, rejected = read([tmp_path], settings)
    assert docs[0].doc_id == "x1"
    assert docs[1].doc_id.startswith("feed.jsonl:")
    assert {r.reason for r in rejected} == {"bad_json", "no_text"}
    assert rejected[0].source_path.endswith("feed.jsonl#L2")


def test_html_is_reduced_to_its_article_text(tmp_path: Path, settings) -> None:
    paragraph = "The ministry said that 1,200 soldiers took part in the exercise near the border. "
    html = (
        "<html><head><title>Drills</title><script>var tracking = 42;</script></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>Drills near the border</h1><p>{paragraph * 3}</p>"
        f"<p>{paragraph}</p></article>"
        "<footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    [doc], rejected = read([tmp_path], settings)
    assert rejected == []
    assert "1,200 soldiers" in doc.text
    assert "tracking" not in doc.text
    assert "Home" not in doc.text


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \n", "empty"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"---\ntitle: [unclosed\n---\nText with 5 ships.", "bad_front_matter"),
        (b"---\npublished: 2999-01-01\n---\nText with 5 ships.", "future_date"),
        (b"---\npublished: next tuesday\n---\nText with 5 ships.", "bad_date"),
    ],
)
def test_bad_files_are_rejected_with_a_reason_and_the_rest_still_load(
    tmp_path: Path, settings: Settings, content: bytes, reason: str
) -> None:
    (tmp_path / "bad.txt").write_bytes(content)
    (tmp_path / "good.txt").write_text("Nearly 50 countries attended.", encoding="utf-8")
    docs, rejected = read([tmp_path], settings)
    assert [d.doc_id for d in docs] == ["good.txt"]
    assert [(Path(r.source_path).name, r.reason) for r in rejected] == [("bad.txt", reason)]
    assert rejected[0].detail


def test_latin1_text_is_decoded_with_a_warning(tmp_path: Path, settings) -> None:
    (tmp_path / "old.txt").write_bytes("Caf\xe9 owners said 30 shops closed.".encode("cp1252"))
    [doc], _ = read([tmp_path], settings)
    assert doc.text == "Café owners said 30 shops closed."
    assert any("Windows-1252" in w for w in doc.warnings)


def test_utf16_with_a_byte_order_mark_is_decoded_and_without_one_is_binary(
    tmp_path: Path, settings: Settings
) -> None:
    text = "Café owners said 30 shops closed.\r\nAbout 20 ships.\r\n"
    (tmp_path / "le.txt").write_bytes(text.encode("utf-16"))  # BOM, little endian
    (tmp_path / "be.txt").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    (tmp_path / "bare.txt").write_bytes(text.encode("utf-16-le"))  # no BOM: NULs everywhere
    (tmp_path / "broken.txt").write_bytes(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")
    docs, rejected = read([tmp_path], settings)
    for doc in docs:
        assert doc.text == "Café owners said 30 shops closed.\nAbout 20 ships.\n"
        assert doc.warnings == ["decoded as UTF-16 (byte order mark)"]
    assert sorted(d.doc_id for d in docs) == ["be.txt", "le.txt"]
    assert sorted((Path(r.source_path).name, r.reason) for r in rejected) == [
        ("bare.txt", "binary"),
        ("broken.txt", "undecodable"),
    ]


def test_bom_and_crlf_are_normalised(tmp_path: Path, settings) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfLine one.\r\nAbout 20 ships.\r\n")
    [doc], _ = read([tmp_path], settings)
    assert doc.text == "Line one.\nAbout 20 ships.\n"


def test_a_file_over_the_size_limit_is_rejected_naming_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 2000, encoding="utf-8")
    settings = Settings(max_document_bytes=1000)
    _, [rejection] = read([tmp_path], settings)
    assert rejection.reason == "too_large"
    assert "1,000" in rejection.detail


def test_a_missing_path_fails_early_with_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        discover([tmp_path / "nope"])


def test_hidden_files_and_the_manifest_are_skipped(tmp_path: Path) -> None:
    (tmp_path / ".draft.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("ok.txt: {outlet: AP}\n", encoding="utf-8")
    (tmp_path / "ok.txt").write_text("fine", encoding="utf-8")
    assert [s.relative for s in discover([tmp_path])] == ["ok.txt"]


def test_an_unsupported_file_in_a_folder_is_rejected_not_skipped(tmp_path: Path, settings) -> None:
    """A PDF dropped into the inbox gets a rejected_documents row saying why, like any bad input."""
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7 ...")
    (tmp_path / "ok.txt").write_text("Some 40 people were there.", encoding="utf-8")
    items = list(read_sources(discover([tmp_path]), settings))
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert [(r.source_path.endswith("report.pdf"), r.reason) for r in rejected] == [
        (True, "unsupported_type")
    ]
    assert ".pdf" in rejected[0].detail and ".txt" in rejected[0].detail
    assert [i.doc_id for i in items if not isinstance(i, Rejection)] == ["ok.txt"]


def test_an_explicit_file_with_an_unsupported_type_is_rejected(tmp_path: Path, settings) -> None:
    path = tmp_path / "story.docx"
    path.write_bytes(b"PK\x03\x04....")
    [rejection] = list(read_sources(discover([path]), settings))
    assert isinstance(rejection, Rejection)
    assert rejection.reason == "unsupported_type"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" date 2021-09-02 Washington [US], September 2 (ANI): text", date(2021, 9, 2)),
        ("Headline\n\n23 December 2020 - 19:59\n\nBody", date(2020, 12, 23)),
        ("Caption, July 2, 2024\nBody text.", date(2024, 7, 2)),
        ("May 7 (UPI) -- no year in the dateline", None),
        ("Body.\n" + "x " * 400 + "\nSource: DOD, July 2, 2024\n", date(2024, 7, 2)),
    ],
)
def test_it_finds_the_publication_date_in_datelines(text: str, expected: date | None) -> None:
    assert find_published_date(text) == expected
