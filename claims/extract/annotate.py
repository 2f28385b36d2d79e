"""Running the model over passages: spaCy's components where they are fast, exact stand-ins
where they are not.

``extract_documents`` splits the passages into tokens with ``nlp.pipe``; :func:`finish`
runs the components a batch at a time:

- the embedding, its first layer once per kind of token
  (:class:`~claims.extract.embedding.Embedding`);
- the tagger, spaCy's own;
- the parser, decoded by :class:`~claims.extract.parser.Parser`;
- the attribute ruler, as a lookup table (:class:`~claims.extract.attributes.AttributeTable`);
- the lemmatizer, as a lookup table (:class:`~claims.extract.lemmas.LemmaTable`);
- the entity recogniser, decoded by :class:`~claims.extract.recognizer.Recognizer`, and only
  on the passages with a figure or whose parse can hold a fact (the recogniser has its own
  embedding and reads only the tokens, so running it last and on fewer passages gives each
  the same entities).

Each stand-in sets what the stock component sets, token by token (tests/test_decoders.py,
tests/test_attributes.py), and stands in only for a model it supports; any other model runs
its own components.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from claims.extract.attributes import AttributeTable
from claims.extract.embedding import Embedding
from claims.extract.facts import may_yield_facts
from claims.extract.lemmas import LemmaTable
from claims.extract.parser import Parser
from claims.extract.recognizer import Recognizer

Context = tuple[int, int, bool]  # (document, passage, has a figure)


def late_pipes(nlp: Language) -> list[str]:
    """The components :func:`finish` runs instead of ``nlp.pipe``: all of them, when the
    recogniser comes last (``nlp.pipe`` then only splits the passages into tokens)."""
    names = nlp.pipe_names
    return list(names) if names and names[-1] == "ner" else []


def finish(
    stream: Iterable[tuple[Doc, Context]], nlp: Language, late: list[str], size: int
) -> Iterator[tuple[Doc, Context]]:
    """Runs the ``late`` components on ``size`` passages at a time. The flag in each context
    becomes whether the passage got entities, that is, whether it can hold a claim."""
    items = iter(stream)
    while chunk := list(islice(items, size)):
        sdocs = [sdoc for sdoc, _ in chunk]
        for name in late[:-1]:
            pipe: Any = nlp.get_pipe(name)
            if name == "tok2vec" and (embedding := _embedding(pipe)) is not None:
                for sdoc, vectors in zip(sdocs, embedding(sdocs), strict=True):
                    sdoc.tensor = vectors  # what the tagger and the parser read
            elif name == "attribute_ruler":
                table = _attribute_table(pipe)
                sdocs = [table(sdoc) for sdoc in sdocs]
            elif name == "parser" and (parser := _parser(pipe)) is not None:
                parser(sdocs)
            elif name == "lemmatizer" and (lemmas := _lemmas(pipe)) is not None:
                sdocs = [lemmas(sdoc) for sdoc in sdocs]
            else:
                sdocs = list(pipe.pipe(sdocs))
        marked = [
            (sdoc, (index, p, figures or may_yield_facts(sdoc)))
            for sdoc, (_, (index, p, figures)) in zip(sdocs, chunk, strict=True)
        ]
        wanted = [sdoc for sdoc, (_, _, full) in marked if full]
        ner: Any = nlp.get_pipe(late[-1])
        recognizer = _recognizer(ner)
        if recognizer is not None:
            recognizer(wanted)
        else:
            for _ in ner.pipe(wanted):
                pass
        yield from marked


@lru_cache(maxsize=4)
def _attribute_table(ruler: AttributeRuler) -> AttributeTable:
    return AttributeTable(ruler)


@lru_cache(maxsize=4)
def _embedding(pipe: Any) -> Embedding | None:
    model = getattr(pipe, "model", None)
    return Embedding(model) if Embedding.supports(model) else None


@lru_cache(maxsize=4)
def _parser(pipe: Any) -> Parser | None:
    return Parser(pipe) if Parser.supports(pipe) else None


@lru_cache(maxsize=4)
def _lemmas(pipe: Any) -> LemmaTable | None:
    return LemmaTable(pipe) if LemmaTable.supports(pipe) else None


@lru_cache(maxsize=4)
def _recognizer(ner: Any) -> Recognizer | None:
    return Recognizer(ner) if Recognizer.supports(ner) else None
