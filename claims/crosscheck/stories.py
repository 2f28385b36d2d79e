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
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import chain

import pandas as pd
import wordfreq  # type: ignore[import-untyped]

from claims.lexicon import crosscheck_lexicon, fold
from claims.models import Document
from claims.settings import Settings

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_LEAD_CHARS = 700
_TOP_TERMS = 12
_KEPT_TERMS = 60
_MAX_POSTING = 500
_MAX_CANDIDATES = 15
_BACKGROUND = 1000  # made-up English documents behind the run's own (see _idf)
_LEAD_WORDS = 150  # about the words of a headline and an opening
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


def _terms(doc: Document, names: Iterable[str], word: _StoryWords) -> Counter[str]:
    """The words that tell one story from another: the headline's twice, the opening's, and
    the names the document's claims and facts mention (``word``: see ``_StoryWords``)."""
    form = word.__getitem__
    counts = Counter(filter(None, map(form, _WORD.findall(fold(doc.text[:_LEAD_CHARS])))))
    for w in filter(None, map(form, _WORD.findall(fold(doc.title or "")))):
        counts[w] += 2
    for name in names:
        counts[f"={name}"] += 1
    return counts


class _StoryWords(dict[str, str]):
    """Each raw word's form as a story term ("" for none), memoised for one run: news repeats
    its words, and a hundred thousand articles would otherwise clean the same words millions
    of times."""

    def __init__(self, stop: frozenset[str]) -> None:
        super().__init__()
        self.stop = stop

    def __missing__(self, raw: str) -> str:
        w = raw.removesuffix("'s").removesuffix("’s").strip("'’-")
        out = self[raw] = w if len(w) >= 3 and w not in self.stop else ""
        return out


@cache
def _english() -> dict[str, float]:
    """Each English word's share of running text (wordfreq's 'best' list)."""
    return wordfreq.get_frequency_dict("en", "best")


def _idf(df: Counter[str], n: int) -> dict[str, float]:
    """Inverse document frequency over the run's ``n`` documents and ``_BACKGROUND`` made-up
    ones in which a word occurs as often as in English at large: in a run of four reports of
    one ferry sinking, 'ferry' and the port's name still tell the story from the next one,
    and 'off' or 'continues' do not. Names count as never seen in English."""
    english = _english()
    out = {}
    for t, k in df.items():
        share = 0.0 if t.startswith("=") else english.get(t, 0.0)
        in_background = _BACKGROUND * -math.expm1(-_LEAD_WORDS * share)
        out[t] = math.log((n + _BACKGROUND + 1) / (k + in_background + 1))
    return out


class _Vectors:
    """TF-IDF vectors of the documents, as dicts of their ``_KEPT_TERMS`` heaviest terms,
    normalised to unit length, and each document's ``_TOP_TERMS`` heaviest (its index keys)."""

    def __init__(self, counts: Mapping[str, Counter[str]]) -> None:
        df: Counter[str] = Counter()
        for c in counts.values():
            df.update(c.keys())
        idf = _idf(df, len(counts))
        self.vectors: dict[str, dict[str, float]] = {}
        self.tops: dict[str, list[str]] = {}
        for doc_id, c in counts.items():
            weighted = sorted(
                ((-(1 + math.log(k)) * idf[t], t) for t, k in c.items()),
            )[:_KEPT_TERMS]
            norm = math.sqrt(sum(w * w for w, _ in weighted)) or 1.0
            self.vectors[doc_id] = {t: -w / norm for w, t in weighted if w < 0}
            self.tops[doc_id] = [t for w, t in weighted[:_TOP_TERMS] if w < 0]

    def top(self, doc_id: str) -> list[str]:
        return self.tops[doc_id]


@dataclass
class _Cluster:
    doc_ids: list[str]
    centroid: dict[str, float]
    first: date | None
    last: date | None
    norm2: float = 0.0  # the centroid's squared length, kept as documents are added

    def similarity(self, vec: dict[str, float]) -> float:
        return self.dot(vec.items()) / (math.sqrt(self.norm2) or 1.0)

    def dot(self, items: Iterable[tuple[str, float]]) -> float:
        # A list summed in order: the same float as a generator's sum, in half the time.
        get = self.centroid.get
        return sum([w * get(t, 0.0) for t, w in items])

    def add(self, doc_id: str, vec: dict[str, float], when: date | None) -> None:
        self.doc_ids.append(doc_id)
        for t, w in vec.items():
            old = self.centroid.get(t, 0.0)
            self.norm2 += 2 * old * w + w * w
            self.centroid[t] = old + w
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)


def group_stories(
    documents: Mapping[str, Document],
    names: Mapping[str, Iterable[str]],
    settings: Settings,
) -> StoryMap:
    """Stories of ``documents``; ``names`` gives each document's entity names (from its claims'
    and facts' key terms), which say more about the story than its words."""
    stop = _stopwords(settings)
    word = _StoryWords(stop)
    vectors = _Vectors({d: _terms(doc, names.get(d, ()), word) for d, doc in documents.items()})
    clusters: list[_Cluster] = []
    index: dict[str, set[int]] = defaultdict(set)
    dated = sorted((d.published, d.doc_id) for d in documents.values() if d.published)
    undated = sorted(d.doc_id for d in documents.values() if not d.published)
    gap = settings.story_max_gap_days
    near, far = settings.story_similarity, settings.story_similarity_year
    for when, doc_id in [*dated, *((None, d) for d in undated)]:
        vec = vectors.vectors[doc_id]
        items = list(vec.items())
        best, best_margin = -1, 0.0
        for k in _candidates(vectors.top(doc_id), index):
            cluster = clusters[k]
            days = 0 if when is None or cluster.last is None else (when - cluster.last).days
            if days > gap:
                continue
            # A follow-up months later must share more with the story than the news of the day.
            needed = near + (far - near) * min(max(days, 0), 365) / 365
            margin = cluster.dot(items) / (math.sqrt(cluster.norm2) or 1.0) - needed
            if margin >= best_margin:
                best, best_margin = k, margin
        if best < 0:
            clusters.append(_Cluster([], {}, None, None))
            best = len(clusters) - 1
        clusters[best].add(doc_id, vec, when)
        for t in vectors.top(doc_id):
            index[t].add(best)
    return _story_map(clusters, documents, vectors)


def _candidates(top: list[str], index: Mapping[str, set[int]]) -> list[int]:
    """The stories that share the most of a document's rarest words, at most
    ``_MAX_CANDIDATES``; a word that many stories share (``_MAX_POSTING``) picks none."""
    postings = (index.get(t, ()) for t in top)
    shared = Counter(chain.from_iterable(p for p in postings if len(p) <= _MAX_POSTING))
    if len(shared) <= _MAX_CANDIDATES:
        return sorted(shared)
    return sorted(k for k, _ in shared.most_common(_MAX_CANDIDATES))


def _story_map(
    clusters: list[_Cluster], documents: Mapping[str, Document], vectors: _Vectors
) -> StoryMap:
    out = StoryMap()
    for cluster in clusters:
        doc_ids = sorted(cluster.doc_ids)
        story_id = "s_" + hashlib.sha256(doc_ids[0].encode()).hexdigest()[:12]
        central = max(doc_ids, key=lambda d: (cluster.similarity(vectors.vectors[d]), d))
        label = documents[central].title or _words_label(cluster)
        for d in doc_ids:
            out.story_of[d] = story_id
            doc = documents[d]
            if doc.published is not None:
                out.dates[d], out.date_basis[d] = doc.published, "published"
        for d in doc_ids:
            if d not in out.dates:
                found = _undated(documents[d], doc_ids, documents, vectors)
                if found is not None:
                    out.dates[d], out.date_basis[d] = found
        known = [out.dates[d] for d in doc_ids if d in out.dates]
        out.stories.append(
            Story(story_id, label, doc_ids, min(known, default=None), max(known, default=None))
        )
    out.stories.sort(key=lambda s: s.story_id)
    return out


def _words_label(cluster: _Cluster) -> str:
    words = sorted(
        (t for t in cluster.centroid if not t.startswith("=")),
        key=lambda t: (-cluster.centroid[t], t),
    )
    return " ".join(words[:4])


def _undated(
    doc: Document,
    doc_ids: list[str],
    documents: Mapping[str, Document],
    vectors: _Vectors,
) -> tuple[date, str] | None:
    """A date for an undated document, from the surest clue there is: a date in its URL
    (``/2014/12/23/``), its dateline's month and day in the year of the story, else the date
    of its most similar dated report (a guess that ``profiles`` may replace with the day
    whose reports give the nearest moving figures)."""
    dated = [d for d in doc_ids if documents[d].published is not None]
    if doc.url and (found := _url_date(doc.url)):
        return found, "url"
    if not dated:
        return None
    known = sorted({documents[d].published for d in dated})  # type: ignore[type-var]
    if found := _dateline(doc.text[:300], known):  # type: ignore[arg-type]
        return found, "dateline"
    vec = vectors.vectors[doc.doc_id]
    nearest = max(
        dated,
        key=lambda d: (sum(w * vectors.vectors[d].get(t, 0.0) for t, w in vec.items()), d),
    )
    published = documents[nearest].published
    return (published, "story") if published else None


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
