"""Title-case headlines, read as sentences: "Death Toll Reaches 9" is parsed as "Death toll
reaches 9".

A tagger trained on running text reads every capitalised word of a title-case line as a
proper noun, so the verb of a headline ("Reaches", "Rises To", "Leaves") and its counted
noun ("Dead", "Troops") are lost. Such a line is parsed in sentence case instead: its first
word, acronyms and the words the document capitalises inside its sentences (names:
"Grenfell", "Puerto Rico") keep their capitals, the rest are lowered. Only the parse sees
this text; it has the same length, so every offset still points into the stored text.
"""

from __future__ import annotations

import re

from claims.textnorm import WORD, is_title_case


def names(text: str) -> frozenset[str]:
    """Words the text capitalises after a lower-case word: names, not sentence openers."""
    found = set()
    for line in text.split("\n"):
        if is_title_case(line):
            continue
        for m in re.finditer(r"(?<=[a-z,;] )([A-Z][\w'’-]*)", line):
            found.add(m.group(1))
    return frozenset(found)


_OPENING = re.compile(r"[\s#*>_-]*(?:(\S*\d)|[^\W\d_])")


def sentence_case(line: str, keep: frozenset[str]) -> str:
    """``line`` with its capitalised common words lowered (same length as ``line``)."""
    if not is_title_case(line):
        return line
    out = list(line)
    # The line's first word keeps its capital, unless a figure opens the line: in "127 People
    # Killed In Indonesia" the counted noun is a common noun like the rest.
    opening = _OPENING.match(line)
    first = opening is not None and not opening.group(1)
    for m in WORD.finditer(line):
        word = m.group(0)
        if first:
            first = False
            continue
        if word.isupper() or word in keep or not word[0].isupper():
            continue
        lowered = word[0].lower()
        if len(lowered) == 1:
            out[m.start()] = lowered
    return "".join(out)
