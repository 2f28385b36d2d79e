"""The dependency parser's decoding, run for a whole batch of passages at once.

spaCy's parser is a transition-based arc-eager parser: a small network scores the moves
(shift, reduce, left and right arcs with their labels, sentence break) from eight tokens of
the state (the buffer's first two, the stack's top three, the nearest left and right children
of the top items), and the state takes the best valid move, twice per token. Its Cython loop
calls blis once per feature and state through a wrapper that takes and releases the GIL
(``perf`` shows it). :class:`Parser` runs the same layers with the same kernels and applies
the same transition system (``spacy/pipeline/_parser_internals/arc_eager.pyx``) to every
passage of a batch at once with numpy: the same heads, labels and sentences, token by token
(tests/test_decoders.py), in less than half the time.

It covers what the pipeline needs: fresh passages (no heads or sentence starts set
beforehand, beyond spaCy's own mark on the first token), greedy decoding, no ``subtok``
label. Anything else goes to the stock component.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from blis.py import gemm
from spacy.attrs import DEP, HEAD, SENT_START
from spacy.pipeline._parser_internals.nonproj import deprojectivize
from spacy.tokens import Doc

SHIFT, REDUCE, LEFT, RIGHT, BREAK = range(5)
_MOVES = {"S": SHIFT, "D": REDUCE, "L": LEFT, "R": RIGHT, "B": BREAK}
NONE = -1


class Parser:
    """Sets the heads and labels spaCy's ``parser`` component would set on tagged passages."""

    def __init__(self, parser: Any) -> None:
        self.parser = parser
        model = parser.model
        self.embed = model.get_ref("tok2vec")
        self.lower = model.get_ref("lower")
        upper = model.get_ref("upper")
        self.weights, self.bias = upper.get_param("W"), upper.get_param("b")
        self.hidden_bias = self.lower.get_param("b")
        names = [parser.moves.get_class_name(i) for i in range(parser.moves.n_moves)]
        self.move = np.array([_MOVES[name[0]] for name in names])
        strings = parser.vocab.strings
        self.label = np.array(
            [strings.add(name[2:]) if name[2:] else 0 for name in names], dtype=np.uint64
        )
        self.root = np.uint64(parser.moves.root_label)

    @staticmethod
    def supports(parser: Any) -> bool:
        """Whether ``parser`` is a model this decoder reproduces exactly."""
        model: Any = getattr(parser, "model", None)
        try:
            names = [parser.moves.get_class_name(i) for i in range(parser.moves.n_moves)]
            return (
                type(parser).__name__ == "DependencyParser"
                and parser.cfg.get("beam_width") == 1
                and not parser.cfg.get("learn_tokens")
                and model.attrs.get("has_upper") is True
                and not model.attrs.get("unseen_classes")
                and model.get_ref("lower").get_dim("nF") == 8
                and type(model.ops).__name__ == "NumpyOps"
                and all(name[:1] in _MOVES for name in names)
                and not any(name.endswith("-subtok") for name in names)
                and [p.__name__ for p in parser.postprocesses] == ["deprojectivize"]
            )
        except (AttributeError, KeyError, ValueError):
            return False

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        preset = [doc for doc in docs if len(doc) and _preset(doc)]
        if preset:
            list(self.parser.pipe(preset))
        fresh = [doc for doc in docs if len(doc) and not _preset(doc)]
        if fresh:
            self._decode(fresh)
        return docs

    def _decode(self, docs: list[Doc]) -> None:
        """Greedy arc-eager decoding of every passage in lockstep, one move per step."""
        cached = self.lower.predict(self.embed.predict(docs))  # row 0: the padding
        n_feats = cached.shape[1]
        pieces = cached.reshape(cached.shape[0], n_feats, -1)
        n_pieces = cached.shape[3]
        bias = self.hidden_bias.reshape(-1)
        lengths = np.array([len(doc) for doc in docs])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        preset = np.concatenate([doc.to_array(SENT_START).astype(np.int64) for doc in docs])
        state = _States(starts, lengths, preset)
        move, label = self.move, self.label
        while len(state.b_i):
            feats = state.features() + 1
            # Summed in feature order, then the bias, as spaCy's loop adds them.
            hidden = pieces[feats[:, 0], 0]
            for f in range(1, n_feats):
                hidden += pieces[feats[:, f], f]
            hidden += bias
            best_piece = hidden[:, 0::n_pieces]
            for p in range(1, n_pieces):
                best_piece = np.maximum(best_piece, hidden[:, p::n_pieces])
            scores = gemm(best_piece, self.weights, trans2=True) + self.bias
            valid = state.valid_moves()[:, move]
            best = np.where(valid, scores, -np.inf).argmax(axis=1)
            state.apply(move[best], label[best])

        heads, deps = state.head, state.dep
        for doc, start, length in zip(docs, starts, lengths, strict=True):
            own = np.arange(start, start + length)
            head = heads[own]
            relative = np.where(head >= 0, head - own, 0)
            dep = np.where(head >= 0, deps[own], self.root)
            values: Any = np.stack([relative.astype(np.uint64), dep], axis=1)
            doc.from_array([HEAD, DEP], values)
            deprojectivize(doc)


def _preset(doc: Doc) -> bool:
    """Whether ``doc`` carries heads or sentence starts the parser must respect."""
    if doc.has_annotation("DEP"):
        return True
    starts = doc.to_array(SENT_START).astype(np.int64)
    return bool(starts[1:].any())


class _States:
    """The arc-eager states of a batch, one row per unfinished passage, tokens numbered
    across the batch.

    Follows ``StateC`` (``_state.pxd``): a stack, a buffer read from ``b_i`` after the
    "rebuffer" (tokens a reduce put back), heads, sentence starts set by breaks, and per head
    the arcs to its left and right children in the order they were added (a replaced arc is
    popped when it is the last one, else left as a tombstone), whose last live one is the
    nearest-child feature. Rows leave when their passage is parsed.
    """

    def __init__(self, starts: np.ndarray, lengths: np.ndarray, preset: np.ndarray) -> None:
        rows, width, n = len(starts), int(lengths.max()) + 1, int(lengths.sum())
        self.end = starts + lengths
        self.b_i = starts.copy()  # the next buffer token (global index)
        self.stack = np.full((rows, width), NONE, dtype=np.int64)
        self.depth = np.zeros(rows, dtype=np.int64)
        self.rebuffer = np.full((rows, width), NONE, dtype=np.int64)
        self.rdepth = np.zeros(rows, dtype=np.int64)
        # Per token; index n stands for "no token" wherever a token is looked up.
        self.head = np.full(n + 1, NONE, dtype=np.int64)
        self.dep = np.zeros(n + 1, dtype=np.uint64)
        self.unshiftable = np.zeros(n + 1, dtype=bool)
        self.broken = np.zeros(n + 1, dtype=bool)  # sentence starts set by BREAK
        self.preset_start = np.append(preset == 1, False)
        self.cannot_start = np.append(preset == -1, False)
        # Arcs: child, the arc added before it to the same head and side, tombstone flag.
        self.arc_child = np.zeros(2 * n + 2, dtype=np.int64)
        self.arc_prev = np.zeros(2 * n + 2, dtype=np.int64)
        self.arc_dead = np.zeros(2 * n + 2, dtype=bool)
        self.arc_of = np.full(n + 1, NONE, dtype=np.int64)  # the live arc to each child
        self.n_arcs = 0
        self.last_left = np.full(n + 1, NONE, dtype=np.int64)
        self.last_right = np.full(n + 1, NONE, dtype=np.int64)
        self.none = n
        self._read()

    def _read(self) -> None:
        """B(0), B(1), S(0..2) and the buffer's length for every row."""
        rows = np.arange(len(self.b_i))
        r, d, b_i, end = self.rdepth, self.depth, self.b_i, self.end
        first = np.where(b_i < end, b_i, NONE)
        second = np.where(b_i + 1 < end, b_i + 1, NONE)
        top = self.rebuffer[rows, np.maximum(r - 1, 0)]
        self.b0 = np.where(r > 0, top, first)
        under = self.rebuffer[rows, np.maximum(r - 2, 0)]
        self.b1 = np.where(r > 1, under, np.where(r == 1, first, second))
        self.s = [
            np.where(d > i, self.stack[rows, np.maximum(d - 1 - i, 0)], NONE) for i in range(3)
        ]
        self.buffered = end - b_i + r

    def _at(self, tokens: np.ndarray) -> np.ndarray:
        return np.where(tokens >= 0, tokens, self.none)

    def _nearest_child(self, last: np.ndarray, heads: np.ndarray) -> np.ndarray:
        """The child of each head's last live arc on one side (``StateC.L``/``R`` with 1)."""
        arc = last[self._at(heads)]
        dead = (arc >= 0) & self.arc_dead[arc]
        while dead.any():
            arc = np.where(dead, self.arc_prev[arc], arc)
            dead = (arc >= 0) & self.arc_dead[arc]
        return np.where(arc >= 0, self.arc_child[arc], NONE)

    def features(self) -> np.ndarray:
        """The eight context tokens of each row (global indices, NONE if absent)."""
        b0, s0 = self.b0, self.s[0]
        return np.stack(
            [
                b0,
                self.b1,
                s0,
                self.s[1],
                self.s[2],
                self._nearest_child(self.last_left, b0),
                self._nearest_child(self.last_left, s0),
                self._nearest_child(self.last_right, s0),
            ],
            axis=1,
        )

    def valid_moves(self) -> np.ndarray:
        """Which of SHIFT, REDUCE, LEFT, RIGHT, BREAK each row may take."""
        b0, b1, buffered = self._at(self.b0), self._at(self.b1), self.buffered
        empty = self.depth == 0
        b0_starts = self.preset_start[b0] | self.broken[b0]
        shift = empty | ((buffered >= 2) & ~b0_starts & ~self.unshiftable[b0])
        reduce = ~empty & ((buffered == 0) | ~((self.depth == 1) & self.cannot_start[b0]))
        arc = ~empty & (buffered > 0) & ~b0_starts
        b1_starts = self.preset_start[b1] | self.broken[b1]
        brk = (buffered >= 2) & (self.b1 == self.b0 + 1) & ~b1_starts & ~self.cannot_start[b1]
        return np.stack([shift, reduce, arc, arc, brk], axis=1)

    # -- moving ----------------------------------------------------------------------------

    def _add_arcs(self, heads: np.ndarray, children: np.ndarray, labels: np.ndarray) -> None:
        had = self.head[children] >= 0
        if had.any():
            child, old = children[had], self.head[children[had]]
            arc = self.arc_of[child]
            for last, side in ((self.last_left, old > child), (self.last_right, old <= child)):
                h, a = old[side], arc[side]
                popped = last[h] == a
                last[h[popped]] = self.arc_prev[a[popped]]
                self.arc_dead[a[~popped]] = True
        ids = np.arange(self.n_arcs, self.n_arcs + len(children))
        self.n_arcs += len(children)
        self.arc_child[ids] = children
        left = heads > children
        for last, side in ((self.last_left, left), (self.last_right, ~left)):
            self.arc_prev[ids[side]] = last[heads[side]]
            last[heads[side]] = ids[side]
        self.arc_of[children] = ids
        self.head[children] = heads
        self.dep[children] = labels

    def apply(self, moves: np.ndarray, labels: np.ndarray) -> None:
        """Take each row's chosen move, then drop the rows whose passage is parsed."""
        b0, b1, s0 = self.b0, self.b1, self.s[0]
        rows = np.arange(len(moves))
        left = moves == LEFT
        if left.any():
            self._add_arcs(b0[left], s0[left], labels[left])
            self.unshiftable[b0[left]] = False
            self.depth[left] -= 1
        right = moves == RIGHT
        if right.any():
            self._add_arcs(s0[right], b0[right], labels[right])
        reduce = moves == REDUCE
        if reduce.any():
            back = reduce & (self.head[self._at(s0)] < 0) & (self.depth > 1)
            if back.any():
                s = s0[back]
                self.unshiftable[s] = True
                self.rebuffer[rows[back], self.rdepth[back]] = s
                self.rdepth[back] += 1
            self.depth[reduce] -= 1
        brk = moves == BREAK
        if brk.any():
            self.broken[b1[brk]] = True
        push = (moves == SHIFT) | right
        if push.any():
            r = self.rdepth
            back = push & (r > 0)
            fresh = push & (r == 0)
            token = np.where(back, self.rebuffer[rows, np.maximum(r - 1, 0)], self.b_i)
            self.rdepth[back] -= 1
            self.b_i[fresh] += 1
            self.stack[rows[push], self.depth[push]] = token[push]
            self.depth[push] += 1
        done = (self.depth == 0) & (self.end - self.b_i + self.rdepth == 0)
        if done.any():
            going = ~done
            self.end, self.b_i, self.rdepth = self.end[going], self.b_i[going], self.rdepth[going]
            self.stack, self.depth = self.stack[going], self.depth[going]
            self.rebuffer = self.rebuffer[going]
        self._read()
