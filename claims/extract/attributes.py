"""The attribute ruler's annotation, computed once per kind of token.

spaCy's English pipelines map each tagger tag to a part of speech and morphology, and fix a
few words' lemmas, with an ``attribute_ruler`` of about 180 Matcher patterns run over every
token: a tenth of the model's time here. Nearly all of those patterns test one token's tag,
lower-case form, dependency label or whitespace flag, so for them the outcome depends only on
those values, and on a word only when a pattern names it. :class:`AttributeTable` looks the
outcome up per such combination and computes it once, from the same patterns in the same
order; patterns of any other shape still run through a Matcher. The annotation is the stock
component's (tests/test_attributes.py compares every token attribute).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import set_token_attrs

# Token pattern keys read straight off a token: (hash attribute for the lookup key, string
# attribute for evaluating a pattern).
FEATURES = {
    "TAG": ("tag", "tag_"),
    "DEP": ("dep", "dep_"),
    "POS": ("pos", "pos_"),
    "LOWER": ("lower", "lower_"),
    "ORTH": ("orth", "orth_"),
    "TEXT": ("orth", "orth_"),
    "NORM": ("norm", "norm_"),
    "IS_SPACE": ("is_space", "is_space"),
}
SET_PREDICATES = frozenset({"IN", "NOT_IN"})
UNNAMED = -1  # a value no pattern names: every pattern treats all of them alike


class AttributeTable:
    """Sets what ``ruler`` would set on a parsed Doc, looking simple patterns up by token."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs = ruler.attrs
        self.indices = ruler.indices
        self.strings = ruler.vocab.strings
        self.simple: list[tuple[int, dict]] = []
        self.matcher = Matcher(ruler.vocab)
        named: dict[str, set[int]] = defaultdict(set)
        entries = cast(list[dict[str, Any]], ruler.patterns)
        for attr_id, entry in enumerate(entries):
            for pattern in entry["patterns"]:
                if _is_simple(pattern, entry["index"]):
                    self.simple.append((attr_id, pattern[0]))
                    for key, value in pattern[0].items():
                        named[key].update(self._hashes(key, value))
                else:
                    self.matcher.add(str(attr_id), [pattern])
        self.simple.sort(key=lambda item: item[0])
        self.keys = sorted(named)
        self.named = [frozenset(named[k]) for k in self.keys]
        self.getters = [FEATURES[k][0] for k in self.keys]
        self.table: dict[tuple, tuple[tuple[int, ...], dict]] = {}

    def __call__(self, doc: Doc) -> Doc:
        # Every match is found before any is applied, as the ruler does: a pattern that sets
        # TAG or DEP must not change what the other patterns see.
        extra: dict[int, list[int]] = defaultdict(list)
        for match_id, start, end in self.matcher(doc, allow_missing=True, as_spans=False):
            attr_id = int(self.strings[match_id])
            extra[doc[start:end][self.indices[attr_id]].i].append(attr_id)
        for tok in doc:
            ids, attrs = self._lookup(tok)
            if tok.i in extra:
                ids = tuple(sorted((*ids, *extra[tok.i])))
                attrs = self._merged(ids)
            if attrs:
                set_token_attrs(tok, attrs)
        return doc

    def _lookup(self, tok: Token) -> tuple[tuple[int, ...], dict]:
        key = tuple(
            v if (v := getattr(tok, g)) in named else UNNAMED
            for g, named in zip(self.getters, self.named, strict=True)
        )
        found = self.table.get(key)
        if found is None:
            ids = tuple(i for i, p in self.simple if _matches(tok, p))
            found = self.table[key] = (ids, self._merged(ids))
        return found

    def _merged(self, ids: Iterable[int]) -> dict:
        # The ruler applies matches in pattern order, each overwriting what it sets.
        out: dict = {}
        for attr_id in ids:
            out.update(self.attrs[attr_id])
        return out

    def _hashes(self, key: str, value: Any) -> set[int]:
        values = next(iter(value.values())) if isinstance(value, dict) else [value]
        if key == "IS_SPACE":
            return {bool(v) for v in values}
        return {self.strings.add(v) for v in values}


def _is_simple(pattern: list[dict], index: int) -> bool:
    if len(pattern) != 1 or index not in (0, -1):
        return False
    for key, value in pattern[0].items():
        if key not in FEATURES:
            return False
        if isinstance(value, dict):
            if len(value) != 1 or not set(value) <= SET_PREDICATES:
                return False
            values = next(iter(value.values()))
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                return False
        elif not isinstance(value, bool if key == "IS_SPACE" else str):
            return False
    return True


def _matches(tok: Token, pattern: dict) -> bool:
    for key, wanted in pattern.items():
        value = getattr(tok, FEATURES[key][1])
        if isinstance(wanted, dict):
            (op, values), *_ = wanted.items()
            if (value in values) != (op == "IN"):
                return False
        elif value != wanted:
            return False
    return True
