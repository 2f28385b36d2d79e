"""Text normalisation before reading: what a file's bytes say, in the shape the reader needs.

Two repairs, each recorded in ``documents.warnings`` when it changes anything:

- **invisible controls** are removed: zero-width characters, the byte order mark inside the
  text, soft hyphens and bidirectional controls. Pasted from web pages and PDFs they split a
  number in two ("12\\u202e000 houses" is read as 12 and 0) or hide a word from the reader.
  A zero-width joiner or non-joiner next to a non-ASCII character is kept: there it shapes a
  script or an emoji sequence.
- **hard-wrapped paragraphs** are joined: wire copy wrapped at about 70 characters ends every
  line with a newline, and each line would be read as a paragraph of its own (a sentence cut
  in two loses its subject or its attribution). A line break is a wrap when the first word of
  the next line would not have fitted on the line (the test a text reflow uses), the text's
  lines are no wider than a terminal's, and the next line does not open a list item, a
  heading, a quote or a table row. Blank lines, markdown structure and short lines stay.

Digit groups written with thin, narrow or no-break spaces ("12 345") are left as written: the
number reader reads them.

``is_title_case`` tells a title-case headline from a sentence (one test for the extractor,
which parses such a line in sentence case, and the cross-check, which takes none of its
capitals for a name).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

# Zero-width and formatting characters that never carry a figure's meaning.
INVISIBLE = {
    "\u200b": "ZERO WIDTH SPACE",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
    "\u00ad": "SOFT HYPHEN",
    "\u180e": "MONGOLIAN VOWEL SEPARATOR",
    "\u200e": "LEFT-TO-RIGHT MARK",
    "\u200f": "RIGHT-TO-LEFT MARK",
    "\u061c": "ARABIC LETTER MARK",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
JOINERS = {"\u200c": "ZERO WIDTH NON-JOINER", "\u200d": "ZERO WIDTH JOINER"}
_CONTROLS = re.compile("[" + "".join(INVISIBLE) + "".join(JOINERS) + "]")

# The widest wrapped line we believe in; a text with longer lines has one paragraph per line.
MAX_WRAP_WIDTH = 100
MIN_WRAP_WIDTH = 40
_RAGGED = 0.6  # a line this share of the width long that ends mid-sentence was wrapped
_SENTENCE_END = re.compile(r"[.!?:;\"'”’)\]>]\s*$")
_CARRIES_ON = re.compile(r"\s*(?![\w-]+:\s)(?:[a-z]|[$€£]?\d)")  # not a "key: value" line
# A line that opens a list item, a heading, a quote, a table row, a bold live-blog entry or a
# rule stays on its own line.
_STRUCTURE = re.compile(r"^\s*(?:[-*+•·–—]\s|\d{1,3}[.)]\s|#|>|\||\*\*|__|={3,}|-{3,}|\[)")


def normalise(text: str) -> tuple[str, list[str]]:
    """``text`` with invisible controls removed and hard-wrapped paragraphs joined, and one
    warning per repair made."""
    warnings: list[str] = []
    text, removed = remove_invisible(text)
    if removed:
        names = ", ".join(f"U+{ord(c):04X} {_name(c)} x{n}" for c, n in removed.most_common())
        warnings.append(f"removed {sum(removed.values())} invisible characters ({names})")
    text, joined = unwrap(text)
    if joined:
        warnings.append(f"joined {joined} hard-wrapped line breaks into paragraphs")
    return text, warnings


def _name(char: str) -> str:
    return INVISIBLE.get(char) or JOINERS.get(char, "")


def remove_invisible(text: str) -> tuple[str, Counter[str]]:
    """``text`` without invisible controls, and how many of each were removed."""
    removed: Counter[str] = Counter()
    if not _CONTROLS.search(text):
        return text, removed

    def drop(m: re.Match[str]) -> str:
        char = m.group(0)
        if char in JOINERS:
            before = text[m.start() - 1] if m.start() > 0 else ""
            after = text[m.end()] if m.end() < len(text) else ""
            if any(c and not c.isascii() and c not in INVISIBLE for c in (before, after)):
                return char
        removed[char] += 1
        return ""

    return _CONTROLS.sub(drop, text), removed


def wrap_width(lines: list[str]) -> int | None:
    """The width a text was wrapped at, or None when it does not look wrapped: lines followed
    by another line of the same paragraph, most of them filled to near one width."""
    inner = [len(line.rstrip()) for line, nxt in pairwise(lines) if line.strip() and nxt.strip()]
    if len(inner) < 2:
        return None
    ranked = sorted(inner)
    width = ranked[int(0.9 * (len(ranked) - 1))]
    if not MIN_WRAP_WIDTH <= width <= MAX_WRAP_WIDTH:
        return None
    if max(inner) > MAX_WRAP_WIDTH:
        return None
    return width


def unwrap(text: str) -> tuple[str, int]:
    """``text`` with wrapped line breaks joined (a space, or nothing after a hyphen inside a
    word), and how many were joined."""
    lines = text.split("\n")
    width = wrap_width(lines)
    if width is None:
        return text, 0
    out = [lines[0]]
    joined = 0
    for prev, line in pairwise(lines):
        if _is_wrap(prev, line, width):
            head, tail = out[-1].rstrip(), line.lstrip()
            hyphen = head.endswith("-") and head[-2:-1].isalnum() and tail[:1].isalnum()
            out[-1] = head + ("" if hyphen else " ") + tail
            joined += 1
        else:
            out.append(line)
    return "\n".join(out), joined


def _is_wrap(prev: str, line: str, width: int) -> bool:
    """Whether the break between ``prev`` and ``line`` (as written) was made by wrapping."""
    if not prev.strip() or not line.strip() or _STRUCTURE.match(line):
        return False
    if _STRUCTURE.match(prev) and prev.lstrip().startswith(("#", "|", "=", "---")):
        return False
    first_word = len(line.split(maxsplit=1)[0])
    if len(prev.rstrip()) + 1 + first_word > width:
        return True
    # Copy wrapped by hand runs ragged: "Lula had 48.38 percent / and Bolsonaro 43.24 percent".
    # A long line that ends mid-sentence before one that carries on in lower case or with a
    # figure is one paragraph, wherever the writer broke it.
    ragged = len(prev.rstrip()) >= _RAGGED * width and not _SENTENCE_END.search(prev)
    return ragged and bool(_CARRIES_ON.match(line))


# Title case: a headline's style, not a sentence's (claims/extract/headlines.py reads such
# lines in sentence case; the cross-check's reader takes no capital in one for a name).
WORD = re.compile(r"[^\W\d_][\w'’-]*")  # a word, as title case counts them
MD_HEADING = re.compile(r"#{1,6}[ \t]+")  # a Markdown heading's marks, before its text
MIN_WORDS = 3
TITLE_SHARE = 0.7


# Words of four letters or more that some title-case styles leave in lower case.
_SMALL_WORDS = frozenset(
    {"with", "from", "into", "onto", "over", "than", "that", "this", "upon", "amid", "after"}
    | {"about", "under", "near", "when", "while", "where", "more", "most", "says", "said"}
)


def is_title_case(line: str) -> bool:
    """Whether most words of four letters or more start with a capital, and those that do not
    are small words: "The victims included Alejandro Hernandez Fuentes, 35, of Baltimore" is
    a sentence full of names."""
    words: list[str] = [w for w in WORD.findall(line) if len(w) >= 4]
    if len(words) < MIN_WORDS:
        return False
    lower = [w for w in words if not w[0].isupper()]
    if any(w.lower() not in _SMALL_WORDS for w in lower):
        return False
    return len(words) - len(lower) >= TITLE_SHARE * len(words)
