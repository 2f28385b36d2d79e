"""Numerals: the digits and number words of a text, read into values.

``tokenize(text, words)`` splits ``text`` into atoms (digit literals, vulgar fractions and the
words of ``claims/data/numbers.json``) and groups atoms that touch (spaces or a hyphen between
them) into runs; ``parse_run(run)`` reads a run with a small grammar of English numerals:

- cardinals: ``two hundred and two thousand`` (202,000), ``fifty-two``, ``4 thousand 3 hundred
  and 21``, ``ninety-five hundred``, ``three lakh crore``, ``a dozen``, ``3 dozens``;
- ordinals: ``twenty-first``, ``one hundred twenty fifth``, ``two hundredth``;
- fractions: ``a third``, ``five eighths``, ``one hundred and three quarters`` (100.75),
  ``3/4``, ``2 1/4``, ``½``, and fractions of a scale (``half a million``, ``3 million and a
  half``).

A run may hold several numerals ("3 hundred and 2 hundred" is 300 and 200); what the grammar
cannot join is read as separate numerals. What surrounds a numeral (currency, percent, hedges,
dates) is the business of ``claims.extract.numbers.spans`` and ``claims.extract.numbers.context``; this module only knows
numerals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from claims.wordlists import Numbers

DIGITS, VULGAR, DFRAC = "digits", "vulgar", "dfrac"
UNIT, TEEN, TENS, HUNDRED, SCALE, DOZEN = "unit", "teen", "tens", "hundred", "scale", "dozen"
ORD, FRAC, A, AND, OF, NEG = "ord", "frac", "a", "and", "of", "neg"
SMALL = (UNIT, TEEN, TENS, DIGITS)
MULTIPLIERS = (HUNDRED, SCALE, DOZEN)
VULGARS = {
    "½": 1 / 2, "⅓": 1 / 3, "⅔": 2 / 3, "¼": 1 / 4, "¾": 3 / 4, "⅕": 1 / 5, "⅖": 2 / 5,
    "⅗": 3 / 5, "⅘": 4 / 5, "⅙": 1 / 6, "⅚": 5 / 6, "⅐": 1 / 7, "⅛": 1 / 8, "⅜": 3 / 8,
    "⅝": 5 / 8, "⅞": 7 / 8, "⅑": 1 / 9, "⅒": 1 / 10,
}  # fmt: skip
_SPACE = "[ \t\u00a0\u202f\u2009]"
# A gap that keeps two atoms in one run: nothing, spaces, or a hyphen with optional spaces.
_JOIN = re.compile(rf"{_SPACE}*|{_SPACE}*[-‐‑]{_SPACE}*")
_NUMBER = (
    r"\d{1,2}(?:,\d{2})+,\d{3}(?!\d)(?:\.\d+)?"  # Indian grouping: 12,34,567
    r"|\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?"  # 1,234,567.5
    r"|\d{1,3}(?:[\u00a0\u202f\u2009 ]\d{3})+(?![\d,])(?:\.\d+)?"  # 1 234 567
    r"|\d+(?:\.\d+)?|\.\d+"
)
_ATOM = re.compile(
    rf"(?P<dfrac>(?<![\w/.])(?:(?<![\w)\].,%])[-−])?\d+/\d+(?![\w/]))"
    rf"|(?P<digits>(?:(?<![\w)\].,%])[-−](?=\.?\d))?(?<![\w.,])(?:{_NUMBER})(?!\d))"
    rf"|(?P<vulgar>[{''.join(VULGARS)}])"
    r"|(?P<word>[^\W\d_]+)"
)


@dataclass(frozen=True)
class Atom:
    """One piece of a numeral: a digit literal or a number word, with its char offsets."""

    start: int
    end: int
    kind: str
    value: float
    plural: bool = False
    is_int: bool = True
    word: str = ""
    joined: str = " "  # how it touches the atom before: "" glued, " " space, "-" hyphen


@dataclass(frozen=True)
class Numeral:
    """A number read from a run of atoms."""

    start: int
    end: int
    value: float
    kind: str  # cardinal | ordinal | fraction
    is_words: bool
    scale: float = 1.0  # the scale word a written mantissa is multiplied by ("2.5 million")
    plain_digits: bool = False  # one integer digit literal without separators ("2014")


@dataclass(frozen=True)
class _Card:
    value: float
    end: int
    and_at: int | None
    last: str
    scale: float  # the one scale word a leading mantissa is multiplied by, else 1
    big: float = 0.0  # the last scale word >= 1000 used, else 0


class Words:
    """The number words of a lexicon, ready for lookups."""

    def __init__(self, data: Numbers) -> None:
        self.table: dict[str, tuple[str, float]] = {"a": (A, 1), "an": (A, 1), "and": (AND, 0)}
        self.table["of"] = (OF, 0)
        for kind, words in ((UNIT, data.units), (TEEN, data.teens), (TENS, data.tens)):
            self.table.update({w: (kind, float(v)) for w, v in words.items()})
        for w, v in data.scales.items():
            kind = HUNDRED if v == 100 else DOZEN if v == 12 else SCALE
            self.table[w] = (kind, float(v))
        self.plural_scales = {w: float(v) for w, v in data.plural_scales.items()}
        self.ordinals = {w: float(v) for w, v in data.ordinals.items()}
        self.fractions = {w: float(v) for w, v in data.fraction_words.items()}
        self.not_denominators = frozenset(data.not_denominators)
        self.negative = frozenset(data.negative_words)
        self.vocabulary = frozenset(
            [*self.table, *self.plural_scales, *self.ordinals, *self.fractions, *self.negative,
             "firsts", *(w + "s" for w in self.ordinals if w not in self.not_denominators)]
        )  # fmt: skip

    def atom(self, word: str, start: int, end: int) -> Atom | None:
        w = word.lower()
        if w in self.table:
            kind, value = self.table[w]
            return Atom(start, end, kind, value, word=w)
        if w in self.plural_scales:
            v = self.plural_scales[w]
            kind = HUNDRED if v == 100 else DOZEN if v == 12 else SCALE
            return Atom(start, end, kind, v, plural=True, word=w)
        if w in self.fractions:
            return Atom(start, end, FRAC, self.fractions[w], plural=w.endswith("s"), word=w)
        if w in self.ordinals:
            return Atom(start, end, ORD, self.ordinals[w], word=w)
        if w.endswith("s") and w[:-1] in self.ordinals and w[:-1] not in self.not_denominators:
            return Atom(start, end, ORD, self.ordinals[w[:-1]], plural=True, word=w)
        if w == "firsts":  # 'three twenty-firsts'
            return Atom(start, end, ORD, 1.0, plural=True, word=w)
        if w in self.negative:
            return Atom(start, end, NEG, -1.0, word=w)
        return None


def tokenize(text: str, words: Words) -> list[list[Atom]]:
    """The runs of touching atoms in ``text``."""
    runs: list[list[Atom]] = []
    run: list[Atom] = []
    last_end = -1
    vocabulary = words.vocabulary
    for m in _ATOM.finditer(text):
        if m.lastgroup == "word" and m.group().lower() not in vocabulary:
            atom = None
        else:
            atom = _make_atom(m, words)
        if atom is None:
            if run:
                runs.append(run)
            run, last_end = [], -1
            continue
        gap = text[last_end : atom.start] if run else ""
        if run and _JOIN.fullmatch(gap):
            run.append(_with_join(atom, "-" if "-" in gap or "‐" in gap or "‑" in gap else gap[:1]))
        else:
            if run:
                runs.append(run)
            run = [_with_join(atom, " ")]
        last_end = atom.end
    if run:
        runs.append(run)
    return runs


def _with_join(atom: Atom, joined: str) -> Atom:
    return Atom(
        atom.start, atom.end, atom.kind, atom.value, atom.plural, atom.is_int, atom.word, joined
    )


def _make_atom(m: re.Match[str], words: Words) -> Atom | None:
    s, e = m.span()
    if m.group("word"):
        return words.atom(m.group(0), s, e)
    if m.group("vulgar"):
        return Atom(s, e, VULGAR, VULGARS[m.group(0)], is_int=False)
    raw = m.group(0).replace("−", "-")
    if m.group("dfrac"):
        num, den = raw.split("/")
        if float(den) == 0:
            return None
        return Atom(s, e, DFRAC, float(Fraction(int(num), int(den))), is_int=False, word=raw)
    digits = re.sub(r"[,\s\u00a0\u202f\u2009]", "", raw)
    value = float(digits)
    return Atom(s, e, DIGITS, value, is_int="." not in digits, word=raw)


def parse_run(run: list[Atom]) -> list[tuple[Numeral | None, int]]:
    """Numerals of one run, left to right, each with the index of the atom after it."""
    out: list[tuple[Numeral | None, int]] = []
    i = 0
    while i < len(run):
        got = _phrase(run, i)
        if got is None:
            i += 1
            continue
        out.append(got)
        i = got[1]
    return out


def _numeral(
    run: list[Atom], i: int, j: int, value: float, kind: str, scale: float = 1.0
) -> Numeral:
    atoms = run[i:j]
    plain = len(atoms) == 1 and atoms[0].kind == DIGITS and atoms[0].word.isdigit()
    is_words = not any(a.kind in (DIGITS, DFRAC, VULGAR) for a in atoms)
    return Numeral(atoms[0].start, atoms[-1].end, value, kind, is_words, scale, plain)


def _phrase(run: list[Atom], i: int) -> tuple[Numeral | None, int] | None:
    n = len(run)
    sign, j = 1.0, i
    if run[j].kind == NEG:
        if j + 1 >= n or run[j + 1].kind in (AND, OF, NEG):
            return None
        sign, j = -1.0, j + 1
    at = run[j]
    if at.kind == A and j + 1 < n:  # 'a fifth', 'a half', 'a quarter million', 'a twenty-first'
        den_atom = run[j + 1]
        if den_atom.kind in (ORD, FRAC) and not den_atom.plural:
            if den_atom.kind == ORD and den_atom.word in ("second", "first"):
                return None
            return _scaled(run, i, j + 2, sign / den_atom.value, "fraction")
        den = _compound_ordinal(run, j + 1)
        if den is not None:
            return _scaled(run, i, den[1], sign / den[0], "fraction")
    card = _cardinal(run, j)
    if card is None:
        if at.kind == ORD:
            return (None if at.plural else _numeral(run, i, j + 1, at.value, "ordinal")), j + 1
        if at.kind == FRAC and (at.word == "half" or _scale_at(run, j + 1)):
            return _scaled(run, i, j + 1, sign / at.value, "fraction")
        if at.kind in (DFRAC, VULGAR):
            return _scaled(run, i, j + 1, sign * at.value, "fraction")
        return None
    k = card.end
    nxt = run[k] if k < n else None
    if nxt is not None and nxt.kind == ORD:
        return _with_ordinal(run, i, j, card, sign)
    if nxt is not None and nxt.kind == AND and k + 1 < n and run[k + 1].kind == ORD:
        o = run[k + 1]  # 'one hundred and first'
        if not o.plural and _additive(run, j, card, o.value):
            return _numeral(run, i, k + 2, card.value + o.value, "ordinal"), k + 2
    if nxt is not None and nxt.kind in (UNIT, TEEN, TENS):
        den = _compound_ordinal(run, k)  # 'one twenty-fifth', 'twenty twenty fifths'
        if den is not None and den[0] > card.value:
            return _scaled(run, i, den[1], sign * card.value / den[0], "fraction")
    if nxt is not None and nxt.kind == FRAC:
        return _over(run, i, j, card, nxt.value, k + 1, sign)
    value, end = card.value, card.end
    if nxt is not None and nxt.kind in (DFRAC, VULGAR) and end - j == 1 and at.kind == DIGITS:
        if at.is_int and nxt.value < 1:
            value, end = value + nxt.value, end + 1  # 2 1/4, 2½
    elif nxt is not None and nxt.kind == AND:
        frac = _fraction_after(run, k + 1)
        if frac is not None and frac[0] < 1:
            value, end = _mix(run, card.value, card, frac[0], frac[1])
            if end < n and run[end].kind == SCALE and card.last not in (SCALE, HUNDRED):
                value, end = value * run[end].value, end + 1  # five and a half million
            return _numeral(run, i, end, sign * value, "cardinal"), end
    return _numeral(run, i, end, sign * value, "cardinal", card.scale if end == k else 1), end


def _mix(run: list[Atom], whole: float, card: _Card, frac: float, end: int) -> tuple[float, int]:
    """A whole number plus a fraction: a scale after the fraction, or a large scale before
    it, is the fraction's unit ('one billion and a half million', '3 million and a half')."""
    after = run[end].value if end < len(run) and run[end].kind == SCALE else 0.0
    if card.last == SCALE and 0 < after < card.big:
        return whole + frac * after, end + 1
    if card.last == SCALE and card.big >= 1e6:
        return whole + frac * card.big, end
    return whole + frac, end


def _over(
    run: list[Atom], i: int, j: int, card: _Card, den: float, end: int, sign: float
) -> tuple[Numeral, int]:
    """``card`` over the denominator ``den``; 'one hundred and three quarters' is 100 + 3/4 when
    the part after the last 'and' is a proper fraction."""
    if card.and_at is not None:
        whole = _cardinal(run, j, card.and_at)
        part = _cardinal(run, card.and_at + 1, card.end)
        if (
            whole
            and part
            and whole.end == card.and_at
            and part.end == card.end
            and part.value < den
        ):
            value, end = _mix(run, whole.value, whole, part.value / den, end)
            return _numeral(run, i, end, sign * value, "cardinal"), end
    return _scaled(run, i, end, sign * card.value / den, "fraction")


def _additive(run: list[Atom], j: int, card: _Card, o: float) -> bool:
    """Whether ordinal ``o`` completes the cardinal ``run[j:card.end]`` ('twenty' + 'first',
    'one hundred' + 'fifth'): only after a tens word or 'hundred', and only in words ('280
    million first preferred notes' is not the 280,000,001st)."""
    c = card.value
    if card.last not in (TENS, HUNDRED) or any(a.kind == DIGITS for a in run[j : card.end]):
        return False
    return c >= 20 and c == int(c) and (c % 10 == 0 if o < 10 else c % 100 == 0)


def _scale_at(run: list[Atom], k: int) -> tuple[float, int] | None:
    """A scale after a fraction: 'million', 'a million', 'of a million', 'a dozen'."""
    n = len(run)
    if k < n and run[k].kind == OF:
        k += 1
    if k < n and run[k].kind == A:
        k += 1
    if k < n and run[k].kind in MULTIPLIERS and not run[k].plural:
        return run[k].value, k + 1
    return None


def _scaled(run: list[Atom], i: int, k: int, value: float, kind: str) -> tuple[Numeral, int]:
    """A fraction, multiplied by a scale right after it ('half a million', 'three quarters billion')."""
    got = _scale_at(run, k)
    if got is not None:
        scale, k = got
        return _numeral(run, i, k, value * scale, "cardinal"), k
    return _numeral(run, i, k, value, kind), k


def _with_ordinal(
    run: list[Atom], i: int, j: int, card: _Card, sign: float
) -> tuple[Numeral | None, int]:
    k = card.end
    o = run[k]
    c = card.value
    if o.value >= 100:  # hundredth, millionth: 'two hundredth' is 200th, 'two hundredths' 0.02
        if o.plural or c == 1:
            return _over(run, i, j, card, o.value, k + 1, sign)
        return _numeral(run, i, k + 1, c * o.value, "ordinal"), k + 1
    if not o.plural:
        if _additive(run, j, card, o.value):
            return _numeral(run, i, k + 1, c + o.value, "ordinal"), k + 1
        if o.word in ("second", "first"):  # 'one second' is a duration
            return _numeral(run, i, k, sign * c, "cardinal", card.scale), k + 1
        return _scaled(run, i, k + 1, sign * c / o.value, "fraction")
    if card.last == TENS and card.and_at is None and o.value < 10:
        head = _cardinal(run, j, k - 1)
        if head is not None and head.end == k - 1:  # 'one hundred thirty fifths' = 100/35
            return _scaled(
                run, i, k + 1, sign * head.value / (run[k - 1].value + o.value), "fraction"
            )
    return _over(run, i, j, card, o.value, k + 1, sign)


def _compound_ordinal(run: list[Atom], k: int) -> tuple[float, int] | None:
    """An ordinal written as cardinal + ordinal ('twenty-fifth', 'one hundred (and) fifth')."""
    card = _cardinal(run, k)
    if card is None:
        return None
    e = card.end + 1 if card.end < len(run) and run[card.end].kind == AND else card.end
    if e >= len(run) or run[e].kind != ORD or run[e].value >= 100:
        return None
    if not _additive(run, k, card, run[e].value):
        return None
    return card.value + run[e].value, e + 1


def _fraction_after(run: list[Atom], k: int) -> tuple[float, int] | None:
    """A proper fraction phrase after 'and': 'a half', 'three quarters', 'two thirds', '1/2'."""
    n = len(run)
    if k >= n:
        return None
    if run[k].kind in (DFRAC, VULGAR):
        return run[k].value, k + 1
    if run[k].kind == A:
        num, k2 = 1.0, k + 1
    else:
        card = _cardinal(run, k)
        if card is None:
            return None
        num, k2 = card.value, card.end
    if k2 < n and run[k2].kind == FRAC:
        return num / run[k2].value, k2 + 1
    proper = k2 < n and (num == 1 or run[k2].plural)
    if proper and run[k2].kind == ORD and run[k2].word not in ("second", "first"):
        return num / run[k2].value, k2 + 1
    return None


def _cardinal(run: list[Atom], j: int, stop: int | None = None) -> _Card | None:
    """The longest cardinal starting at ``run[j]`` (and before ``stop``), or None."""
    stop = len(run) if stop is None else stop
    total, cur, last, small, big = 0.0, 0.0, "", 0.0, float("inf")
    and_at: int | None = None
    scales: list[float] = []
    good: list[tuple[int, float, float, str, int | None, tuple[float, ...]]] = []
    i = j
    while i < stop:
        a = run[i]
        if i > j and a.joined == "-" and DIGITS in (a.kind, run[i - 1].kind):
            break
        glued_scale = a.kind == SCALE and run[i - 1].kind == DIGITS  # '£3million'
        if i > j and a.joined == "" and a.kind != VULGAR and not glued_scale:
            break
        k = a.kind
        if k == A:
            if i != j or i + 1 >= stop or run[i + 1].kind not in MULTIPLIERS or run[i + 1].plural:
                break
            cur, small = 1.0, 1.0
        elif k == UNIT and a.value == 0:
            if i == j:
                return _Card(0.0, i + 1, None, UNIT, 1.0)
            break
        elif k in (UNIT, TEEN, TENS):
            if last in (DIGITS, A, UNIT, TEEN) or (i > j and last == ""):
                break
            g = cur % 100
            fits = g == 0 if k != UNIT else g == 0 or (g >= 20 and g % 10 == 0)
            if not fits:
                break
            cur += a.value
            small = cur % 100
        elif k == DIGITS:
            if i == j:
                cur, small = a.value, a.value
            elif (
                a.is_int and 0 < a.value < 100 and last in (HUNDRED, SCALE, AND) and cur % 100 == 0
            ):
                cur += a.value
                small = a.value
            elif a.is_int and a.value < 1000 and last == SCALE and cur == 0:
                cur, small = a.value, a.value
            else:
                break
        elif k == HUNDRED:
            if a.plural and i + 1 < stop and run[i + 1].kind == OF:
                break
            if (
                (last == DIGITS and cur == small)
                or (last in (UNIT, TEEN, TENS) and 0 < cur < 100)
                or last == A
            ):
                cur *= 100
            else:
                break
        elif k == SCALE:
            if a.plural and (i == j or (i + 1 < stop and run[i + 1].kind == OF)):
                break
            if cur > 0 and a.value < big and last not in (AND, ""):
                total, cur, big = total + cur * a.value, 0.0, a.value
            elif cur == 0 and last == SCALE and a.value > big:
                total, big = total * a.value, a.value
            else:
                break
            scales.append(a.value)
        elif k == DOZEN:
            if last not in (UNIT, TEEN, TENS, DIGITS, A):
                break
            cur = cur - small + small * 12
        elif k == AND:
            if last not in (HUNDRED, SCALE, TENS) or i + 1 >= stop:
                break
            and_at = i
        else:
            break
        last = k
        good.append((i + 1, total, cur, last, and_at, tuple(scales)))
        i += 1
    while good and good[-1][3] in (AND, A):
        good.pop()
    if good and i < stop and run[i].kind in MULTIPLIERS and good[-1][3] in SMALL and len(good) > 1:
        # '3 hundred and 2 hundred': the small number before a scale belongs to that scale.
        while len(good) > 1 and good[-1][3] not in (HUNDRED, SCALE, DOZEN):
            good.pop()
        if good[-1][3] not in (HUNDRED, SCALE, DOZEN):
            good.pop()
    if not good:
        return None
    end, total, cur, last, and_at, scl = good[-1]
    if and_at is not None and and_at >= end:
        and_at = None
    scale = 1.0
    if len(scl) == 1 and cur == 0 and run[j].kind in (DIGITS, UNIT, TEEN, TENS) and end - j == 2:
        scale = scl[0]
    elif last == HUNDRED and end - j == 2 and run[j].kind == DIGITS:
        scale = 100.0
    return _Card(total + cur, end, and_at, last, scale, big if big != float("inf") else 0.0)
