"""The token embedding (spaCy's ``Tok2Vec``), its first layer computed once per kind of token.

The embedding runs in two stages: each token's attributes (its normalised form, prefix,
suffix, shape and spacing) are hashed into tables, concatenated and mixed into one vector;
then four convolutional layers let each vector see four tokens either side. The first stage
sees the token alone, so two tokens with the same attributes get the same vector: a batch of
news passages has about a fifth as many kinds of token as tokens. :class:`Embedding` computes
the first stage once per kind with the model's own layers, gathers, and runs the convolution
over the passages a few at a time: the stock vectors, bit for bit (tests/test_decoders.py).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from spacy.tokens import Doc

from claims.extract.model import EMBED_BATCH


class Embedding:
    """Token vectors from a ``Tok2Vec.v2`` model (the tok2vec component's, or the recogniser's)."""

    def __init__(self, model: Any) -> None:
        embed, self.encode = model.layers
        self.features = embed.layers[0]
        self.lookup = embed.layers[2].layers[0]  # the hash tables, concatenated
        self.mix = embed.layers[3].layers[0]  # maxout >> layernorm >> dropout
        self.width = model.get_dim("nO")

    @staticmethod
    def supports(model: Any) -> bool:
        """Whether ``model`` is a CPU ``Tok2Vec.v2`` of hashed attributes and a window encoder."""
        try:
            embed, encode = model.layers
            first, to_ragged, lookup, mix, to_list = (layer.name for layer in embed.layers)
            return (
                (first, to_ragged, to_list) == ("extract_features", "list2ragged", "ragged2list")
                and lookup.startswith("with_array(ints-getitem>>hashembed")
                and mix == "with_array(maxout>>layernorm>>dropout)"
                and encode.name.startswith("with_array(residual(expand_window")
                and type(model.ops).__name__ == "NumpyOps"
            )
        except (AttributeError, ValueError):
            return False

    def __call__(self, docs: list[Doc]) -> list[np.ndarray]:
        """One array of vectors per passage, as ``model.predict(docs)`` gives them."""
        columns = self.features.predict(docs)
        lengths = np.array([len(c) for c in columns])
        if not lengths.sum():
            return [np.zeros((0, self.width), dtype="f") for _ in docs]
        kinds, which = _kinds(np.concatenate(columns))
        table = self.mix.predict(self.lookup.predict(kinds))
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        out: list[np.ndarray] = []
        for i in range(0, len(docs), EMBED_BATCH):
            stop = min(i + EMBED_BATCH, len(docs))
            first = [table[which[bounds[j] : bounds[j + 1]]] for j in range(i, stop)]
            out += self.encode.predict(first)
        return out


def _kinds(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of ``rows`` and, for each row, the index of its own among them.

    Rows are told apart by a 64-bit mix of their columns (sorting one column is several times
    faster than sorting rows); should two rows ever share a mix, the exact row sort is used.
    """
    mix = rows[:, 0].copy()
    for j in range(1, rows.shape[1]):
        mix = mix * np.uint64(0x9E3779B97F4A7C15) ^ rows[:, j]
    _, first, which = np.unique(mix, return_index=True, return_inverse=True)
    kinds = rows[first]
    if not np.array_equal(kinds[which], rows):
        kinds, which = np.unique(rows, axis=0, return_inverse=True)
    return kinds, which.reshape(-1)
