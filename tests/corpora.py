"""The named tiny corpora of tests/data/ (see its README), copied where a test may add to them;
and the texts the model's stand-ins are checked on (`stand_in_texts`)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
REPO = DATA.parents[1]
# Texts that have tripped tokenisers, taggers and rules: spacing, contractions, title case,
# abbreviations, multi-token patterns of the attribute ruler, an expletive "there".
ODD = [
    "  spaced   out\n\n text  ",
    "\t",
    "",
    "a",
    "Yes.",
    "gonna wanna gotta cannot",
    "I ain't sure he 's done, y'all.",
    "e.g. the U.S.-led coalition, i.e. NATO's 32 members.",
    "TWO HUNDRED TROOPS were sent on 24/7 patrols.",
    "Hello. World!  Yes \n no",
    '"We will stress it," NASA Administrator Bill Nelson told The Associated Press.',
    "Let's go, c'mon: there are 20 of y'all and nothin' is gonna stop us.",
    "There were gonna be 40, but we got ta wait.",
]


def corpus(name: str, into: Path) -> Path:
    """A copy of ``tests/data/<name>/`` as ``into/<name>/``; returns the copy."""
    source = DATA / name
    if not source.is_dir():
        known = ", ".join(sorted(p.name for p in DATA.iterdir() if p.is_dir()))
        raise LookupError(f"no corpus {name!r} in {DATA}; there are: {known}")
    return Path(shutil.copytree(source, into / name))


NEWS_PASSAGES = 3500


def stand_in_texts(shared: Path) -> list[str]:
    """Every paragraph of the seeds, about ``NEWS_PASSAGES`` paragraphs of bench/news spread
    evenly over all its stories (the corpus grows with each batch of stories; the tests' time
    should not), every peer-suite input and the odd texts: what the model's stand-ins must
    annotate exactly as the stock components do."""

    from claims.extract import split_passages  # the model's package: only where it is needed

    def passages(folder: Path, pattern: str) -> list[str]:
        files = sorted(folder.glob(pattern))
        return [p for f in files for _, p in split_passages(f.read_text())]

    out = passages(REPO / "seeds", "*.txt")
    news = passages(REPO / "bench" / "news", "*/[0-9]*.*")
    out += news[:: max(2, -(-len(news) // NEWS_PASSAGES))]
    for path in sorted((shared / "peer-suites").rglob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            text = case.get("Input") or case.get("req")
            out += [text] if isinstance(text, str) else []
    return out + ODD
