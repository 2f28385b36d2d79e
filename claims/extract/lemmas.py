"""The rule lemmatizer's lemmas, looked up once per kind of token.

spaCy's rule lemmatizer decides a token's lemma from its form, part of speech and morphology
alone, and caches the answer under that key, except for base forms (a singular noun, an
infinitive, a positive adjective: most tokens), which it works out again every time from the
morphology. :class:`LemmaTable` keeps every answer under the same key and writes a
passage's lemmas in one call: the stock component's lemmas (tests/test_decoders.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc


class LemmaTable:
    """Sets what a rule-mode ``lemmatizer`` would set on passages with parts of speech."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.strings = lemmatizer.vocab.strings
        self.table: dict[tuple[int, int, int], int] = {}

    @staticmethod
    def supports(lemmatizer: Any) -> bool:
        """Whether ``lemmatizer`` is spaCy's (English) rule lemmatizer keeping set lemmas,
        whose answer depends on nothing but the key."""
        return (
            type(lemmatizer).__name__ in ("Lemmatizer", "EnglishLemmatizer")
            and type(lemmatizer).rule_lemmatize is Lemmatizer.rule_lemmatize
            and getattr(lemmatizer, "mode", None) == "rule"
            and getattr(lemmatizer, "overwrite", True) is False
        )

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        values = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = values[:, 3].copy()
        table, missing = self.table, False
        for i, (orth, pos, morph, lemma) in enumerate(values.tolist()):
            if lemma:
                continue  # set by the attribute ruler: the lemmatizer keeps it
            key = (orth, pos, morph)
            found = table.get(key)
            if found is None:
                form = self.lemmatizer.lemmatize(doc[i])[0]
                found = table[key] = self.strings.add(form)
            lemmas[i] = found
            missing = True
        if missing:
            column: Any = np.asarray(lemmas, dtype=np.uint64).reshape(-1, 1)
            doc.from_array([LEMMA], column)
        return doc
