"""The embedding, the parser's and the recogniser's batch decoders and the lemma table set
exactly what spaCy's components set.

Compared token by token with the stock components of the same model on real text: the seed
articles, every paragraph of the real-news corpus (bench/news), the peer suites' inputs, and
awkward strings (whitespace, contractions, abbreviations, capitals, one-word and empty
passages).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from corpora import stand_in_texts
from spacy.language import Language
from spacy.tokens import Token

from claims.extract.embedding import Embedding
from claims.extract.lemmas import LemmaTable
from claims.extract.parser import Parser
from claims.extract.recognizer import Recognizer

TAGGED = ["parser", "attribute_ruler", "lemmatizer", "ner"]


@pytest.fixture(scope="module")
def texts(shared: Path) -> list[str]:
    return stand_in_texts(shared)


def parse(t: Token) -> tuple:
    return (t.head.i, t.dep_, t.is_sent_start, t.left_edge.i, t.right_edge.i, t.n_lefts)


def entity(t: Token) -> tuple:
    return (t.ent_iob_, t.ent_type_)


def pipe(nlp: Language, name: str) -> Any:
    """A component, untyped: its model and methods vary by kind."""
    return nlp.get_pipe(name)


def test_the_embedding_gives_every_token_the_stock_vector(nlp: Language, texts: list[str]) -> None:
    docs = list(nlp.pipe(texts, disable=nlp.pipe_names))
    for model in (pipe(nlp, "tok2vec").model, pipe(nlp, "ner").model.get_ref("tok2vec")):
        own = model if Embedding.supports(model) else model.layers[0]
        embedding = Embedding(own)
        for i in range(0, len(docs), 256):
            batch = docs[i : i + 256]
            stock = [v for j in range(0, len(batch), 64) for v in own.predict(batch[j : j + 64])]
            assert all(np.array_equal(a, b) for a, b in zip(stock, embedding(batch), strict=True))


def test_the_parser_decoder_gives_every_token_the_stock_parse(
    nlp: Language, texts: list[str]
) -> None:
    stock = list(pipe(nlp, "parser").pipe(nlp.pipe(texts, disable=TAGGED)))
    ours = list(nlp.pipe(texts, disable=TAGGED))
    decoder = Parser(nlp.get_pipe("parser"))
    assert Parser.supports(nlp.get_pipe("parser"))
    for i in range(0, len(ours), 256):
        decoder(ours[i : i + 256])
    assert len(texts) > 1500
    for a, b in zip(stock, ours, strict=True):
        assert [parse(t) for t in a] == [parse(t) for t in b], a.text


def test_the_recogniser_decoder_gives_every_token_the_stock_entity(
    nlp: Language, texts: list[str]
) -> None:
    stock = list(nlp.pipe(texts))
    ours = list(nlp.pipe(texts, disable=["ner"]))
    decoder = Recognizer(nlp.get_pipe("ner"))
    assert Recognizer.supports(nlp.get_pipe("ner"))
    for i in range(0, len(ours), 256):
        decoder(ours[i : i + 256])
    assert sum(len(d.ents) for d in stock) > 2000
    for a, b in zip(stock, ours, strict=True):
        assert [entity(t) for t in a] == [entity(t) for t in b], a.text


def test_the_lemma_table_gives_every_token_the_stock_lemma(nlp: Language, texts: list[str]) -> None:
    stock = list(nlp.pipe(texts, disable=["ner"]))
    ours = list(nlp.pipe(texts, disable=["lemmatizer", "ner"]))
    table = LemmaTable(nlp.get_pipe("lemmatizer"))
    assert LemmaTable.supports(nlp.get_pipe("lemmatizer"))
    ours = [table(d) for d in ours]
    assert len(table.table) < sum(len(d) for d in ours) / 4
    for a, b in zip(stock, ours, strict=True):
        assert [t.lemma_ for t in a] == [t.lemma_ for t in b], a.text


def test_passages_already_annotated_go_to_the_stock_components(nlp: Language) -> None:
    """A passage with sentence starts or entities set beforehand is left to spaCy, which
    respects them."""
    texts = ["Russia annexed Crimea in 2014. Kyiv protested.", "Nearly 50 allies met."]
    stock = list(nlp.pipe(texts))
    ours = list(nlp.pipe(texts, disable=TAGGED))
    ours[0][6].is_sent_start = True
    Parser(nlp.get_pipe("parser"))(ours)
    assert ours[0][6].is_sent_start and [parse(t) for t in ours[1]] == [parse(t) for t in stock[1]]
    person = ours[1].char_span(0, 9, label="PERSON")
    assert person is not None
    ours[1].set_ents([person], default="unmodified")
    list(pipe(nlp, "attribute_ruler").pipe(ours))
    Recognizer(nlp.get_pipe("ner"))(ours)
    assert [e.label_ for e in ours[1].ents][:1] == ["PERSON"]
    assert [entity(t) for t in ours[0]] == [entity(t) for t in stock[0]]
