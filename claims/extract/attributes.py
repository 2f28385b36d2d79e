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

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
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
# The same attributes by the names Doc.to_array takes.
ARRAY_ATTRS = {key: "ORTH" if key == "TEXT" else key for key in FEATURES}
SET_PREDICATES = frozenset({"IN", "NOT_IN"})
# A value no pattern names (every pattern treats all of them alike); no string hashes to it.
UNNAMED = np.uint64(2**64 - 1)


class AttributeTable:
    """Sets what ``ruler`` would set on a parsed Doc, looking simple patterns up by token."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.attrs = ruler.attrs
        self.indices = ruler.indices
        self.strings = ruler.vocab.strings
        self.simple: list[tuple[int, dict]] = []
        self.matcher = Matcher(ruler.vocab)
        # Per Matcher pattern, what some token of the Doc must satisfy for it to match; None
        # when a pattern has a token no test here can rule out. A Doc that fails every
        # pattern's requirements skips the Matcher (most do: these are rare words).
        self.gates: list[list[tuple[str, Any]] | None] = []
        self.gate_attrs: list[str] = []
        self.satisfies: dict[tuple[str, int], int] = {}
        self.gate_masks: list[int] | None = []
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
                    self.gates.append(_requirements(pattern))
        self.simple.sort(key=lambda item: item[0])
        self._index_gates()
        self.keys = sorted(named)
        self.array_attrs = [ARRAY_ATTRS[k] for k in self.keys]
        # A value is named by a pattern when some pattern tests that attribute for it; which
        # attribute does not matter to the key (a hash collision across attributes only
        # costs a table entry).
        self.named_values = np.array(
            sorted({int(v) for k in self.keys for v in named[k]}), dtype=np.uint64
        )
        self.table: dict[tuple, tuple[tuple[int, ...], dict]] = {}

    def _index_gates(self) -> None:
        """Number every (attribute, test) requirement; a pattern's mask has its bits."""
        self.requirements: list[tuple[str, Any]] = []
        masks: list[int] = []
        for gate in self.gates:
            if gate is None:
                self.gate_masks = None
                return
            mask = 0
            for req in gate:
                if req not in self.requirements:
                    self.requirements.append(req)
                mask |= 1 << self.requirements.index(req)
            masks.append(mask)
        self.gate_masks = masks
        self.gate_attrs = sorted({attr for attr, _ in self.requirements})

    def _may_match(self, doc: Doc) -> bool:
        """Whether some Matcher pattern could match ``doc``: each of its requirements is met
        by some token (never False when a match exists)."""
        if self.gate_masks is None:
            return True
        if not self.gate_masks:
            return False
        have = 0
        values = doc.to_array(cast(list[int | str], self.gate_attrs))
        for column, attr in enumerate(self.gate_attrs):
            for value in set(values[:, column].tolist()) if len(doc) else ():
                key = (attr, value)
                bits = self.satisfies.get(key)
                if bits is None:
                    text = self.strings[value] if value else ""
                    bits = self.satisfies[key] = sum(
                        1 << i
                        for i, (a, test) in enumerate(self.requirements)
                        if a == attr and _passes(text, test)
                    )
                have |= bits
        return any(have & mask == mask for mask in self.gate_masks)

    def __call__(self, doc: Doc) -> Doc:
        # Every match is found before any is applied, as the ruler does: a pattern that sets
        # TAG or DEP must not change what the other patterns see.
        extra: dict[int, list[int]] = defaultdict(list)
        matches = (
            self.matcher(doc, allow_missing=True, as_spans=False) if self._may_match(doc) else []
        )
        for match_id, start, end in matches:
            attr_id = int(self.strings[match_id])
            extra[doc[start:end][self.indices[attr_id]].i].append(attr_id)
        if not len(doc):
            return doc
        # Each token's lookup key, for all tokens at once: its values of the attributes the
        # patterns test, a value no pattern names replaced by UNNAMED.
        values = doc.to_array(cast(list[int | str], self.array_attrs))
        keys = np.where(_among(values, self.named_values), values, UNNAMED).tolist()
        table = self.table
        for i, key in enumerate(keys):
            found = table.get(row := tuple(key))
            tok = doc[i]
            if found is None:
                ids = tuple(n for n, p in self.simple if _matches(tok, p))
                found = table[row] = (ids, self._merged(ids))
            ids, attrs = found
            if i in extra:
                ids = tuple(sorted((*ids, *extra[i])))
                attrs = self._merged(ids)
            if attrs:
                set_token_attrs(tok, attrs)
        return doc

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


def _among(values: np.ndarray, named: np.ndarray) -> np.ndarray:
    """``np.isin(values, named)`` for a sorted ``named``: a binary search per value instead
    of sorting both arrays together on every passage."""
    if not len(named):
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(named, values), len(named) - 1)
    return np.asarray(named[at] == values)


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


# Token attributes a requirement can test, by the name Doc.to_array takes.
GATED = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH", "DEP": "DEP", "TAG": "TAG"}


def _requirements(pattern: list[dict]) -> list[tuple[str, Any]] | None:
    """What a Doc must hold for ``pattern`` to match it: per token of the pattern that must be
    there, one test of one attribute. None when some required token has no such test."""
    out: list[tuple[str, Any]] = []
    for spec in pattern:
        if spec.get("OP", "1") not in ("1", "+"):
            continue  # optional, or a negation: no test says which token it needs
        test = next(
            ((GATED[k], _test(v)) for k, v in spec.items() if k in GATED and _test(v) is not None),
            None,
        )
        if test is None:
            return None
        out.append(test)
    return out


def _test(value: Any) -> Any:
    """A hashable test of one attribute's string: ("=", s), ("in", frozenset) or ("re", r)."""
    if isinstance(value, str):
        return ("=", value)
    if isinstance(value, dict) and len(value) == 1:
        ((op, arg),) = value.items()
        if op == "IN" and isinstance(arg, list):
            return ("in", frozenset(arg))
        if op == "REGEX" and isinstance(arg, str):
            return ("re", arg)
    return None


def _passes(text: str, test: Any) -> bool:
    kind, arg = test
    if kind == "=":
        return bool(text == arg)
    if kind == "in":
        return text in arg
    return re.search(arg, text) is not None
