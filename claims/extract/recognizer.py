"""The entity recogniser's decoding, run for a whole batch of passages at once.

spaCy's recogniser (a transition-based BILUO tagger) scores one move per token with a small
network: its own embedding, a hidden layer precomputed per token, an output layer. Its
Cython decoder then asks each of the 74 moves whether it is valid, state by state; on this
model that loop, taking and releasing the GIL inside the validity checks (``perf`` shows it),
costs more than the network. :class:`Recognizer` runs the same layers with the same kernels
(blis) and applies the same BILUO rules to every passage of a batch at once with numpy: the
same entities, token by token (tests/test_decoders.py), in about a third of the time.

It covers what the pipeline needs: fresh passages (no entities set beforehand), greedy
decoding, a model with an output layer, no unseen classes and its own embedding. Anything
else goes to the stock component.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from blis.py import gemm
from spacy.attrs import IS_SPACE, SENT_START
from spacy.tokens import Doc, Span

from claims.extract.embedding import Embedding

BEGIN, IN, LAST, UNIT, OUT = range(5)
_MOVES = {"B": BEGIN, "I": IN, "L": LAST, "U": UNIT, "O": OUT}


class Recognizer:
    """Sets the entities spaCy's ``ner`` component would set on parsed passages."""

    def __init__(self, ner: Any) -> None:
        self.ner = ner
        model = ner.model
        own, _, self.project = model.get_ref("tok2vec").layers  # Tok2Vec >> list2array >> linear
        self.embedding = Embedding(own)
        self.lower = model.get_ref("lower")
        upper = model.get_ref("upper")
        self.weights, self.bias = upper.get_param("W"), upper.get_param("b")
        self.hidden_bias = self.lower.get_param("b")
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self.move = np.array([_MOVES[name[0]] for name in names])
        labels = [name[2:] for name in names]  # '' for O and the blocking U-
        self.labels = ["", *sorted(set(labels) - {""})]
        self.label = np.array([self.labels.index(label) for label in labels])

    @staticmethod
    def supports(ner: Any) -> bool:
        """Whether ``ner`` is a model this decoder reproduces exactly."""
        model: Any = getattr(ner, "model", None)
        try:
            names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
            return (
                type(ner).__name__ == "EntityRecognizer"
                and ner.cfg.get("beam_width") == 1
                and model.attrs.get("has_upper") is True
                and not model.attrs.get("unseen_classes")
                and model.get_ref("lower").get_dim("nF") == 3
                and type(model.ops).__name__ == "NumpyOps"
                and all(name[:1] in _MOVES and name[1:2] in ("", "-") for name in names)
                and _own_embedding(model.get_ref("tok2vec"))
            )
        except (AttributeError, KeyError, ValueError):
            return False

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        preset = [doc for doc in docs if doc.has_annotation("ENT_IOB")]
        if preset:
            list(self.ner.pipe(preset))
        fresh = [doc for doc in docs if len(doc) and not doc.has_annotation("ENT_IOB")]
        if fresh:
            self._decode(fresh)
        return docs

    def _decode(self, docs: list[Doc]) -> None:
        """Greedy BILUO decoding of every passage in lockstep, one token per step."""
        vectors = self.project.predict(np.concatenate(self.embedding(docs)))
        # Per token and feature, the hidden layer's input; row 0 is the padding ("no token").
        cached = self.lower.predict(vectors)
        n, n_feats, n_pieces = len(vectors), cached.shape[1], cached.shape[3]
        pieces = cached.reshape(n + 1, n_feats, -1)
        bias = self.hidden_bias.reshape(-1)
        lengths = np.array([len(doc) for doc in docs])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        flags = np.concatenate([doc.to_array([SENT_START, IS_SPACE]) for doc in docs])
        sent_start = np.append(flags[:, 0].astype(np.int64) == 1, False)
        space = flags[:, 1] == 1

        which = np.arange(len(docs))  # the passage of each unfinished state
        pos = starts.copy()  # B(0), the state's next token
        end = starts + lengths
        opened = np.zeros(len(docs), dtype=bool)
        open_label = np.zeros(len(docs), dtype=np.int64)
        open_start = np.zeros(len(docs), dtype=np.int64)
        found: list[tuple[int, int, int, int]] = []  # (passage, start, end, label)
        move, label = self.move, self.label
        named = label != 0
        while len(which):
            # The three features: B(0), the open entity's first token, the token before B(0).
            # Summed in feature order, then the bias, as spaCy's loop adds them.
            hidden = pieces[pos + 1, 0] + pieces[np.where(opened, open_start + 1, 0), 1]
            hidden += pieces[np.where(opened, pos, 0), 2]
            hidden += bias
            best = hidden[:, 0::n_pieces]
            for p in range(1, n_pieces):
                best = np.maximum(best, hidden[:, p::n_pieces])
            scores = gemm(best, self.weights, trans2=True) + self.bias

            last = pos + 1 >= end
            before_break = sent_start[pos + 1] & ~last
            is_open = opened[:, None]
            same = label[None, :] == open_label[:, None]
            can_begin = (~opened & ~last & ~before_break & ~space[pos])[:, None] & named
            can_in = (opened & ~last & ~before_break)[:, None] & same
            can_unit = (~opened & ~space[pos])[:, None] & named
            valid = np.select(
                [move == BEGIN, move == IN, move == LAST, move == UNIT],
                [can_begin, can_in, is_open & same, can_unit],
                default=~is_open,
            )
            choice = np.where(valid, scores, -np.inf).argmax(axis=1)
            chosen, tag = move[choice], label[choice]

            begins = chosen == BEGIN
            open_start = np.where(begins, pos, open_start)
            open_label = np.where(begins, tag, open_label)
            closes = chosen == LAST
            for k in np.flatnonzero(closes):
                found.append((which[k], open_start[k], pos[k] + 1, tag[k]))
            for k in np.flatnonzero(chosen == UNIT):
                found.append((which[k], pos[k], pos[k] + 1, tag[k]))
            opened = (opened | begins) & ~closes
            pos = pos + 1
            going = pos < end
            which, pos, end = which[going], pos[going], end[going]
            opened, open_label, open_start = opened[going], open_label[going], open_start[going]

        spans: list[list[Span]] = [[] for _ in docs]
        for d, start, stop, tag in found:
            base = starts[d]
            spans[d].append(Span(docs[d], start - base, stop - base, label=self.labels[tag]))
        for doc, ents in zip(docs, spans, strict=True):
            doc.set_ents(sorted(ents, key=lambda span: span.start), default="outside")


def _own_embedding(embed: Any) -> bool:
    """Whether the recogniser's embedding is a supported ``Tok2Vec`` followed by its own
    projection (``list2array >> linear``)."""
    layers = getattr(embed, "layers", [])
    return len(layers) == 3 and layers[1].name == "list2array" and Embedding.supports(layers[0])
