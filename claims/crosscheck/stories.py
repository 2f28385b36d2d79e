"""Documents grouped into stories, and a date for the documents the feed left undated.

A story is the coverage of one event or development by many outlets over days or months: the
Grenfell Tower fire, one referendum, one takeover. Figures are compared within a story, and a
figure is read with its story ("about 50 countries" in an article about one coalition meets
the other figures about that coalition).

Grouping is online, as news arrives (the classic topic detection and tracking scheme):
documents in date order each join the story whose centroid is most similar to them, if it is
similar enough and the story was still running (``Settings.story_max_gap_days``), else start
a new story. A document is represented by the rarer words of its headline (counted twice) and
its opening, and the names its claims and facts mention, weighted by inverse document
frequency over the run's documents and English at large (wordfreq); a document published long after the story's last needs
more in common with it (``Settings.story_similarity_year``). Undated documents join last, without the time condition,
and take a date from their story: the month and day of their dateline ("June 15 (Reuters)")
in the story's year, else the date of the story's most similar dated document.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import chain, repeat
from operator import itemgetter, mul

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import wordfreq  # type: ignore[import-untyped]

from claims.crosscheck.columns import DocColumns, DocRow, DocumentsIn, document_columns
from claims.lexicon import crosscheck_lexicon, fold, without_possessive
from claims.settings import Settings

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LEAD_CHARS = 700
_TOP_TERMS = 12
_KEPT_TERMS = 60
_MAX_POSTING = 500
_MAX_CANDIDATES = 15
_DOCS_AT_ONCE = 20_000  # documents whose words are split at once: bounds their memory
_BACKGROUND = 1000  # made-up English documents behind the run's own (see _idf)
_LEAD_WORDS = 150  # about the words of a headline and an opening
# A story quiet for more than ``_QUIET_DAYS`` takes a document only if their distinctive
# terms (``_distinctive``) alone make ``_NAMED_SIMILARITY`` of their cosine: two train
# crashes months apart share 'train' and 'killed', and no name.
_QUIET_DAYS = 14
_NAMED_SIMILARITY = 0.01
_PROPER_RATIO = 4
_RARE_SHARE = 1e-6
_MONTHS = {
    m: k
    for k, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for m in names
}
# "LONDON, June 15 (Reuters) -", "April 21 (Yonhap) --", "Jun 30, 2017 -": a dateline's month
# and day near the top of the text.
_DATELINE = re.compile(
    r"\b(?P<month>[A-Z][a-z]{2,8})\.? (?P<day>\d{1,2})(?:,? (?P<year>\d{4}))?\b"
    r"(?=\s*(?:\(|[-–—]|,))"
)


@dataclass
class Story:
    """One story: its id, a label a reader recognises, and its documents."""

    story_id: str
    label: str
    doc_ids: list[str]
    first: date | None
    last: date | None


@dataclass
class StoryMap:
    """Every document's story and the date cross-checking uses for it."""

    stories: list[Story] = field(default_factory=list)
    story_of: dict[str, str] = field(default_factory=dict)
    dates: dict[str, date] = field(default_factory=dict)
    date_basis: dict[str, str] = field(default_factory=dict)  # published, dateline, story

    def date(self, doc_id: str) -> date | None:
        return self.dates.get(doc_id)

    def frame(self) -> pd.DataFrame:
        """The stories as the ``stories`` table's rows."""
        rows = [(s.story_id, s.label, s.first, s.last, len(s.doc_ids)) for s in self.stories]
        columns = ["story_id", "label", "first_published", "last_published", "documents"]
        return pd.DataFrame(rows, columns=columns)

    def assignments(self) -> pd.DataFrame:
        """Each document's story and effective date, for ``documents``."""
        rows = [
            (d, story, self.dates.get(d), self.date_basis.get(d))
            for d, story in sorted(self.story_of.items())
        ]
        columns = ["doc_id", "story_id", "effective_date", "effective_date_from"]
        return pd.DataFrame(rows, columns=columns)


def _stopwords(settings: Settings) -> frozenset[str]:
    lex = crosscheck_lexicon(settings.data_dir)
    return lex.stopwords | lex.story_stopwords


class _StoryWords(dict[str, str]):
    """Each raw word's form as a story term ("" for none), memoised for one run: news repeats
    its words, and a hundred thousand articles would otherwise clean the same words millions
    of times."""

    def __init__(self, stop: frozenset[str]) -> None:
        super().__init__()
        self.stop = stop

    def __missing__(self, raw: str) -> str:
        w = without_possessive(raw).strip("'’-")
        out = self[raw] = w if len(w) >= 3 and w not in self.stop else ""
        return out


@cache
def _english() -> dict[str, float]:
    """Each English word's share of running text (wordfreq's 'best' list)."""
    return wordfreq.get_frequency_dict("en", "best")


def _idf(term: str, k: int, n: int) -> float:
    """Inverse document frequency over the run's ``n`` documents and ``_BACKGROUND`` made-up
    ones in which a word occurs as often as in English at large: in a run of four reports of
    one ferry sinking, 'ferry' and the port's name still tell the story from the next one,
    and 'off' or 'continues' do not. Names count as never seen in English."""
    share = 0.0 if term.startswith("=") else _english().get(term, 0.0)
    in_background = _BACKGROUND * -math.expm1(-_LEAD_WORDS * share)
    return math.log((n + _BACKGROUND + 1) / (k + in_background + 1))


def _raw_words(
    texts: pa.ChunkedArray, cased: bool = False
) -> tuple[np.ndarray, pa.Array, np.ndarray | None]:
    r"""(row, word, capitalised) for every word of every text, folded (``fold``) as ``_WORD``
    finds them; with ``cased``, whether each was written with a capital (ASCII texts only),
    else None. ASCII texts (most news) are split by Arrow's kernels, which then mean what
    Python's ``\w`` means; any other text by ``_WORD`` itself."""
    texts = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    plain = pc.fill_null(pc.string_is_ascii(texts), True).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(plain)
    # Split where ``[^\w'-]+`` matches, without a regular expression (two thirds of the
    # time): every other character made a space, then split at each space; the empty
    # words that runs of spaces leave are dropped below with the rest.
    runs = pc.split_pattern(_spaced(texts.take(pa.array(rows))), " ")
    # A run of word characters is one word, from its first letter on.
    words = pc.ascii_ltrim(pc.list_flatten(runs), _NOT_FIRST)
    owner = rows[pc.list_parent_indices(runs).to_numpy()]
    found = pc.not_equal(words, "").to_numpy(zero_copy_only=False)
    words = words.filter(pa.array(found))
    owners, parts = [owner[found]], [pc.ascii_lower(words)]
    capital = pc.ascii_is_upper(pc.utf8_slice_codeunits(words, 0, 1)) if cased else None
    caps = [] if capital is None else [capital.to_numpy(zero_copy_only=False)]
    other = np.flatnonzero(~plain).tolist()
    if other:
        values = texts.take(pa.array(other)).to_pylist()
        found_words = [_WORD.findall(fold(t)) for t in values]
        owners.append(np.repeat(np.array(other), [len(w) for w in found_words]))
        parts.append(pa.array([w for ws in found_words for w in ws], pa.string()))
        if cased:
            caps.append(np.zeros(len(parts[-1]), dtype=bool))
    cased_words = np.concatenate(caps) if cased else None
    return np.concatenate(owners), pa.concat_arrays(parts), cased_words


# What ``\w``, apostrophes and hyphens are in ASCII text (``\w`` is ASCII in Arrow's RE2).
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'-")
_TO_SPACE = bytes(c if c in _WORD_BYTES or c > 127 else 32 for c in range(256))
_NOT_FIRST = "0123456789_'-"  # what a word does not start with


def _spaced(texts: pa.Array) -> pa.Array:
    """ASCII ``texts`` with every character but a word's (``_WORD_BYTES``) made a space: one
    ``bytes.translate`` of their data, under the same offsets and nulls."""
    validity, offsets, data = texts.buffers()
    if data is None:
        return texts
    spaced = pa.py_buffer(data.to_pybytes().translate(_TO_SPACE))
    return pa.Array.from_buffers(
        texts.type, len(texts), [validity, offsets, spaced], texts.null_count, texts.offset
    )


def _counts(
    docs: pa.Table,
    first: int,
    doc_ids: list[str],
    names: Mapping[str, Iterable[str]],
    word: _StoryWords,
    term_codes: dict[str, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(document, term, count) of every term of the documents ``docs`` (rows ``first`` on):
    a headline's words count twice, an opening's once, each name once. Terms are numbered in
    ``term_codes`` as they are first met. Last, the terms of the openings' words written with
    a capital, and of those written without (a headline's capitals say nothing)."""
    owners, weights, raws = [], [], []
    caps = np.zeros(0, dtype=bool)
    for column, times in (("text", 1), ("title", 2)):
        owner, raw, capital = _raw_words(docs[column], cased=column == "text")
        owners.append(owner)
        weights.append(np.full(len(owner), times, dtype=np.int64))
        raws.append(raw)
        if capital is not None:
            caps = capital
    encoded = pa.concat_arrays(raws).dictionary_encode()
    form = [word[r] for r in encoded.dictionary.to_pylist()]
    code = np.array([term_codes.setdefault(f, len(term_codes)) if f else -1 for f in form])
    terms = [code[encoded.indices.to_numpy()]] if len(form) else []
    opening = terms[0][: len(owners[0])] if terms else np.zeros(0, dtype=np.int64)
    cased = opening >= 0
    upper, lower = opening[cased & caps], opening[cased & ~caps]
    name_owner, name_terms = [], []
    for k, d in enumerate(doc_ids[first : first + len(docs)]):
        for name in names.get(d, ()):
            name_owner.append(k)
            name_terms.append(term_codes.setdefault(f"={name}", len(term_codes)))
    owner = np.concatenate([*owners, np.array(name_owner, dtype=np.int64)])
    term = np.concatenate([*terms, np.array(name_terms, dtype=np.int64)]).astype(np.int64)
    weight = np.concatenate([*weights, np.ones(len(name_owner), dtype=np.int64)])
    keep = term >= 0
    owner, term, weight = owner[keep], term[keep], weight[keep]
    width = max(len(term_codes), 1)
    key, at = np.unique(owner * width + term, return_inverse=True)
    count = np.bincount(at.reshape(-1), weights=weight).astype(np.int64)
    return key // width + first, key % width, count, upper, lower


def _heaviest(
    owner: np.ndarray,
    term: np.ndarray,
    count: np.ndarray,
    idf: np.ndarray,
    logs: np.ndarray,
    rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(term, weight, document) of the ``_KEPT_TERMS`` heaviest terms of each document of one
    slice, heaviest first (ties in term order), the weights normalised to unit length."""
    w = -(1 + logs[count]) * idf[term]
    order = np.lexsort((rank[term], w, owner))
    owner, term, w = owner[order].astype(np.int64), term[order], w[order]
    if not len(owner):
        return term, -w, owner
    low = int(owner[0])
    local = owner - low
    sizes = np.bincount(local)
    start = np.cumsum(sizes) - sizes
    pos = np.arange(len(owner)) - start[local]
    # The norm of the kept weights, summed in order as a Python sum would.
    square = w * w
    total = np.zeros(len(sizes))
    for j in range(_KEPT_TERMS):
        at_j = pos == j
        total[local[at_j]] += square[at_j]
    norm = np.sqrt(total)
    norm[norm == 0] = 1.0
    kept = (pos < _KEPT_TERMS) & (w < 0)
    return term[kept], -w[kept] / norm[local[kept]], owner[kept]


def _distinctive(names: list[str], upper: list[np.ndarray], lower: list[np.ndarray]) -> np.ndarray:
    """Whether each term can tell one story from another of its kind: a name its claims
    give, a word rare in English ('monkeypox', 'evergrande'), or a word the openings write
    with a capital at least ``_PROPER_RATIO`` times as often as without ('Texas', 'Maria')."""
    k = len(names)
    up = np.bincount(np.concatenate([*upper, np.zeros(0, dtype=np.int64)]), minlength=k)
    low = np.bincount(np.concatenate([*lower, np.zeros(0, dtype=np.int64)]), minlength=k)
    proper = (up >= 2) & (up >= _PROPER_RATIO * low)
    english = _english()
    # A compound is as rare as its rarest part ('head-on' is not; 'saint-germain' is).
    rare = np.array(
        [
            t.startswith("=")
            or min((english.get(w, 0.0) for w in t.split("-") if w), default=0.0) < _RARE_SHARE
            for t in names
        ],
        dtype=bool,
    )
    out: np.ndarray = proper[:k] | rare
    return out


class _Vectors:
    """TF-IDF vectors of the documents (rows of ``DocColumns``) as compressed rows of their
    ``_KEPT_TERMS`` heaviest terms, heaviest first (ties in term order), normalised to unit
    length; a document's index keys are its first ``_TOP_TERMS``. Terms are numbered
    (``names``): the words of a headline (counted twice) and an opening, and ``=name`` for the
    names its claims and facts mention."""

    def __init__(
        self, docs: DocColumns, names: Mapping[str, Iterable[str]], word: _StoryWords
    ) -> None:
        n = len(docs)
        term_codes: dict[str, int] = {}
        doc_ids = docs.table["doc_id"].to_pylist()
        # Two passes over the documents a slice at a time: their terms' counts (kept in 32
        # bits), then, once every term's document frequency is known, their vectors; ten
        # million claims' documents would otherwise hold several arrays of all their terms.
        counted: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        upper: list[np.ndarray] = []
        lower: list[np.ndarray] = []
        for first in range(0, n, _DOCS_AT_ONCE):
            owner, term, count, up, low = _counts(
                docs.table.slice(first, _DOCS_AT_ONCE), first, doc_ids, names, word, term_codes
            )
            counted.append((owner.astype(np.int32), term.astype(np.int32), count.astype(np.int32)))
            upper.append(up)
            lower.append(low)
        del doc_ids
        self.names = list(term_codes)
        self.distinctive = _distinctive(self.names, upper, lower)
        del upper, lower
        df = np.zeros(len(self.names), dtype=np.int64)
        for _, term, _ in counted:
            df += np.bincount(term, minlength=len(self.names))
        idf = np.array([_idf(t, int(k), n) for t, k in zip(self.names, df.tolist(), strict=True)])
        most = max((int(c.max(initial=0)) for _, _, c in counted), default=0)
        logs = np.array([math.log(k) if k else 0.0 for k in range(most + 1)])
        rank = np.empty(len(self.names), dtype=np.int64)
        rank[np.argsort(np.array(self.names, dtype=object), kind="stable")] = np.arange(len(rank))
        terms, weights, sizes = [], [], np.zeros(n, dtype=np.int64)
        for first, (owner, term, count) in zip(range(0, n, _DOCS_AT_ONCE), counted, strict=True):
            kept_term, kept_weight, kept_owner = _heaviest(owner, term, count, idf, logs, rank)
            terms.append(kept_term)
            weights.append(kept_weight)
            sizes += np.bincount(kept_owner, minlength=n)
            counted[first // _DOCS_AT_ONCE] = (owner[:0], term[:0], count[:0])  # freed
        self.term = np.concatenate(terms) if terms else np.zeros(0, dtype=np.int32)
        self.weight = np.concatenate(weights) if weights else np.zeros(0)
        self.ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.ptr[1:])

    def items(self, k: int) -> tuple[list[int], list[float]]:
        """Document ``k``'s vector: its terms and their weights, heaviest first."""
        lo, hi = self.ptr[k], self.ptr[k + 1]
        return self.term[lo:hi].tolist(), self.weight[lo:hi].tolist()

    def rows(
        self, order: np.ndarray, step: int = 20_000
    ) -> Iterator[tuple[int, list[int], list[float]]]:
        """(document, its vector's terms, their weights) in ``order``, read into Python a
        slice at a time."""
        for first in range(0, len(order), step):
            at = order[first : first + step]
            sizes = self.ptr[at + 1] - self.ptr[at]
            shift = np.repeat(self.ptr[at] - (np.cumsum(sizes) - sizes), sizes)
            gather = np.arange(int(sizes.sum())) + shift
            terms, weights = self.term[gather].tolist(), self.weight[gather].tolist()
            ends = np.cumsum(sizes).tolist()
            lo = 0
            for k, hi in zip(at.tolist(), ends, strict=True):
                yield k, terms[lo:hi], weights[lo:hi]
                lo = hi


@dataclass
class _Cluster:
    docs: list[int]  # rows of ``DocColumns``
    centroid: dict[int, float]
    first: date | None
    last: date | None
    norm2: float = 0.0  # the centroid's squared length, kept as documents are added
    packed: tuple[np.ndarray, np.ndarray] | None = None  # the centroid while put away

    def similarity(self, terms: list[int], weights: list[float]) -> float:
        return self.dot(terms, weights) / (math.sqrt(self.norm2) or 1.0)

    def dot(self, terms: list[int], weights: list[float]) -> float:
        if self.packed is not None:
            self.unpack()
        # Products made and summed in order by C loops: the float a Python loop would give.
        total: float = sum(map(mul, weights, map(self.centroid.get, terms, repeat(0.0))))
        return total

    def add(self, doc: int, terms: list[int], weights: list[float], when: date | None) -> None:
        if self.packed is not None:
            self.unpack()
        self.docs.append(doc)
        for t, w in zip(terms, weights, strict=True):
            old = self.centroid.get(t, 0.0)
            self.norm2 += 2 * old * w + w * w
            self.centroid[t] = old + w
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)

    def pack(self) -> None:
        """Put the centroid away as two arrays (a tenth of a dict's memory): a story no
        dated document can join any more is only read again at the end."""
        if self.packed is None:
            terms = np.fromiter(self.centroid, dtype=np.int32, count=len(self.centroid))
            weights = np.fromiter(self.centroid.values(), dtype=np.float64, count=len(terms))
            self.packed, self.centroid = (terms, weights), {}

    def unpack(self) -> None:
        """The centroid as it was (the same floats, in the same order)."""
        assert self.packed is not None
        terms, weights = self.packed
        self.centroid = dict(zip(terms.tolist(), weights.tolist(), strict=True))
        self.packed = None


def group_stories(
    documents: DocumentsIn,
    names: Mapping[str, Iterable[str]],
    settings: Settings,
) -> StoryMap:
    """Stories of ``documents``; ``names`` gives each document's entity names (from its claims'
    and facts' key terms), which say more about the story than its words."""
    docs = document_columns(documents)
    vectors = _Vectors(docs, names, _StoryWords(_stopwords(settings)))
    published = docs.table["published"].to_pylist()
    clusters: list[_Cluster] = []
    index: dict[int, set[int] | frozenset[int]] = defaultdict(set)
    # Dated documents by date then id, then the undated by id.
    keys = [("published", "ascending", "at_end"), ("doc_id", "ascending", "at_end")]
    order = pc.sort_indices(docs.table, sort_keys=keys).to_numpy()
    gap = settings.story_max_gap_days
    near, far = settings.story_similarity, settings.story_similarity_year
    tops = np.minimum(np.diff(vectors.ptr), _TOP_TERMS).tolist()
    distinctive = vectors.distinctive.tolist()
    # Stories by their last day: those no later dated document can join are packed away.
    ends: list[tuple[int, int]] = []
    for k, terms, weights in vectors.rows(order):
        when = published[k]
        if when is not None:
            too_old = when.toordinal() - gap
            while ends and ends[0][0] < too_old:
                last, c = heapq.heappop(ends)
                if clusters[c].last == date.fromordinal(last):
                    clusters[c].pack()
        top = terms[: tops[k]]
        named = [(t, w) for t, w in zip(terms, weights, strict=True) if distinctive[t]]
        named_terms, named_weights = [t for t, _ in named], [w for _, w in named]
        best, best_margin = -1, 0.0
        # Any of the document's words against the stories' rarest: a brief whose own rarest
        # words are a place nobody else named ("Dunns Road", "mega-blaze") still finds the
        # story whose reports led with "NSW" and "hectares".
        for c in _candidates(terms, index):
            cluster = clusters[c]
            days = 0 if when is None or cluster.last is None else (when - cluster.last).days
            if days > gap:
                continue
            # A follow-up months later must share more with the story than the news of the day.
            needed = near + (far - near) * min(max(days, 0), 365) / 365
            margin = cluster.dot(terms, weights) / (math.sqrt(cluster.norm2) or 1.0) - needed
            if margin < best_margin:
                continue
            if days > _QUIET_DAYS and (
                cluster.similarity(named_terms, named_weights) < _NAMED_SIMILARITY
            ):
                continue
            best, best_margin = c, margin
        if best < 0:
            clusters.append(_Cluster([], {}, None, None))
            best = len(clusters) - 1
        clusters[best].add(k, terms, weights, when)
        if when is not None and clusters[best].last == when:
            heapq.heappush(ends, (when.toordinal(), best))
        for t in top:
            posting = index[t]
            if isinstance(posting, set):  # not crowded yet
                posting.add(best)
                if len(posting) > _MAX_POSTING:
                    index[t] = _CROWDED
    return _story_map(clusters, docs, vectors, published)


# What a word that more than ``_MAX_POSTING`` stories share stands for in the index: it picks
# no story, now or later (a posting only grows), so its stories need not be kept or skipped.
_CROWDED: frozenset[int] = frozenset()


def _candidates(terms: list[int], index: Mapping[int, AbstractSet[int]]) -> list[int]:
    """The stories whose rarest words share the most of a document's words, at most
    ``_MAX_CANDIDATES``; a word that many stories share (``_MAX_POSTING``) picks none."""
    shared = Counter(chain.from_iterable(map(index.get, terms, repeat(()))))
    if len(shared) <= _MAX_CANDIDATES:
        return sorted(shared)
    # ``most_common``'s choice (the most shared first, ties in the order first met) by one
    # sort in C instead of its heap in Python.
    top = sorted(shared.items(), key=itemgetter(1), reverse=True)[:_MAX_CANDIDATES]
    return sorted(k for k, _ in top)


def _story_map(
    clusters: list[_Cluster], docs: DocColumns, vectors: _Vectors, published: list[date | None]
) -> StoryMap:
    out = StoryMap()
    doc_ids = docs.table["doc_id"].to_pylist()
    titles = docs.table["title"].to_pylist()
    for cluster in clusters:
        rows = sorted(cluster.docs, key=doc_ids.__getitem__)
        ids = [doc_ids[k] for k in rows]
        story_id = "s_" + hashlib.sha256(ids[0].encode()).hexdigest()[:12]
        central = max(rows, key=lambda k: (cluster.similarity(*vectors.items(k)), doc_ids[k]))
        label = titles[central] or _words_label(cluster, vectors.names)
        for k, d in zip(rows, ids, strict=True):
            out.story_of[d] = story_id
            if published[k] is not None:
                out.dates[d], out.date_basis[d] = published[k], "published"  # type: ignore[assignment]
        for k, d in zip(rows, ids, strict=True):
            if d not in out.dates:
                found = _undated(docs.row(k), k, rows, published, vectors, doc_ids)
                if found is not None:
                    out.dates[d], out.date_basis[d] = found
        known = [out.dates[d] for d in ids if d in out.dates]
        out.stories.append(
            Story(story_id, label, ids, min(known, default=None), max(known, default=None))
        )
        cluster.pack()  # read for the last time
    out.stories.sort(key=lambda s: s.story_id)
    return out


def _words_label(cluster: _Cluster, names: list[str]) -> str:
    if cluster.packed is not None:
        cluster.unpack()
    words = sorted(
        (t for t in cluster.centroid if not names[t].startswith("=")),
        key=lambda t: (-cluster.centroid[t], names[t]),
    )
    return " ".join(names[t] for t in words[:4])


def _undated(
    doc: DocRow,
    row: int,
    rows: list[int],
    published: list[date | None],
    vectors: _Vectors,
    doc_ids: list[str],
) -> tuple[date, str] | None:
    """A date for an undated document, from the surest clue there is: a date in its URL
    (``/2014/12/23/``), its dateline's month and day in the year of the story, else the date
    of its most similar dated report (a guess that ``profiles`` may replace with the day
    whose reports give the nearest moving figures)."""
    dated = [k for k in rows if published[k] is not None]
    if doc.url and (found := _url_date(doc.url)):
        return found, "url"
    if not dated:
        return None
    known = sorted({published[k] for k in dated})  # type: ignore[type-var]
    if found := _dateline(doc.text[:300], known):  # type: ignore[arg-type]
        return found, "dateline"
    me = list(zip(*vectors.items(row), strict=True))
    vecs = {k: dict(zip(*vectors.items(k), strict=True)) for k in dated}
    nearest = max(
        dated,
        key=lambda k: (sum(w * vecs[k].get(t, 0.0) for t, w in me), doc_ids[k]),
    )
    day = published[nearest]
    return (day, "story") if day else None


_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?!\d)")


def _url_date(url: str) -> date | None:
    match = _URL_DATE.search(url)
    if match is None:
        return None
    try:
        return date(*(int(x) for x in match.groups()))
    except ValueError:
        return None


def _dateline(head: str, known: list[date]) -> date | None:
    """The month and day of a dateline ("June 15 (Reuters)"), in the year that puts it nearest
    the story's dated documents."""
    match = _DATELINE.search(head)
    if match is None or match.group("month").lower() not in _MONTHS:
        return None
    month, day = _MONTHS[match.group("month").lower()], int(match.group("day"))
    if match.group("year"):
        years = {int(match.group("year"))}
    else:
        years = {k.year + step for k in known for step in (-1, 0, 1)}
    options = []
    for year in sorted(years):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None
    return min(options, key=lambda o: min(abs((o - k).days) for k in known))
