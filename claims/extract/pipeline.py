"""Extraction: turn documents into quantity claims (and factual claims) with spaCy.

A document is split into passages (its lines, offsets kept). A cheap check picks the passages
that can hold a claim: ``numbers.find_numbers`` finds a figure, or ``facts.may_contain_fact``
fires. Only those go through the spaCy pipeline (``nlp.pipe(as_tuples=True)``), and every
claim is built from its passage alone, so skipping the others cannot change any claim. The
entity recogniser, the model's costliest component, then runs only on the passages with a figure or
whose parse can hold a fact (``facts.may_yield_facts``), and the attribute ruler's annotation
comes from a lookup table (``claims.extract.attributes``): the same annotation, in less time.

For each figure the parse gives the measured noun ("more than 14,000 Ukrainian lives" ->
life), even when it is far away ("the number of allies has grown to 54" -> ally) or elided
("tens of thousands remain" -> the nearest counted noun before it); the subject and key terms
come from the noun phrase and its verb; ``timescope`` dates it and ``attribution`` names who
says it. Figures that are not quantities are dropped: parts of names, list markers, page
furniture, referential counts ("the two leaders"), years that only date something else.
Word lists live in ``claims/data/extract.json``.

Scope types: 'cumulative' and 'period' come from the time words ("since 2014", "this year
alone", "over the past two years"); otherwise a figure whose noun carries "a"/"an"/"new"
("a new USD 60 million package") is an 'event', anything else a 'state'. An event without
time words of its own is dated by the story's lead ("Biden on Wednesday met ...") unless its
verb is in the present perfect ("have agreed to a seven-year extension"), which speaks of
the publication date.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claims.extract import attribution, durations, headlines, kinds, timescope, units
from claims.extract import dates as event_dates
from claims.extract import stance as stances
from claims.extract.annotate import finish, late_pipes
from claims.extract.describe import (
    Reader,
    Target,
    describe,
    entities,
    governing_verb,
    join,
    key_terms,
    names_before,
)
from claims.extract.facts import extract_facts, may_contain_fact
from claims.extract.model import load_nlp, one_blas_thread, stock_nlp
from claims.extract.numbers import NumberMention, find_numbers, interval, rounding_tolerance
from claims.extract.timescope import TimeExpression
from claims.lexicon import measure_for, singulars, synonym_index
from claims.models import Document, Extraction, FactClaim, QuantityClaim
from claims.settings import DATA_DIR, Settings
from claims.textnorm import MD_HEADING
from claims.wordlists import Extract, load

_DIGIT = re.compile(r"\d")
_FOLD = re.compile(r"(?i)fold\b")


def _existential(noun: Token) -> bool:
    """'there is one survivor': the copula's subject is 'there', and 'one' counts."""
    return any(c.dep_ == "expl" for c in noun.head.children)


_POINTS_AFTER = re.compile(r"(?i)\b(?:points?|pts?)\.?$")  # a range of percentage points


@dataclass(frozen=True)
class Passage:
    """A line of the document text that may hold a claim, with its figures."""

    start: int
    text: str
    mentions: tuple[NumberMention, ...]
    times: tuple[TimeExpression, ...] = ()
    dates: tuple[TimeExpression, ...] = ()  # time expressions that may be event dates
    parse_text: str = ""  # what the parser reads: the text, title case lowered (same length)
    articles: tuple[durations.ArticleDuration, ...] = ()  # 'a week', 'more than a fortnight'

    @property
    def figures(self) -> bool:
        """Whether the passage may hold a quantity claim (a figure or an event date)."""
        return bool(self.mentions or self.dates or self.articles)


@dataclass
class _Job:
    """One document on its way through the pipeline."""

    index: int
    document: Document
    passages: list[Passage]
    lead: TimeExpression | None
    claims: list[QuantityClaim] = field(default_factory=list)
    facts: list[FactClaim] = field(default_factory=list)

    def result(self) -> Extraction:
        claims = sorted(self.claims, key=lambda c: (c.char_start, c.char_end))
        return Extraction(
            doc_id=self.document.doc_id,
            sha256=self.document.sha256,
            claims=claims,
            facts=self.facts,
        )


@lru_cache(maxsize=4)
def _rules(data_dir: Path = DATA_DIR) -> Extract:
    return load(Extract, data_dir)


def split_passages(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of ``text`` with their start offsets, surrounding spaces trimmed."""
    out = []
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        stripped = line.strip()
        if stripped:
            out.append((m.start() + len(line) - len(line.lstrip()), stripped))
    return out


def candidate_passages(
    document: Document, settings: Settings, *, prefilter: bool = True
) -> list[Passage]:
    """The passages worth parsing: a figure that is not page furniture, or a possible fact.

    ``prefilter=False`` keeps every passage (the reference the prefilter is tested against).
    """
    out = []
    keep: frozenset[str] | None = None
    for start, text in split_passages(document.text):
        mentions = tuple(find_numbers(text, settings))
        times: tuple[TimeExpression, ...] = ()
        dates: tuple[TimeExpression, ...] = ()
        if mentions or _DIGIT.search(text):
            times = tuple(
                timescope.find_time_expressions(text, document.published, settings.data_dir)
            )
            if _is_furniture(text, times, settings.data_dir):
                mentions = ()
            else:
                dates = tuple(event_dates.candidates(times))
        articles = tuple(durations.article_durations(text, _rules(settings.data_dir)))
        if not prefilter or mentions or dates or articles or may_contain_fact(text):
            parse = text
            if headlines.is_title_case(text):
                keep = headlines.names(document.text) if keep is None else keep
                parse = headlines.sentence_case(text, keep)
            # A Markdown heading's '#' would be parsed as the headline's noun.
            if heading := MD_HEADING.match(parse):
                parse = " " * heading.end() + parse[heading.end() :]
            out.append(Passage(start, text, mentions, times, dates, parse, articles))
    return out


def _is_furniture(text: str, times: Iterable[TimeExpression], data_dir: Path) -> bool:
    """A line that is only a date, a time and dateline words ('23 December 2020 - 19:59')."""
    rest = text
    for expr in sorted(times, key=lambda t: -t.start):
        rest = rest[: expr.start] + " " + rest[expr.end :]
    words = re.findall(r"[^\W\d_][\w.|]*", rest.lower())
    return all(w in _rules(data_dir).furniture_words for w in words)


def _job(index: int, document: Document, settings: Settings, prefilter: bool) -> _Job:
    passages = candidate_passages(document, settings, prefilter=prefilter)
    lines = [text for _, text in split_passages(document.text)]
    lead = timescope.lead_expression(lines, document.published, settings.data_dir)
    return _Job(index, document, passages, lead)


def extract_documents(
    docs: Iterable[Document],
    settings: Settings,
    nlp: Language | None = None,
    *,
    prefilter: bool = True,
) -> Iterator[Extraction]:
    """Stream: batches passages through nlp.pipe (settings.parse_batch_size, n_process),
    yields one Extraction per document, in input order, never holding the whole corpus.

    Only candidate passages are parsed, and a passage with no figure gets entities only if
    its parse can hold a fact (:func:`facts.may_yield_facts`); see :func:`_finish`.
    Documents whose passages are all skipped still yield an (empty) Extraction in their
    place. ``nlp`` defaults to :func:`load_nlp`. ``prefilter=False`` runs the model's own
    components on every passage (by default the stock model, :func:`stock_nlp`): the
    reference reading, slower.
    """
    if nlp is None:
        nlp = load_nlp(settings) if prefilter else stock_nlp(settings)
    pending: deque[_Job] = deque()
    late = late_pipes(nlp) if prefilter else []

    def feed() -> Iterator[tuple[str, tuple[int, int, bool]]]:
        for index, document in enumerate(docs):
            job = _job(index, document, settings, prefilter)
            pending.append(job)
            for p, passage in enumerate(job.passages):
                yield passage.parse_text or passage.text, (index, p, passage.figures)

    stream = nlp.pipe(
        feed(),
        as_tuples=True,
        batch_size=settings.parse_batch_size,
        n_process=settings.n_process,
        disable=late,
    )
    if late:
        stream = finish(stream, nlp, late, settings.parse_batch_size)
    with one_blas_thread():
        for sdoc, (index, p, parsed) in stream:
            while pending[0].index < index:
                yield pending.popleft().result()
            if parsed or not late:
                _extract_passage(pending[0], pending[0].passages[p], sdoc, settings)
        while pending:
            yield pending.popleft().result()


def extract_document(doc: Document, settings: Settings, nlp: Language) -> Extraction:
    """Claims and facts of one document (see :func:`extract_documents`)."""
    return next(extract_documents([doc], settings, nlp))


def _extract_passage(job: _Job, passage: Passage, sdoc: Doc, settings: Settings) -> None:
    if passage.figures:
        ctx = _Context(job, passage, sdoc, settings)
        claims = [c for m in passage.mentions if (c := ctx.claim(m)) is not None]
        claims += [c for a in passage.articles if (c := ctx.article_claim(a)) is not None]
        claims = durations.merge_parts(claims, passage.text, passage.start, job.document.sha256)
        claims += ctx.date_claims(claims)
        job.claims.extend(claims)
    job.facts.extend(extract_facts(sdoc, job.document, passage.start))


# The small words between a label's capitalised ones ("Ivory Coast and Benin").
_LABEL_LINKS = frozenset({"and", "of", "the", "or"})


def _plural_word(tok: Token) -> bool:
    """ "Homes", "People" opening a line are tagged as names; their words are plural."""
    return tok.pos_ in ("NOUN", "PROPN") and (tok.lower_ == "people" or bool(singulars(tok.lower_)))


class _Context:
    """What the rules need to turn one figure of one parsed passage into a claim."""

    def __init__(self, job: _Job, passage: Passage, sdoc: Doc, settings: Settings) -> None:
        self.job, self.passage, self.sdoc, self.settings = job, passage, sdoc, settings
        self.rules = _rules(settings.data_dir)
        self.times = passage.times
        self.quotes = attribution.passage_quotes(sdoc, passage.text, settings.data_dir)
        self.spans = {m: self._span(m) for m in passage.mentions}
        self.reader = Reader(self.rules)
        whole = (sdoc.char_span(m.start, m.end, alignment_mode="expand") for m in passage.mentions)
        self.figures = {t.i for span in whole if span is not None for t in span}

    def _span(self, m: NumberMention) -> Span | None:
        return self.sdoc.char_span(m.number_start, m.number_end, alignment_mode="expand")

    # -- deciding what a figure is -------------------------------------------------------

    def claim(self, m: NumberMention) -> QuantityClaim | None:
        span = self.spans[m]
        text = self.passage.text
        if span is None or len(span) == 0:
            return None
        if m.form in self.rules.drop_forms and not _FOLD.search(m.text):
            return None  # 'twice the rate' relates two figures; 'a tenfold increase' is one
        root = span.root
        if m.form == "number" and not m.currency and not m.unit_suffix:
            label = kinds.line_label(text, m)
            if label is not None:
                return self._labelled(m, root, span, label)
        label_like = kinds.may_be_label(m, text)
        listed = label_like and (kinds.gapped(span) or kinds.tallied_list(span))
        # "The death toll climbed to 288 on Saturday": the model may take '288' for a name;
        # a figure a toll or a count is put at is none.
        named = self._is_name(m, span) and kinds.container_near(root, self.rules) is None
        if (named and not listed) or self._is_list_marker(m, span):
            return None
        if m.form == "year":
            return None  # a year is a date claim only through date_claims
        if any(t.start < m.end and m.start < t.end and t.rule != "ago" for t in self.times):
            return None  # time words; but 'four days ago' states a duration
        scale = kinds.scale_reading(text, m)
        if scale is not None and m.value is not None:
            found = units.lookup(scale)
            if found is not None:
                return self._build(m, root, "measure", found.name, self._plain(m), found)
        if m.form == "multiplier":
            return self._build(m, root, "measure", "times", self._plain(m))
        kind = self.rules.kinds.get(m.form, "count")
        if m.currency and kind in ("count", "range"):
            kind = "money"
        if kind in ("count", "range") and kinds.age_bound(text, m):
            return None  # 'between the ages of 20 and 30', 'older than 50': who is counted
        # Before the names' tallies: "Alejandro Hernandez Fuentes, 35, of Baltimore" is an age.
        if kind in ("count", "range") and kinds.is_age(m, span, self.sdoc, text):
            return self._build(m, root, "duration", "year", self._plain(m), units.lookup("year"))
        if label_like and (names_before(root) or kinds.after_name(span)):
            if not (listed or kinds.tallied_by_place(span)):
                return None  # 'Apollo 11', 'the Artemis 1 capsule'
            return self._tallied(m, root, span)
        target = self.reader.measured(m, span, kind)
        noun = target.noun
        if kind == "money":
            return self._build(m, root, kind, m.currency, target)
        if kind == "range" and m.unit_suffix == "%":
            # '58.3 to 60.7 per cent', '3-4%': the finder keeps the sign as the range's suffix,
            # and the noun after it ('of the vote') is not what the figure measures.
            kind = "percent"
        if kind == "percent":
            points = m.form == "percentage_point" or _POINTS_AFTER.search(m.text) is not None
            return self._build(m, root, kind, "percentage point" if points else "percent", target)
        if kind == "ordinal":
            return self._ordinal(m, root, target)
        if m.unit_suffix and noun is not None and noun.lemma_.lower() in self.rules.baseline_nouns:
            return None  # 'the 30-year average' names a baseline
        if m.unit_suffix and m.unit_suffix.lower() in self.rules.point_suffixes:
            return self._build(m, root, "percent", "percentage point", target)
        if noun is not None and noun.lemma_ in self.rules.percent_units and noun.idx > m.end + 1:
            noun = self.reader.look_back(span)  # 'Leave 61,745 (54.7%)': not a percent
            target = Target(noun, noun, m.end, False)
        measured = kinds.unit_after(text, m)
        if measured is None and noun is not None:
            found = units.lookup(noun.lemma_)
            measured = (found, max(target.end, m.end)) if found is not None else None
        if measured is not None:
            found, end = measured
            if kinds.is_calibre(found, text, end):
                return None
            kind = "duration" if found.duration else "measure"
            target = Target(noun, target.thing, max(end, target.end if noun else end), True)
            return self._build(m, root, kind, found.name, target, found)
        own = kinds.suffix_unit(m, self.rules)
        if own is not None:
            return self._build(m, root, kind, own, Target(noun, target.thing, m.end, False))
        if noun is not None and noun.lemma_.lower() in self.rules.percent_units:
            return self._build(m, root, "percent", "percent", target)
        if noun is None or not target.attached:
            return self._elided(m, root, target)
        if kinds.vague_agent(m, noun, self.rules):
            return None
        if self._is_referential(m, noun, span):
            return None
        if m.is_words and m.value == 1 and noun.dep_ == "attr" and not _existential(noun):
            return None  # 'The lounge is one big open space': an article
        return self._build(m, root, kind, noun.lemma_.lower(), target)

    def article_claim(self, a: durations.ArticleDuration) -> QuantityClaim | None:
        """'a week of uncertainty', 'more than a fortnight': one unit of time."""
        if any(t.start < a.end and a.start < t.end and t.rule != "ago" for t in self.times):
            return None
        unit_tok = self.sdoc.char_span(a.unit_start, a.end, alignment_mode="expand")
        if unit_tok is None:
            return None
        low, high, li, hi = interval(a.value, a.qualifier, self.settings)
        m = NumberMention(
            start=a.start, end=a.end, text=self.passage.text[a.start : a.end],
            number_start=a.unit_start, number_end=a.end, value=a.value, low=low, high=high,
            low_inclusive=li, high_inclusive=hi, qualifier=a.qualifier, form="number",
            currency=None, unit_suffix=None, is_words=True,
        )  # fmt: skip
        root = unit_tok.root
        return self._build(m, root, "duration", a.unit.name, self._plain(m), a.unit)

    def _plain(self, m: NumberMention) -> Target:
        return Target(None, None, m.end, False)

    def _elided(self, m: NumberMention, root: Token, target: Target) -> QuantityClaim | None:
        """A count whose noun is not written next to it: a state word ('12 dead'), a toll
        ('Death Toll Reaches 9'), an elided subject ('2,975 died'), else the nearest plural
        noun before it (``target`` as the reader found it)."""
        text = self.passage.text
        state = kinds.state_after(text, m, self.rules)
        if state is not None:
            word, end = state
            return self._build(m, root, "count", word, Target(None, None, end, False))
        toll = kinds.container_near(root, self.rules)
        if toll is not None:
            noun = self.reader.unwrap(toll)
            return self._build(m, root, "count", noun.lemma_.lower(), Target(noun, noun, m.end))
        person = kinds.elided_unit(root, self.rules)
        if person is not None:
            return self._build(m, root, "count", person, Target(None, None, m.end, False))
        # 'At Least 16 Die': a headline's verb the parse took for a noun.
        state = kinds.state_after(text, m, self.rules, verbs=True)
        if state is not None:
            word, end = state
            return self._build(m, root, "count", word, Target(None, None, end, False))
        if target.noun is not None and target.noun.lemma_.lower() in self.rules.settlement_nouns:
            at = root.i - 1
            if at > 0 and root.doc[at].text == "(":
                at -= 1
            place = root.doc[at] if at >= 0 else None
            if place is not None and (place.ent_type_ in kinds.PLACE_ENTS or place.pos_ == "PROPN"):
                # "The other countries in the count are India (101)": India's 101 are not
                # countries; what is counted is said before.
                return self._tallied(m, root, root)
        if target.noun is None and kinds.vote_count(text, m, self.rules, root):
            return self._build(m, root, "count", "vote", Target(None, None, m.end, False))
        if target.noun is None or (m.is_words and m.value == 1):
            return None  # 'one shows Remain ahead': the pronoun
        if self._definite(m):
            return None  # 'Other estimates had the two level': a pronoun
        return self._build(m, root, "count", target.noun.lemma_.lower(), target)

    def _tallied(self, m: NumberMention, root: Token, figure: Span | Token) -> QuantityClaim | None:
        """A place's count in a tally ('Canada 18, Ethiopia nine', '- Iran: 465'): what is
        counted was said before the list, often a paragraph before; places are tallied by
        their people unless a noun says else."""
        noun = self.reader.look_back(figure, tally=True)
        if noun is None:
            return self._build(m, root, "count", "people", self._plain(m))
        return self._elided(m, root, Target(noun, noun, m.end, False))

    def _labelled(
        self, m: NumberMention, root: Token, span: Span, label: tuple[int, int]
    ) -> QuantityClaim | None:
        """The figure of a factbox's or a tally's line: "Killed: 446" counts the killed,
        "Homes damaged or destroyed: 33,600" homes, and "- Iran: 465" what the list's
        lead-in counts (people unless a noun says else), as "Canada 18, Ethiopia nine" does."""
        words = self.sdoc.char_span(*label, alignment_mode="expand")
        if words is None or len(words) == 0:
            return None
        if kinds.unit_after(self.passage.text, m) is not None:
            return None
        # Title-case lines reach the parser lower-cased: capitals are read as written.
        written = self.passage.text[label[0] : label[1]].replace(",", " ").split()
        capitals = [w for w in written if w.lower() not in _LABEL_LINKS]
        alpha = [t for t in words if t.is_alpha and t.lower_ not in _LABEL_LINKS]
        named = any(t.ent_type_ in kinds.PLACE_ENTS or t.pos_ == "PROPN" for t in alpha)
        plural = [t for t in words if t.tag_ in ("NNS", "NNPS") or _plural_word(t)]
        if named and not plural and all(w[0].isupper() for w in capitals):
            return self._tallied(m, root, span)
        state = words[-1].lower_
        if len(words) == 1 and state in self.rules.state_words:
            return self._build(m, root, "count", state, Target(None, None, m.end, False))
        if not plural:
            return None  # "Note: 5", "Round: 3": a label, no count
        head = plural[0]
        unit = (
            head.lemma_.lower()
            if head.tag_ == "NNS"
            else (singulars(head.lower_) or [head.lower_])[0]
        )
        return self._build(m, root, "count", unit, Target(head, head, m.end, False))

    def _definite(self, m: NumberMention) -> bool:
        before = self.passage.text[max(0, m.start - 12) : m.start].lower().split()
        return bool(before) and before[-1] in self.rules.referential_determiners

    def _ordinal(self, m: NumberMention, root: Token, target: Target) -> QuantityClaim | None:
        text = self.passage.text
        if kinds.is_series_ordinal(m, text, target.noun, self.rules):
            return None
        if re.match(
            r"\s+(?:\d|(?i:two|three|four|five|six|seven|eight|nine|ten)\b)", text[m.end :]
        ):
            return None  # 'the first five results' counts five
        if target.noun is not None:
            if m.value == 1 and target.noun.tag_ in ("NNS", "NNPS"):
                return None  # 'the first hours', 'its first findings': early ones, no rank
            return self._build(m, root, "ordinal", target.noun.lemma_.lower(), target)
        rank = kinds.rank_unit(root, text, m, self.rules)
        if rank is None:
            return None
        return self._build(m, root, "ordinal", rank, target)

    def _is_name(self, m: NumberMention, span: Span) -> bool:
        label = kinds.may_be_label(m, self.passage.text) or m.form == "ordinal"
        for ent in entities(self.sdoc) if label else ():
            if (
                ent.label_ in self.rules.name_labels
                and ent.start < span.end
                and span.start < ent.end
                and not (ent.start >= span.start and ent[-1].tag_ in ("NNS", "NNPS"))
            ):
                return True  # but '49 Britons' tagged a name counts a people
        for start, end in self.quotes:
            if start <= m.number_start < end:
                words = self.passage.text[start:end].split()
                alpha = [w for w in words if w[:1].isalpha()]
                if (
                    len(words) <= self.rules.quoted_name_max_words
                    and alpha
                    and all(w[0].isupper() for w in alpha)
                ):
                    return True
        return False

    def _is_list_marker(self, m: NumberMention, span: Span) -> bool:
        """'One, that ...' opens a list item; 'on two fronts: One, ...' announces a list."""
        text = self.passage.text
        words = self.rules.list_markers
        before = text[: m.start].rstrip()
        after = self.sdoc[span.end].text if span.end < len(self.sdoc) else ""
        opens_item = not before or before[-1] in self.rules.list_marker_before
        if span.text.lower() in words and opens_item and after in self.rules.list_marker_after:
            return True
        head = span.root.head if span.root.dep_ == "nummod" else span.root
        colon = head.i + 1
        if colon + 1 < len(self.sdoc) and self.sdoc[colon].text == ":":
            return self.sdoc[colon + 1].lower_ in words
        return False

    def _is_referential(self, m: NumberMention, noun: Token, span: Span) -> bool:
        """'the two leaders', 'their three sons': a small number that refers back to things
        already named. Not a partitive ('two of the dead') and not a set the noun's own
        words define ('the four countries caught up in the outbreak', 'the two other
        nations', 'his opening six games')."""
        if m.qualifier or m.value is None or m.value > self.rules.referential_max:
            return False
        if noun.i < span.start or (
            noun.head.lower_ == "of" and noun.head.head.i in range(span.start, span.end)
        ):
            return False  # found through 'of': a partitive ('two of those deaths')
        dets = {c.lower_ for c in noun.children if c.dep_ in ("det", "poss") and c.i < noun.i}
        if not dets & self.rules.referential_determiners:
            return False
        return not kinds.modifiers(noun, self.rules, (t.i for t in span))

    def date_claims(self, claims: list[QuantityClaim]) -> list[QuantityClaim]:
        """The event dates of the passage: dates that are the fact, not another figure's time
        scope (``claims`` are the passage's other claims)."""
        base = self.passage.start
        figures: set[int] = set()
        for c in claims:
            if c.kind == "measure" or re.search(r"\d[-‐‑][^\W\d_]", c.span):
                continue  # 'the 6,825-ton Sewol sank on April 16': a property, not dated
            span = self.sdoc.char_span(
                c.char_start - base, c.char_end - base, alignment_mode="expand"
            )
            figures.update(t.i for t in span or ())
        out = []
        for expr in self.passage.dates:
            found = event_dates.read_event_date(
                expr,
                self.passage.text,
                self.sdoc,
                figures,
                self.job.document.published,
                self.rules,
                self.settings.data_dir,
            )
            if found is not None and (claim := self._date_claim(found)) is not None:
                out.append(claim)
        return out

    def _date_claim(self, found: event_dates.EventDate) -> QuantityClaim | None:
        document, base = self.job.document, self.passage.start
        whole = self.sdoc.char_span(found.start, found.end, alignment_mode="expand")
        subject, described = describe(
            found.root,
            whole,
            Target(None, found.anchor, found.end),
            "date",
            self.times,
            self.rules,
            self.settings.subject_max_tokens,
            self.figures,
        )
        low = event_dates.days(found.first) if found.first else None
        high = event_dates.days(found.last) if found.last else None
        sent_start, sent_end = reading_sentence(found.root.sent, self.passage.text)
        return QuantityClaim(
            claim_id=QuantityClaim.make_id(document.sha256, base + found.start, base + found.end),
            doc_id=document.doc_id,
            kind="date",
            span=self.passage.text[found.start : found.end],
            char_start=base + found.start,
            char_end=base + found.end,
            sentence=self.passage.text[sent_start:sent_end],
            sentence_start=base + sent_start,
            value=low if low is not None else high,
            low=low,
            high=high,
            low_inclusive=True,
            high_inclusive=True,
            qualifier=found.qualifier,
            unit=found.precision,
            measure="date",
            subject=join(subject) or None,
            key_terms=key_terms(described, found.root, self.rules),
            as_of_start=found.first,
            as_of_end=found.last,
            time_basis="explicit",
            time_text=self.passage.text[found.start : found.end],
            scope_type="event",
            attributed_to=attribution.attribute(found.root, self.sdoc, self.settings.data_dir),
            stance=stances.stance_of(found.root, self.rules),  # type: ignore[arg-type]
        )

    # -- building the claim --------------------------------------------------------------

    def _measure(self, unit: str, target: Target) -> str | None:
        """The synonym class of ``unit``, read with the compound before the counted noun
        where the two are a listed wording: "30 crew members" count crew, though a coalition's
        "50 members" are countries; "6,400 residential structures" are homes."""
        noun = target.noun
        if noun is not None and target.attached and noun.lemma_.lower() == unit.lower():
            before = [t for t in noun.lefts if t.dep_ in ("compound", "amod") and t.i == noun.i - 1]
            if before:
                phrase = f"{before[0].lemma_.lower()} {unit.lower()}"
                found = synonym_index(self.settings.data_dir).get(phrase)
                if found is not None:
                    return found
        return measure_for(unit, self.settings.data_dir)

    def _build(
        self,
        m: NumberMention,
        root: Token,
        kind: str,
        unit: str | None,
        target: Target,
        measured: units.Unit | None = None,
    ) -> QuantityClaim:
        """The claim of figure ``m``: ``measured`` is the unit of a measure or duration (its
        base unit becomes the measure, with the factor to it)."""
        document, base = self.job.document, self.passage.start
        start = m.start
        sent_start, sent_end = reading_sentence(root.sent, self.passage.text)
        end = target.end
        whole = self.sdoc.char_span(m.start, m.end, alignment_mode="expand")
        subject, described = describe(
            root,
            whole,
            target,
            kind,
            self.times,
            self.rules,
            self.settings.subject_max_tokens,
            self.figures,
        )
        value, low, high = m.value, m.low, m.high
        if m.form == "fraction" and kind == "percent" and not m.unit_suffix:
            value, low, high = (None if v is None else v * 100 for v in (value, low, high))
        as_of_start, as_of_end, basis, time_text, scope = self._time(m, root, kind, target)
        numeral = self.passage.text[m.number_start : m.number_end]
        exact = value is not None and m.qualifier is None and low == high == value
        stance = stances.stance_of(root, self.rules, kind)
        tolerance = 0.0
        if exact and value is not None and kind not in ("date", "ordinal"):
            tolerance = rounding_tolerance(value, numeral)
            number = self.sdoc.char_span(m.number_start, m.number_end, alignment_mode="expand")
            listed = kind == "count" and number is not None and _listed_with_counts(number[-1])
            if listed and "." not in numeral and tolerance > 0.5:
                tolerance = 0.0
            # "a one hundred per cent success rate": all of it, not a share rounded to the
            # nearest hundred.
            if kind == "percent" and value == 100:
                tolerance = min(tolerance, 0.5)
        return QuantityClaim(
            claim_id=QuantityClaim.make_id(document.sha256, base + start, base + end),
            doc_id=document.doc_id,
            kind=kind,  # type: ignore[arg-type]
            span=self.passage.text[start:end],
            char_start=base + start,
            char_end=base + end,
            sentence=self.passage.text[sent_start:sent_end],
            sentence_start=base + sent_start,
            value=value,
            low=low,
            high=high,
            low_inclusive=m.low_inclusive,
            high_inclusive=m.high_inclusive,
            qualifier=m.qualifier,
            unit=unit,
            measure=measured.measure
            if measured is not None
            else self._measure(unit, target)
            if unit
            else None,
            measure_factor=float(f"{measured.factor:.12g}") if measured is not None else 1.0,
            subject=join(subject) or None,
            key_terms=key_terms(described, root, self.rules),
            as_of_start=as_of_start,
            as_of_end=as_of_end,
            time_basis=basis,  # type: ignore[arg-type]
            time_text=time_text,
            scope_type=scope,  # type: ignore[arg-type]
            attributed_to=attribution.attribute(root, self.sdoc, self.settings.data_dir),
            tolerance=tolerance,
            change=stances.change_of(m, root, self.passage.text, self.rules),  # type: ignore[arg-type]
            stance=stance,  # type: ignore[arg-type]
            revises=stances.revised_from(m, root, self.passage.text)
            if stance == "revised"
            else None,
        )

    def _time(self, m: NumberMention, root: Token, kind: str, target: Target) -> tuple:
        """(as_of_start, as_of_end, time_basis, time_text, scope_type) of a figure."""
        published = self.job.document.published
        others = [t for t in self.times if not (t.start < m.end and m.start < t.end)]
        expr = timescope.attached(root, others, self.sdoc)
        scope = "state"
        if target.thing is not None and target.attached and self._introduces_instance(target.thing):
            scope = "event"
        if expr is not None:
            basis = "explicit" if expr.as_of_start or expr.as_of_end else "unknown"
            return expr.as_of_start, expr.as_of_end, basis, expr.text, expr.scope or scope
        lead = self.job.lead
        if scope == "event" and lead is not None and not self._perfect(root):
            return lead.as_of_start, lead.as_of_end, "explicit", lead.text, scope
        if published is None:
            return None, None, "unknown", None, scope
        return published, published, "published", None, scope

    def _introduces_instance(self, noun: Token) -> bool:
        for child in noun.children:
            word = child.lower_
            if child.dep_ == "det" and word in self.rules.event_determiners:
                return True
            if child.dep_ == "amod" and word in self.rules.event_modifiers:
                return True
        return False

    def _perfect(self, root: Token) -> bool:
        verb = governing_verb(root)
        if verb is None:
            return False
        return any(c.dep_ == "aux" and c.lower_ in self.rules.perfect_aux for c in verb.children)


_COUNT = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")
_LIST_GAP = 6  # words between two items' numbers: "crew members ,", "high school students ,"
_LIST_WORDS = frozenset({"NOUN", "PROPN", "ADJ"})


def _listed_with_counts(number: Token) -> bool:
    """Whether ``number`` counts one item of a list whose next or previous item is counted to
    the unit ("30 crew members, 325 students, 15 teachers and 89 passengers"): a round number
    among exact ones is a count too, not a rounding. Read from the words between the two
    numbers (the parser often hangs such lists on the wrong noun)."""
    sent = number.sent
    for step in (1, -1):
        between = 0
        at = number.i + step
        linked = False
        while sent.start <= at < sent.end and between <= _LIST_GAP:
            token = number.doc[at]
            if _COUNT.fullmatch(token.text) and token.dep_ == "nummod":
                if linked and token.text[-1] != "0":
                    return True
                break
            if token.text == "," or token.pos_ == "CCONJ":
                linked = True
            elif token.pos_ not in _LIST_WORDS:
                break
            between += 1
            at += step
    return False


# What ends a sentence as written; a break the parser makes elsewhere on one line ("the
# running share is 56%" | "No and 44% Yes.") is its mistake.
_SENTENCE_ENDS = frozenset(".!?;:…\"”’')]")


def reading_sentence(sent: Span, text: str) -> tuple[int, int]:
    """The character span of ``sent`` joined to its neighbours on the same line when the
    parser broke it where the text did not end a sentence: "With 17 of 32 areas declared,
    the running share is 56% No and 44% Yes." is one sentence, whatever the parser says.
    ``text`` is the parsed passage's (``Doc.text`` would join its tokens again at every
    call)."""
    doc = sent.doc
    start, end = sent.start, sent.end

    def joined(left: Token, right: Token) -> bool:
        gap = text[left.idx + len(left.text) : right.idx]
        return left.text[-1] not in _SENTENCE_ENDS and "\n" not in gap

    while start > 0 and joined(doc[start - 1], doc[start]):
        start = doc[start - 1].sent.start
    while end < len(doc) and joined(doc[end - 1], doc[end]):
        end = doc[end].sent.end
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last.text)


def _clause(verb: Token) -> set[int]:
    """Token indices of ``verb``'s own clause: its subtree minus nested clauses."""
    out, stack = set(), [verb]
    while stack:
        tok = stack.pop()
        out.add(tok.i)
        stack.extend(c for c in tok.children if c.dep_ not in timescope.NESTED_CLAUSES)
    return out
