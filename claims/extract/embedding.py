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
        self.convolution = Convolution(self.encode)

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
                and Convolution.supports(encode)
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
            out += self.convolution(first)
        return out


class Convolution:
    """The window encoder's four ``residual(expand_window >> maxout >> layernorm)`` layers,
    run with the same numpy operations in the same order as thinc's layers (the same vectors,
    bit for bit) but without their per-layer bookkeeping: the three pieces of the maxout
    compared two at a time instead of thinc's per-element loop, and the layer norm reusing
    the centred values its variance is computed from."""

    def __init__(self, encode: Any) -> None:
        self.ops = encode.ops
        self.pad = encode.attrs["pad"]
        self.layers = []
        for block in encode.layers[0].layers:
            named = {layer.name: layer for layer in block.walk()}
            window, maxout, norm = (named[n] for n in ("expand_window", "maxout", "layernorm"))
            n_out, pieces, n_in = (maxout.get_dim(d) for d in ("nO", "nP", "nI"))
            self.layers.append(
                (
                    window.attrs["window_size"],
                    maxout.get_param("W").reshape(n_out * pieces, n_in),
                    maxout.get_param("b").reshape(n_out * pieces),
                    n_out,
                    pieces,
                    norm.get_param("G"),
                    norm.get_param("b"),
                )
            )

    @staticmethod
    def supports(encode: Any) -> bool:
        """Whether ``encode`` is ``with_array(residual(expand_window >> maxout >> layernorm >>
        dropout) >> ...)``, as the constructor reads it."""
        try:
            blocks = encode.layers[0].layers
            return "pad" in encode.attrs and all(
                b.name == "residual(expand_window>>maxout>>layernorm>>dropout)" for b in blocks
            )
        except (AttributeError, IndexError):
            return False

    def __call__(self, seqs: list[np.ndarray]) -> list[np.ndarray]:
        ops = self.ops
        lengths = np.array([len(x) for x in seqs], dtype="int32")
        X = ops.flatten(seqs, pad=self.pad)
        for window, W, b, n_out, pieces, G, beta in self.layers:
            Y = ops.gemm(ops.seq2col(X, window), W, trans2=True)
            Y += b
            Z = Y.reshape(Y.shape[0], n_out, pieces)
            best = Z[:, :, 0]
            for p in range(1, pieces):
                best = np.maximum(best, Z[:, :, p])
            # LayerNorm as thinc computes it: X.mean, X.var (sum of the squared centred
            # values over the width), then (X - mu) * var ** -0.5 * G + b.
            mu = best.mean(axis=1, keepdims=True)
            centred = best - mu
            var = np.add.reduce(np.square(centred), axis=1, keepdims=True)
            var = np.true_divide(var, np.intp(best.shape[1]), out=var, casting="unsafe")
            var = var + 1e-08
            normed = centred * var ** (-1.0 / 2.0)
            normed = normed * G
            normed += beta
            X = X + normed
        return list(ops.unflatten(X, lengths, pad=self.pad))


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
