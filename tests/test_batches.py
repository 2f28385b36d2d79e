"""Batches: small files go many to a batch, large ones few, so a batch's fixed costs are paid
per hundreds of small files; every file is in exactly one batch, in discovery order."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from claims import stages
from claims.ingest import discover, load_metadata
from claims.settings import Settings


def write(folder: Path, sizes: dict[str, int]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, size in sizes.items():
        (folder / name).write_text("x" * size, encoding="utf-8")


def test_small_files_share_a_batch_and_a_large_one_ends_it(tmp_path: Path) -> None:
    """It closes a batch once its files reach batch_bytes, and at batch_size files."""
    inbox = tmp_path / "inbox"
    write(inbox, {f"{i:02d}.txt": 100 for i in range(10)} | {"10.txt": 5_000, "11.txt": 100})
    sources = discover([inbox])
    assert [s.size for s in sources] == [100] * 10 + [5_000, 100]

    by_bytes = Settings(batch_bytes=1_000, batch_size=1_000)
    sizes = [len(b) for b in stages.batches(sources, by_bytes)]
    assert sizes == [10, 1, 1]  # ten small files fill one batch; the large one fills its own

    by_count = Settings(batch_bytes=10**9, batch_size=4)
    assert [len(b) for b in stages.batches(sources, by_count)] == [4, 4, 4]

    flat = [s for b in stages.batches(sources, by_bytes) for s in b]
    assert flat == sources


def test_a_file_whose_size_is_unknown_still_counts_toward_batch_size(tmp_path: Path) -> None:
    """A broken link has no size; it is batched (and rejected when read), not lost."""
    inbox = tmp_path / "inbox"
    write(inbox, {"a.txt": 10})
    (inbox / "gone.txt").symlink_to(inbox / "missing.txt")
    sources = discover([inbox])
    assert {s.path.name: s.size for s in sources} == {"a.txt": 10, "gone.txt": 0}
    settings = Settings(batch_size=1)
    assert [[s.path.name for s in b] for b in stages.batches(sources, settings)] == [
        ["a.txt"],
        ["gone.txt"],
    ]


def test_front_matter_reads_the_same_with_or_without_libyaml() -> None:
    """The fast (C) loader and the alias-refusing pure-Python one agree on metadata."""
    text = "published: 2024-02-01\ntitle: 'Floods: 1.6 million homes'\nurl: https://x.example/a\n"
    assert load_metadata(text) == yaml.load(text, Loader=yaml.SafeLoader)
    # With a '*' the pure-Python loader reads it, and refuses an alias.
    assert load_metadata("title: 5 * 3\n") == {"title": "5 * 3"}
    with pytest.raises(yaml.YAMLError):
        load_metadata("a: &x 1\nb: *x\n")
