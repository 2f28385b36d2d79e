"""The attribute table annotates exactly as spaCy's attribute ruler does, token by token."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from corpora import stand_in_texts
from spacy.language import Language
from spacy.pipeline import AttributeRuler, TrainablePipe
from spacy.tokens import Doc

from claims.extract.attributes import AttributeTable


def annotation(doc: Doc) -> list[tuple]:
    return [
        (t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i, t.ent_type_) for t in doc
    ]


def stock_ruler(nlp: Language) -> AttributeRuler:
    return cast(AttributeRuler, nlp.get_pipe("attribute_ruler"))


def parsed_before_ruler(nlp: Language, texts: list[str]) -> list[Doc]:
    late = ["attribute_ruler", "lemmatizer", "ner"]
    return list(nlp.pipe(texts, disable=late))


@pytest.fixture(scope="module")
def texts(shared: Path) -> list[str]:
    return stand_in_texts(shared)


def test_the_table_gives_every_token_the_stock_models_annotation(
    nlp: Language, texts: list[str]
) -> None:
    table = AttributeTable(stock_ruler(nlp))
    stock = list(nlp.pipe(texts))
    ours = parsed_before_ruler(nlp, texts)
    ner, lemmatizer = (cast(TrainablePipe, nlp.get_pipe(name)) for name in ("ner", "lemmatizer"))
    ours = list(ner.pipe(lemmatizer.pipe(table(d) for d in ours)))
    assert len(texts) > 800
    for a, b in zip(stock, ours, strict=True):
        assert annotation(a) == annotation(b), a.text


def test_words_no_pattern_names_share_one_entry(nlp: Language, texts: list[str]) -> None:
    table = AttributeTable(stock_ruler(nlp))
    docs = [table(d) for d in parsed_before_ruler(nlp, texts)]
    distinct = {(t.tag, t.lower, t.dep, t.is_space) for d in docs for t in d}
    assert len(table.table) < len(distinct) / 5


def test_patterns_of_other_shapes_still_apply_in_pattern_order(nlp: Language) -> None:
    """Two-token patterns, operators, other attributes and an index past the first token go
    through a Matcher; where several set the same attribute, the later pattern wins."""
    ruler = AttributeRuler(nlp.vocab)
    ruler.add([[{"TAG": "NNP"}]], {"POS": "X"})
    ruler.add([[{"LOWER": "crimea"}, {"LOWER": "in"}]], {"POS": "SYM"}, index=0)
    ruler.add([[{"LIKE_NUM": True}]], {"LEMMA": "NUMBER"})
    ruler.add([[{"LOWER": "annexed"}, {"LOWER": "crimea"}]], {"LEMMA": "CRIMEA"}, index=1)
    ruler.add([[{"POS": "PROPN", "OP": "+"}]], {"MORPH": "Number=Sing"})
    ruler.add([[{"LOWER": {"IN": ["in", "on"]}, "DEP": {"NOT_IN": ["advmod"]}}]], {"TAG": "IN"})
    ruler.add([[{"TAG": "NNP", "LOWER": "russia"}]], {"POS": "PROPN"})
    texts = ["Russia annexed Crimea in 2014.", "Crimea in 2014, Russia on 2 fronts."]
    stock = [ruler(d) for d in parsed_before_ruler(nlp, texts)]
    table = AttributeTable(ruler)
    ours = [table(d) for d in parsed_before_ruler(nlp, texts)]
    assert len(table.matcher) == 4
    assert [annotation(d) for d in ours] == [annotation(d) for d in stock]
    first = {t.text: t for t in ours[0]}
    assert first["Russia"].pos_ == "PROPN" and first["Crimea"].pos_ == "SYM"
    assert first["Crimea"].lemma_ == "CRIMEA" and first["2014"].lemma_ == "NUMBER"


def test_the_matcher_runs_only_where_a_multi_token_pattern_could_match(nlp: Language) -> None:
    """The few Matcher patterns need rare words (gon-na, let's, y'all, an expletive 'there'):
    a paragraph without them skips the Matcher, one with them does not."""
    table = AttributeTable(stock_ruler(nlp))
    plain, rare, expletive = parsed_before_ruler(
        nlp,
        [
            "Over 50 nations pledged air defence systems on Friday.",
            "Let's see what y'all think.",
            "There are 20 troops at the border.",
        ],
    )
    assert not table._may_match(plain)
    assert table._may_match(rare)
    assert table._may_match(expletive)
