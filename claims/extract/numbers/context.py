"""What surrounds a number: the word lists of ``claims/data`` compiled once into patterns, and
the places where digits are not a quantity.

``NumberLexicon`` reads ``numbers.json``, ``qualifiers.json`` and ``currencies.json``.
``NumberLexicon.mask(text)`` blanks (with NUL, offsets kept) every stretch whose digits or number
words are not a quantity, so the numeral reader never sees them:

- addresses and identifiers: URLs, e-mails, phone numbers, dotted and hyphenated digit chains
  (``192.168.1.2``, ``2021-09-02``), numbers after a document noun (``Decree № 392``,
  ``Resolution 2202``, ``Article 5``), designations glued to letters (``F-16``, ``COVID-19``,
  ``G7``, ``5G``, ``3D``);
- dates and times: ``September 14, 2020``, ``23 December 2020``, ``5/17/2018``, ``19:59``,
  ``7:30 a.m.``, ``10 pm``; a bare year stays (``in 2014``);
- idioms and names: slash pairs that are not customary fractions (``24/7``, ``9/11``, ``50/50``),
  ``Group of Seven``, a year after a spaced dash in a name (``Joint Efforts - 2020``), periods
  (``first half``, ``second quarter``);
- words that only look like numbers: 'one' as a pronoun (``one of the``, ``no one``, ``the one
  who``) and list markers at the start of a clause (``One, that ...``, ``First, ...``, ``1)``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from claims.extract.numbers import currencies
from claims.extract.numbers.words import VULGARS, Words
from claims.textnorm import MD_HEADING
from claims.wordlists import Currencies, Numbers, Qualifiers, load

NUL = "\x00"


def alt(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first, escaped."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def _ci(words: Iterable[str]) -> str:
    return f"(?i:{alt(words)})"


def _cs(words: Iterable[str]) -> str:
    return f"(?-i:{alt(words)})"


_WS = r"[ \t\u00a0\u202f]"


# "# 127 People Killed": a Markdown heading's marks at the start of a line, not 'number'.
_MD_HEADING = re.compile(rf"(?:^|\n)[ \t]*{MD_HEADING.pattern}$")


class NumberLexicon:
    """The number finder's word lists, compiled."""

    def __init__(self, data_dir: Path) -> None:
        num = load(Numbers, data_dir)
        qual = load(Qualifiers, data_dir)
        cur = load(Currencies, data_dir)
        self.words = Words(num)
        self.num, self.qual, self.cur = num, qual, cur
        number_words = [*self.words.table, *num.plural_scales, *num.ordinals]
        number_words += [*num.fraction_words, *num.multiplier_words, "few", "several"]
        number_words += ["handful", "couple", "scores", "fold", "tenfold", "twofold"]
        number_words = [w for w in number_words if w not in ("a", "an", "and", "of")]
        self._digit = re.compile(rf"[\d{''.join(VULGARS)}]")
        self._word = re.compile(r"[^\W\d_]+")
        self._precheck_words = frozenset(w.lower() for w in number_words) | {
            w + "s" for w in num.ordinals
        }
        self.sets = {
            key: frozenset(w.lower() for w in getattr(num, key))
            for key in (
                "year_prepositions", "count_words", "time_units", "change_verbs", "hyphen_idioms",
                "suffix_tails", "times_followers", "ambiguous_m", "pronoun_one_before",
                "pronoun_one_after", "over_particles", "pronoun_one_determiners", "pronoun_one_after_at", "up_particle_verbs",
            )
        }  # fmt: skip
        self.year_range = tuple(num.year_range)
        self.scale_abbr = {k: float(v) for k, v in num.scale_abbreviations.items()}
        self.number_word_set = frozenset(w.lower() for w in number_words)
        self._compile_masks(num)
        self._compile_context(num, qual, cur)

    # -- patterns ---------------------------------------------------------------------------

    def _compile_masks(self, num: Numbers) -> None:
        months = alt(num.months)
        mon = rf"(?:{months})\b\.?"
        self.month_set = frozenset(num.months)
        day = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
        year = r"(?:\s*,?\s*\d{4}(?!\d))?"
        zones = (
            "GMT|UTC|IST|CET|CEST|EET|EEST|EST|EDT|CST|CDT|PST|PDT|MSK|BST|KST|JST|AEST|local time"
        )
        ampm = r"(?:[ap]\.\s?m\.|[ap]m\b|[AP]M\b|[AP]\.M\.)"
        self.address = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+")
        self.mask_patterns = [
            re.compile(rf"(?<![\d.])\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:\s*(?:{ampm}|{zones}))?"),
            re.compile(rf"(?<![\d.,])\d{{1,2}}(?:\.\d{{2}})?\s*(?:{ampm}|o['’]clock)"),
            re.compile(rf"(?<![\d.,])(?:[01]\d|2[0-3])[0-5]\d\s*(?:{zones}|hrs\b)"),
            re.compile(rf"\b(?-i:{mon})\s+{day}{year}"),
            re.compile(rf"(?<![\d,.])(?<!\d\s){day}\s+(?:of\s+)?(?-i:{mon}){year}"),
            re.compile(r"(?<![\w.-])\d+(?:[-‐‑]\d+){2,}(?![\w])|(?<![\w/])\d+(?:/\d+){2,}"),
            re.compile(r"(?<![\w.])\d{1,2}\.\d{1,2}\.\d{2,4}(?![\d.])|(?<![\w.])\d+(?:\.\d+){3,}"),
            re.compile(r"(?<![\w.])\d+\.\d+\.\d+(?![\d])"),
            re.compile(r"(?<![\w-])\d{4}-0\d(?![\w-])"),
            re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.\-/()]*\d){6,}"),
            re.compile(r"\(\d{3}\)\s*\d{3}[-.\s]\d{4}|(?<![\d-])\d{3}[-.]\d{3}[-.]\d{4}(?!\d)"),
            re.compile(
                r"(?<!\d\s)(?<![\w,.])0\d{2,4}(?:[ -]\d{3,4}){1,3}(?![\w,])"
            ),  # 0800 0961 233
            re.compile(
                rf"(?<![\w,.])\d{{1,4}}[a-z]?(?=\s+(?:[A-Z][\w'-]+\s+){{1,3}}(?:{alt(num.street_words)})\b)"
            ),
            re.compile(
                rf"(?<![\w,.])(?:{alt(num.emergency_numbers)})(?=\s+(?i:{alt(num.emergency_followers)})\b)"
            ),
        ]
        self.slash_pair = re.compile(r"(?<![\w/.])(\d+)/(\d+)(?![\w/])")
        self.customary = frozenset(num.customary_denominators)
        nouns = num.document_nouns
        noun = rf"(?:\b(?i:{alt(nouns['any_case'])})\b\.?|\b(?-i:{alt(nouns['capitalised'])})\b\.?"
        noun += rf"|{alt(num.document_markers)})"
        # Never a part of a digit-grouped figure: 'No 58,030' is a referendum side's votes.
        ident = r"[\w./-]*\d[\w./-]*(?![,.]\d)(?!\d)"
        more = rf"(?:(?:\s*,\s*|\s+and\s+|\s+or\s+|\s*&\s*|\s+to\s+|\s*[-–]\s*){ident})*"
        marker = rf"(?:(?:{alt(num.document_markers)})\s*)?"
        # Searched backwards from each identifier-like token: a noun alternation tried at every
        # position of every paragraph would be the slowest pattern here.
        self.document_id = re.compile(rf"(?<![\w.,/-])(?P<id>{ident}{more})")
        self.document_noun = re.compile(rf"{noun}\s*{marker}$")
        self.letters_digits = re.compile(r"(?<![\w$])(?P<l>[^\W\d_]+)(?P<h>[-‐‑]?)\d[\w.‐‑-]*")
        self.digits_letters = re.compile(
            r"(?<![\w.])(?P<d>\d+(?:[.,]\d+)*)(?P<s>[^\W\d_]+)(?P<rest>\w*)"
        )
        caps = [w.capitalize() for w in (*num.units, *num.teens, *num.tens, "Hundred")]
        self.group_of = re.compile(
            rf"\b[A-Z][a-z]+\s+of\s+(?:the\s+)?(?P<n>{alt(caps)})\b(?!\s+[A-Z])"
        )
        self.name_year = re.compile(r"\b(?P<w>[A-Z][\w]*)[ \t]+[-–—][ \t]+(?P<y>\d{4})(?![\w-])")
        ordinal_words = alt(num.ordinals)
        periods = alt(num.period_words)
        # Whether any of them occurs at all, as a substring: one search, not one per word.
        self.any_period_word = re.compile("|".join(map(re.escape, num.period_words)))
        self.period = re.compile(
            rf"\b(?i:(?:{ordinal_words}|\d+(?:st|nd|rd|th))[\s-]+(?:{periods}))\b(?![-‐‑]\w)"
        )
        # 'a year and a half', 'a mile and a half': the half belongs to the unit before it.
        self.unit_and_half = re.compile(
            r"\b(?i:a|an|one)\s+(?P<u>[^\W\d_]+)\s+(?i:and)\s+(?P<h>(?i:a\s+half))\b"
        )
        time_units = alt(num.time_units)
        # 'half a century': a part of one unit of time, read with the unit by the extractor.
        self.half_a_unit = re.compile(rf"\b(?i:half|quarter)(?=\s+(?i:an?)\s+(?i:{time_units})\b)")
        # 'half-staff', 'a half-brother', 'the quarter-final': a word, not a share; 'a
        # half-hour delay' and 'a half-million' stay.
        self.fraction_word = re.compile(
            rf"\b(?i:half|quarter)(?=[-‐‑](?!(?i:{time_units}|{alt(num.scales)})\b)[^\W\d_])"
        )
        self.one = re.compile(r"\b[Oo]ne\b")
        self.list_marker = re.compile(
            rf"(?:^|[.:;!?(\n])[ \t\"'“‘]*(?P<w>(?i:{alt(num.list_marker_words)}))\b(?=\s*[,):;])"
        )
        self.digit_marker = re.compile(r"(?m)^[ \t]*\d{1,2}[.)](?=[ \t])")
        self.allowed_prefixes = frozenset(num.allowed_prefixes)
        self.unit_suffixes = frozenset(num.unit_suffixes)
        self.big_scales = {w.lower(): float(v) for w, v in num.scales.items() if v >= 1000}
        self.glued_scales = frozenset(self.big_scales)
        self.ordinal_suffixes = frozenset(num.ordinal_suffixes)

    def _compile_context(self, num: Numbers, qual: Qualifiers, cur: Currencies) -> None:
        cur, self.precision = currencies.with_iso(cur)
        self.qual_types = {
            k.strip().lower(): v for k, v in (*qual.before.items(), *qual.after.items())
        }
        self.interval_types = qual.types
        words_b = [q for q in qual.before if q[0].isalpha()]
        syms_b = [q for q in qual.before if not q[0].isalpha()]
        self.qual_before = re.compile(
            rf"(?:(?<![\w])(?P<q>{_ci(words_b)})|(?P<s>{alt(syms_b)})){_WS}*$"
        )
        words_a = [q.strip() for q in qual.after if q[0] == " " or q[0].isalpha()]
        syms_a = [q for q in qual.after if not (q[0] == " " or q[0].isalpha())]
        self.qual_after = re.compile(
            rf"^(?:{_WS}+(?P<q>{_ci(words_a)})|(?P<s>{_ci(syms_a)}))(?![\w])"
        )
        self.range_open = re.compile(rf"(?<![\w])(?P<w>(?i:between|from)){_WS}+$")
        self.range_gap = re.compile(
            rf"^(?:{_WS}*[-–—~‐‑]{_WS}*|{_WS}+(?i:to|through|thru|or){_WS}+|{_WS}+(?P<and>(?i:and)){_WS}+)$"
        )
        self.symbols = dict(cur.symbols)
        self.dollar_prefixes = {k.lower(): v for k, v in cur.dollar_prefixes.items()}
        self.dollar_exact = dict(cur.dollar_prefixes_exact)
        self.codes = {c: ("BTC" if c == "XBT" else "CNY" if c == "RMB" else c) for c in cur.codes}
        self.codes_any = {c: self.codes.get(c.upper(), c.upper()) for c in cur.codes_any_case}
        self.currency_words = {k.lower(): v for k, v in cur.words.items()}
        self.scaled_words = {k.lower(): v for k, v in cur.scaled_only_words.items()}
        weighed = cur.not_money_after
        bracketed = alt(weighed["bracketed_units"])
        self.not_money_after = re.compile(
            rf"(?i:\s*\([^()]{{0,40}}?(?<![\w])(?:{bracketed})(?![\w])[^()]{{0,30}}\)"
            rf"|\s*(?:\([^()]{{0,60}}\)\s*)?of\s+(?:{alt(weighed['of_nouns'])})(?![\w]))"
        )
        singular = [w for w in self.currency_words if not w.endswith("s") and w.isascii()]
        self.a_currency = re.compile(rf"(?<![\w])(?i:an?){_WS}+(?P<w>{_ci(singular)})(?![\w‐‑-])")
        self._precheck_words |= {w.split()[-1] for w in singular}
        self.minor = {k.lower(): (v[0], float(v[1])) for k, v in cur.minor.items()}
        self.glued_minor = {k: (v[0], float(v[1])) for k, v in cur.minor_glued.items()}
        letter_syms = [s for s in self.symbols if s[0].isalpha()]
        other_syms = [s for s in self.symbols if not s[0].isalpha()]
        self.cur_before = re.compile(
            rf"(?:(?<![\w])(?P<pa>{_ci(cur.dollar_prefixes)}){_WS}?\$"
            rf"|(?<![\w])(?P<pe>{_cs(self.dollar_exact)})\$"
            rf"|(?<![\w])(?P<code>{_cs(self.codes)})|(?<![\w])(?P<codei>{_ci(self.codes_any)})"
            rf"|(?<![\w])(?P<lsym>{_cs(letter_syms)})|(?P<sym>{_cs(other_syms)})){_WS}?$"
        )
        self.cur_after = re.compile(
            rf"^(?:{_WS}?(?P<sym>{_cs(other_syms)})(?!{_WS}?\d)"
            rf"|{_WS}?(?P<code>{_cs(self.codes)}|{_ci(self.codes_any)})(?![\w])"
            rf"|{_WS}*(?P<word>{_ci(self.currency_words)})(?![\w])"
            rf"|{_WS}+(?P<scaled>{_ci(self.scaled_words)})(?![\w])"
            rf"|{_WS}*(?P<minor>{_ci(self.minor)})(?![\w])"
            rf"|{_WS}?(?P<lsym>{_cs(letter_syms)})(?![\w]))"
        )
        self.percent = re.compile(
            rf"^(?:(?P<pp>{_WS}?(?i:percentage{_WS}+points?|pp|ppts?|pps))(?![\w])"
            rf"|{_WS}?%|{_WS}?(?i:per{_WS}?cent|percents?|percentage|pct)(?![\w])|pc(?![\w]))"
        )
        abbr = num.scale_abbreviations
        self.abbr_glued = re.compile(rf"^(?P<a>{_cs(abbr)})(?![^\W\d_])")
        self.abbr_spaced = re.compile(
            rf"^{_WS}(?P<a>{_cs(num.spaced_scale_abbreviations)})(?![\w])"
        )
        self.unit_glued = re.compile(rf"^(?P<u>{_cs(num.unit_suffixes)})(?![^\W\d_])")
        self.ordinal_glued = re.compile(rf"^(?i:{alt(num.ordinal_suffixes)})(?![^\W\d_])")
        self.hyphen_word = re.compile(r"^[-‐‑](?P<w>[^\W\d_]+)(?:[-‐‑](?P<t>[^\W\d_]+))?")
        self.vague: dict[str, tuple[float, float]] = {k.lower(): v for k, v in num.vague.items()}
        quant = {k.lower(): v for k, v in num.vague_quantifiers.items()}
        self.vague_quant = quant
        self.vague_scales = {k: float(v) for k, v in num.vague_singular_scales.items()}
        scales = alt(self.vague_scales)
        self.vague_re = re.compile(
            rf"(?<![\w])(?i:(?P<q>{alt(quant)}){_WS}+(?P<s1>{scales})(?:{_WS}+(?P<s2>{scales}))?"
            rf"|(?P<v>{alt(self.vague)}))(?![\w])"
        )
        self.multiplier_words = {k: float(v) for k, v in num.multiplier_words.items()}
        self.multiplier_hints = (*self.multiplier_words, "fold")
        self.vague_hints = tuple(
            {
                w.rstrip("s")
                for p in (*self.vague, *quant)
                for w in p.split()
                if w not in ("a", "of")
            }
        )
        fold = alt([*num.units, *num.teens, *num.tens, "hundred", "thousand"])
        self.multiplier_re = re.compile(
            rf"(?<![\w])(?i:(?P<w>{alt(self.multiplier_words)})|(?P<f>{fold})[-‐‑]?fold)(?![\w])"
        )
        self.code_scale = re.compile(rf"^{_WS}+((?i:thousand|million|billion|trillion))(?![\w])")
        self.times = re.compile(rf"^{_WS}+(?P<t>(?i:times)){_WS}+(?P<f>[^\W\d_]+)")

    def may_hold_number(self, text: str) -> bool:
        """Cheap test: a digit, a vulgar fraction or a number word somewhere in ``text``."""
        if self._digit.search(text):
            return True
        return not self._precheck_words.isdisjoint(self._word.findall(text.lower()))

    # -- masking ----------------------------------------------------------------------------

    def mask(self, text: str) -> str:
        """``text`` with every non-quantity stretch replaced by NUL (same length)."""
        spans: list[tuple[int, int]] = []
        lower = text.lower()
        if "://" in text or "www." in lower or "@" in text:
            spans.extend(m.span() for m in self.address.finditer(text))
        if self._digit.search(text):  # the patterns below all need a digit
            for pattern in self.mask_patterns:
                spans.extend(m.span() for m in pattern.finditer(text))
            for m in self.slash_pair.finditer(text):
                n, d = int(m.group(1)), int(m.group(2))
                if not (0 < n < d and d in self.customary):
                    spans.append(m.span())
            for m in self.document_id.finditer(text):
                before = text[max(0, m.start() - 24) : m.start()]
                if self.document_noun.search(before) and not _MD_HEADING.search(before):
                    spans.append(m.span("id"))
            spans.extend(self._designations(text))
            for m in self.name_year.finditer(text):
                if m.group("w").rstrip(".") not in self.month_set:
                    spans.append(m.span("y"))
            spans.extend(m.span() for m in self.digit_marker.finditer(text))
        if " of " in text:
            spans.extend(m.span("n") for m in self.group_of.finditer(text))
        if self.any_period_word.search(lower):
            spans.extend(m.span() for m in self.period.finditer(text))
        if "half-" in lower or "quarter-" in lower or "half‐" in lower or "half‑" in lower:
            spans.extend(m.span() for m in self.fraction_word.finditer(text))
        if "half a" in lower or "quarter a" in lower:
            spans.extend(m.span() for m in self.half_a_unit.finditer(text))
        if "and a half" in lower:
            spans.extend(
                m.span("h")
                for m in self.unit_and_half.finditer(text)
                if m.group("u").lower() not in self._precheck_words  # 'one million and a half'
            )
        if "one" in lower:
            spans.extend(self._pronoun_ones(text))
        spans.extend(self._list_markers(text))
        if not spans:
            return text
        chars = list(text)
        for s, e in spans:
            chars[s:e] = NUL * (e - s)
        return "".join(chars)

    def _designations(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self.letters_digits.finditer(text):
            letters = m.group("l")
            if m.group("h") and letters.lower() in self.allowed_prefixes:
                continue
            if not m.group("h") and (
                letters in self.codes
                or letters.lower() in self.codes_any
                or letters in self.symbols
                or letters.lower() in self.dollar_prefixes
            ):
                yield m.span("l")  # 'USD115': the code stays readable in the text, the digits count
                continue
            yield m.span()
        for m in self.digits_letters.finditer(text):
            suffix, rest = m.group("s"), m.group("rest")
            if rest and any(c.isdigit() for c in rest):
                yield m.span()  # 4x4, 1H21
            elif not self._known_suffix(m.group("d"), suffix + rest):
                yield m.span()

    def _known_suffix(self, digits: str, suffix: str) -> bool:
        low = suffix.lower()
        if (
            low in self.ordinal_suffixes
            or suffix in self.scale_abbr
            or suffix in self.unit_suffixes
        ):
            return True
        if suffix in ("m", "x", "pc", "pp", "ppt", "pps", "fold") or low in self.codes_any:
            return True
        if low in self.glued_scales or suffix in self.glued_minor:
            return True  # '£3million', '161.8p'
        if suffix in self.codes or suffix in self.symbols:
            return True
        return suffix == "s" and len(digits) == 4 and digits.endswith("0")

    def _pronoun_ones(self, text: str) -> Iterable[tuple[int, int]]:
        for m in self.one.finditer(text):
            before = re.findall(r"[^\W\d_]+", text[max(0, m.start() - 30) : m.start()].lower())
            after = re.match(r"\s*(['’]s|[^\W\d_]+|[.!?,;:)])", text[m.end() : m.end() + 24])
            prev = before[-1] if before else ""
            nxt = after.group(1).lower() if after else ""
            if nxt in self.sets["pronoun_one_after"]:
                yield m.span()  # 'one of the', 'one another'
            elif prev == "at" and nxt in self.sets["pronoun_one_after_at"]:
                yield m.span()  # 'at one time', 'at one point': once
            elif prev in self.sets["pronoun_one_before"] and nxt not in self.number_word_set:
                yield m.span()  # 'no one', 'the one who', 'which one'
            elif nxt in tuple(".!?,;:)") and self.sets["pronoun_one_determiners"] & set(
                before[-2:]
            ):
                yield m.span()  # 'an awful one.'

    def _list_markers(self, text: str) -> Iterable[tuple[int, int]]:
        return (m.span("w") for m in self.list_marker.finditer(text))
