"""Growing a numeral into a number expression, and the relations between neighbouring ones.

``grow`` takes a numeral read by ``claims.extract.numbers.words`` and adds what is written around it: a
glued or spaced scale ('10k', '$1.2bn', '60m'), an ordinal suffix ('24th'), a unit suffix
('10km', 'seven-year'), percent, currency before or after ('USD 60 million', '10 billion
rubles', '50 cents'). ``word_amounts`` finds vague amounts ('tens of thousands', 'a few hundred')
and multipliers ('twice', 'tenfold'). ``pairs`` joins neighbours: ranges ('between 5 and 7
million', '$5-7 billion', '10-20%'), proportions ('one in five', 'three out of four'),
dollars and cents; and drops scores ('3-1'). ``qualify`` attaches hedges ('more than', 'or
more'); ``mark_year`` tells a year ('in 2014') from a count ('2000 troops').
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from claims.extract.numbers.context import NumberLexicon
from claims.extract.numbers.words import Numeral

# Qualifier types that bound one side only (claims/data/qualifiers.json "types").
ONE_SIDED = frozenset({"gt", "ge", "lt", "le"})


@dataclass
class Draft:
    """A number expression being built; becomes a NumberMention."""

    start: int
    end: int
    nstart: int
    nend: int
    value: float | None
    form: str
    is_words: bool
    scale: float = 1.0
    plain: bool = False
    currency: str | None = None
    unit_suffix: str | None = None
    qualifier: str | None = None
    bounds: tuple[float, float] | None = None  # vague amounts, ranges, decades
    minor: bool = False


def word_amounts(
    text: str, masked: str, lex: NumberLexicon
) -> tuple[list[Draft], list[tuple[int, int]]]:
    """Vague amounts ('tens of thousands', 'a few hundred') and multipliers ('twice')."""
    drafts: list[Draft] = []
    blank: list[tuple[int, int]] = []
    lower = masked.lower()
    vague = any(w in lower for w in lex.vague_hints)
    for m in lex.vague_re.finditer(masked) if vague else ():
        s, e = m.span()
        if m.group("v") and _counted_scale(masked, s, e, lex):
            continue  # 'five hundreds' is 500, read by the numeral grammar
        if m.group("q"):
            lo, hi = lex.vague_quant[" ".join(m.group("q").lower().split())]
            scale = lex.vague_scales[m.group("s1").lower()]
            if m.group("s2"):
                scale *= lex.vague_scales[m.group("s2").lower()]
            bounds = (lo * scale, hi * scale)
        else:
            bounds = lex.vague[" ".join(m.group("v").lower().split())]
        d = Draft(s, e, s, e, None, "vague", True, qualifier=text[s:e], bounds=bounds)
        of = re.match(r"\s+of\s+([^\W\d_]+)", text[e : e + 30])
        if of and of.group(1).lower() in lex.currency_words:
            d.currency = lex.currency_words[of.group(1).lower()]
        drafts.append(d)
        blank.append((s, e))
    for m in lex.a_currency.finditer(masked) if " a" in lower or lower.startswith("a") else ():
        s, e = m.span()  # 'a dollar', 'an euro': one unit of money
        code = lex.currency_words[" ".join(m.group("w").lower().split())]
        drafts.append(Draft(s, e, s, e, 1.0, "money", True, currency=code))
        blank.append((s, e))
    multiplier = any(w in lower for w in lex.multiplier_hints)
    for m in lex.multiplier_re.finditer(masked) if multiplier else ():
        s, e = m.span()
        if m.group("w"):
            value = lex.multiplier_words[m.group("w").lower()]
        else:
            value = lex.words.table[m.group("f").lower()][1]
        drafts.append(Draft(s, e, s, e, value, "multiplier", True))
        blank.append((s, e))
    return drafts, blank


def _counted_scale(masked: str, s: int, e: int, lex: NumberLexicon) -> bool:
    if re.match(r"\s+of\b", masked[e : e + 5]):
        return False
    before = re.search(r"(\d|[^\W\d_]+)[ \t-]+$", masked[max(0, s - 30) : s])
    if before is None:
        return False
    word = before.group(1).lower()
    return word.isdigit() or (word in lex.words.table and word not in ("a", "an", "and", "of"))


def grow(
    text: str, masked: str, num: Numeral, lex: NumberLexicon, m_is_million: bool
) -> Draft | None:
    """``num`` with what is written around it; None when it is part of an idiom ('one-time')."""
    form = {"ordinal": "ordinal", "fraction": "fraction"}.get(num.kind, "number")
    d = Draft(num.start, num.end, num.start, num.end, num.value, form, num.is_words, num.scale)
    d.plain = num.plain_digits
    pending_m = text[d.end - 1].isdigit() and form == "number" and _glued(text, masked, d, lex)
    if not _hyphen_suffix(masked, d, lex):
        return None
    bare = d.unit_suffix is None
    m = lex.percent.match(masked[d.end : d.end + 40])
    if m and bare and d.form in ("number", "fraction"):
        d.form = "percentage_point" if m.group("pp") else "percent"
        d.end += m.end()
    if bare and d.form in ("number", "fraction") and not pending_m:
        _currency_after(masked, d, lex)
    if bare and d.form in ("number", "fraction", "money"):
        window = max(0, d.start - 12)
        before = lex.cur_before.search(text[window : d.start])
        code = _currency_code(before, lex) if before else None
        if before and code and d.currency in (None, code):
            d.currency, d.start, d.form = code, window + before.start(), "money"
    if pending_m:
        after = re.match(r"m\s+([^\W\d_]+)", masked[d.end : d.end + 30])
        word = after.group(1).lower() if after else ""
        plural = word.endswith("s") and not word.endswith("ss") and len(word) > 3
        # "his 222m euro fee": a currency after the 'm' makes it million.
        money_next = lex.cur_after.match(masked[d.end + 1 : d.end + 41]) is not None
        if d.currency or m_is_million or word in lex.sets["ambiguous_m"] or plural or money_next:
            d.value, d.scale, d.plain = num.value * 1e6, 1e6, False
            d.end = d.nend = d.end + 1
            if d.currency is None:
                _currency_after(masked, d, lex)
        else:
            d.unit_suffix, d.end = "m", d.end + 1
    m = lex.times.match(text[d.end : d.end + 30])
    if d.form == "number" and m and m.group("f").lower() in lex.sets["times_followers"]:
        d.form, d.end = "multiplier", d.end + m.end("t")
    return d


def _glued(text: str, masked: str, d: Draft, lex: NumberLexicon) -> bool:
    """Letters right after the digits: '24th', '$1.2bn', '10 bln', '10km', '1990s', '10x'.
    True when they are a lone 'm', which is million or metre depending on what follows."""
    rest = masked[d.end : d.end + 40]
    value = d.value or 0.0
    abbr = lex.abbr_glued.match(rest) or lex.abbr_spaced.match(rest)
    if m := lex.ordinal_glued.match(rest):
        if d.plain:
            d.form, d.end = "ordinal", d.end + m.end()
    elif (
        abbr
        and (abbr.group("a") not in ("b", "B") or value < 1000)  # '1500b' is not 1.5 trillion
        and not re.match(r"\.[^\W\d_]", rest[abbr.end() :])  # '2 k.m.' is 2 km, not 2,000
    ):
        d.scale = lex.scale_abbr[abbr.group("a")]
        d.value, d.plain = value * d.scale, False
        d.end = d.nend = d.end + abbr.end()
    elif re.match(r"m(?![^\W\d_])", rest):
        return True
    elif (
        (minor := re.match(r"([^\W\d_]+)(?![^\W\d_])", rest))
        and minor.group(1) in lex.glued_minor
        and value < 1000
    ):
        code, factor = lex.glued_minor[minor.group(1)]  # '161.8p': pence
        d.value, d.currency, d.form, d.minor = value * factor, code, "money", True
        d.end = d.nend = d.end + minor.end()
    elif m := lex.unit_glued.match(rest):
        d.unit_suffix, d.end = m.group("u"), d.end + m.end()
    elif rest[:1] == "s" and d.plain and len(text[d.start : d.end]) == 4:
        d.form, d.end, d.bounds = "year", d.end + 1, (value, value + 9)
    elif re.match(r"x(?![\w])", rest):
        d.form, d.end = "multiplier", d.end + 1
    return False


def _hyphen_suffix(masked: str, d: Draft, lex: NumberLexicon) -> bool:
    """'seven-year' -> unit 'year'; '12-cent' -> money; '3-fold'; False for idioms ('one-time')."""
    m = lex.hyphen_word.match(masked[d.end : d.end + 40])
    if m is None or d.form not in ("number", "fraction"):
        return True
    word, tail = m.group("w").lower(), (m.group("t") or "").lower()
    if word in lex.sets["hyphen_idioms"]:
        return False
    if word in lex.big_scales and d.form == "number" and d.scale == 1 and d.value is not None:
        # North American papers hyphenate a figure used as a modifier: 'a $69-billion
        # takeover', 'a 10-million-dollar contract'.
        d.scale = lex.big_scales[word]
        d.value, d.plain = d.value * d.scale, False
        d.end = d.nend = d.end + m.end("w")
        if tail in lex.currency_words:
            d.currency, d.form, d.end = lex.currency_words[tail], "money", d.end + 1 + len(tail)
        return True
    if word in ("plus", "odd") or word in lex.number_word_set:
        return True
    if word == "fold":
        d.form, d.end = "multiplier", d.end + m.end("w")
    elif word in lex.minor:
        code, factor = lex.minor[word]
        d.value, d.currency, d.form, d.end = (
            (d.value or 0) * factor,
            code,
            "money",
            d.end + m.end("w"),
        )
    elif word in lex.currency_words:
        d.currency, d.form, d.end = lex.currency_words[word], "money", d.end + m.end("w")
    elif tail in lex.sets["suffix_tails"]:
        d.unit_suffix, d.end = f"{word}-{tail}", d.end + m.end()
    else:
        d.unit_suffix, d.end = word, d.end + m.end("w")
    return True


def _currency_after(masked: str, d: Draft, lex: NumberLexicon) -> None:
    m = lex.cur_after.match(masked[d.end : d.end + 40])
    if m is None:
        return
    if m.group("sym"):
        code = lex.symbols[m.group("sym")]
    elif m.group("lsym"):
        code = lex.symbols[m.group("lsym")]
    elif m.group("code"):
        raw = m.group("code")
        code = lex.codes.get(raw) or lex.codes_any[raw.lower()]
    elif m.group("word"):
        code = lex.currency_words[" ".join(m.group("word").lower().split())]
    elif m.group("scaled"):
        if d.scale <= 1:
            return  # '25 pounds' is a weight; '20 million pounds' is money
        if lex.not_money_after.match(masked, d.end + m.end()):
            return  # '8.8 million pounds (4 million kilograms) of thrust'
        code = lex.scaled_words[m.group("scaled").lower()]
    else:
        code, factor = lex.minor[m.group("minor").lower()]
        d.value, d.minor = (d.value or 0) * factor, True
    d.currency, d.form, d.end = code, "money", d.end + m.end()
    if m.group("code") and d.scale == 1 and (s := lex.code_scale.match(masked[d.end : d.end + 20])):
        d.scale = lex.words.table[s.group(1).lower()][1]  # '75 USD million'
        d.value, d.end = (d.value or 0) * d.scale, d.end + s.end()


def _currency_code(m: re.Match[str], lex: NumberLexicon) -> str | None:
    if m.group("pa"):
        return lex.dollar_prefixes[m.group("pa").lower()]
    if m.group("pe"):
        return lex.dollar_exact[m.group("pe")]
    if m.group("code"):
        return lex.codes[m.group("code")]
    if m.group("codei"):
        return lex.codes_any[m.group("codei").lower()]
    return lex.symbols.get(m.group("lsym") or m.group("sym"))


# -- pairs: ranges, proportions, dollars and cents ----------------------------------------------


def pairs(text: str, drafts: list[Draft], lex: NumberLexicon) -> list[Draft]:
    out: list[Draft] = []
    i = 0
    while i < len(drafts):
        d1 = drafts[i]
        d2 = drafts[i + 1] if i + 1 < len(drafts) else None
        merged = _pair(text, d1, d2, lex) if d2 is not None else None
        if merged is None:
            out.append(d1)
            i += 1
        else:
            out.extend(merged)
            i += 2
    return out


def _pair(text: str, d1: Draft, d2: Draft, lex: NumberLexicon) -> list[Draft] | None:
    gap = text[d1.end : d2.start]
    if len(gap) > 16 or d1.value is None or d2.value is None:
        return None
    # '3 dollars 50 cents'; '2 EUR 50 cents': a cent is the hundredth of the amount's currency
    generic = d2.currency == "USD" and lex.precision.get(d1.currency or "", 0) == 2
    same = d1.currency == d2.currency or generic
    cents = d1.form == "money" and d2.minor and same and not d1.minor
    if cents and re.fullmatch(r"\s+(?:and\s+)?", gap):
        return [replace(d1, end=d2.end, nend=d2.nend, value=d1.value + d2.value)]
    plain = (d1.form, d2.form) == ("number", "number") and not (d1.unit_suffix or d2.unit_suffix)
    m = re.fullmatch(r"\s+(?i:(out\s+of)|in)\s+", gap)
    if plain and m and _proportion(text, d1, d2, bool(m.group(1)), lex):
        words = d1.is_words and d2.is_words
        value = d1.value / d2.value
        return [replace(d1, end=d2.end, nend=d2.nend, value=value, form="fraction", is_words=words)]
    m = lex.range_gap.fullmatch(gap)
    if m is None or "ordinal" in (d1.form, d2.form):
        return None
    return _range(text, d1, d2, m, lex)


def _proportion(text: str, d1: Draft, d2: Draft, out_of: bool, lex: NumberLexicon) -> bool:
    a, b = d1.value or 0, d2.value or 0
    if a != int(a) or b != int(b) or a < 0 or (a > b if out_of else a >= b):
        return False
    if not out_of:
        if _year_like(text, d2, lex):
            return False
        nxt = re.match(r"\s+([^\W\d_]+)", text[d2.end : d2.end + 20])
        if nxt and nxt.group(1).lower() in lex.sets["time_units"]:
            return False
    return True


def _range(
    text: str, d1: Draft, d2: Draft, gap: re.Match[str], lex: NumberLexicon
) -> list[Draft] | None:
    before = text[max(0, d1.start - 12) : d1.start]
    opener = lex.range_open.search(before)
    word = opener.group("w").lower() if opener else None
    if gap.group("and") and word != "between":
        return None
    if gap.group(0).strip().lower() == "or" and re.search(r"(?i:either)\s+$", before):
        return None  # 'either 10 bln or 10 tln': two options, not a range
    if re.search(r"(?<![\w])(?i:by)\s+$", before):
        return None  # 'raised rates by 0.5% to 1.75%': a change and the level it reached
    hyphen = gap.group(0).strip() in ("-", "–", "—", "~", "‐", "‑")
    if hyphen and d1.is_words and d2.is_words:
        return None  # 'three-nought-four' is read digit by digit
    if not hyphen and word != "between" and _changes(text, d1, lex):
        return None  # 'rose from 5% to 7%' states two figures
    forms = {d1.form, d2.form}
    if (
        not forms <= {"number", "money", "percent", "percentage_point"}
        or len(forms - {"number"}) > 1
    ):
        return None
    if d1.currency and d2.currency and d1.currency != d2.currency:
        return None
    lo, hi = d1.value or 0.0, d2.value or 0.0
    if _year_like(text, d1, lex) and (_year_like(text, d2, lex) or _short_year(text, d1, d2)):
        if _short_year(text, d1, d2) and hyphen:
            return [replace(d1, end=d2.end, form="year", bounds=(lo, lo + 1.0))]
        return None
    if d1.scale == 1 and d2.scale > 1 and lo * d2.scale <= hi:
        lo *= d2.scale  # '$5-7 billion', '5 to 7 million'
    if lo >= hi:
        if (
            hyphen
            and d1.plain
            and d2.plain
            and d1.currency is None
            and d1.form == d2.form == "number"
        ):
            # 'voted 314-117', 'a 222-213 majority': a vote's two sides are two counts; a
            # match's score ('3-1') is no quantity.
            return None if _VOTE_NEAR.search(_around(text, d1.start, d2.end)) else []
        return None
    form_of = (forms - {"number"}) or {"number"}
    d = replace(
        d1,
        end=d2.end,
        nend=d2.nend,
        value=None,
        form="range",
        bounds=(lo, hi),
        currency=d1.currency or d2.currency,
        is_words=d1.is_words and d2.is_words,
        unit_suffix=d2.unit_suffix or ("%" if form_of & {"percent", "percentage_point"} else None),
    )
    if opener is not None and word in ("between", "from"):
        d.start = d1.start - len(before) + opener.start()
        d.qualifier = opener.group("w")
    return [d]


def _short_year(text: str, d1: Draft, d2: Draft) -> bool:
    """'2020-21': a year and the last two digits of the next one."""
    short = text[d2.nstart : d2.nend]
    return len(short) == 2 and short.isdigit() and int(short) == ((d1.value or 0) + 1) % 100


def _changes(text: str, d1: Draft, lex: NumberLexicon) -> bool:
    before = text[max(0, d1.start - 50) : d1.start]
    if (q := lex.qual_before.search(before)) is not None:
        before = before[: q.start()]  # 'up to 10,000 to 15,000': this 'up' is no change
    # Hyphenated words whole: the 'up' of 'runner-up' is no change.
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", before.lower())[-5:]
    return any(w in lex.sets["change_verbs"] for w in words)


# -- qualifiers and years -------------------------------------------------------------------------


def qualify(text: str, d: Draft, lex: NumberLexicon) -> None:
    """A hedge before or after the figure. A range takes only a one-sided one ('up to
    10,000-15,000' may be fewer than 10,000); 'about 10-15' is the range itself."""
    if d.form in ("vague", "year", "ordinal") or d.qualifier:
        return
    window = max(0, d.start - 40)
    m = lex.qual_before.search(text[window : d.start])
    if m is not None:
        q = m.group("q") or m.group("s")
        over = q.lower() == "over" and _over_is_not_more(text, window + m.start(), d, lex)
        up = q.lower().startswith("up") and _after_change_verb(text, window + m.start(), lex)
        if not over and not up and _fits(d, q, lex):
            d.qualifier, d.start = q, window + m.start()
            return
    m = lex.qual_after.match(text[d.end : d.end + 30])
    if m is not None and _fits(d, q := m.group("q") or m.group("s"), lex):
        d.qualifier, d.end = q, d.end + m.end()


def _after_change_verb(text: str, at: int, lex: NumberLexicon) -> bool:
    """'has gone up to 34', 'shot up to 631': the 'up' belongs to the verb; the figure is the
    level reached, not an upper bound."""
    prev = re.search(r"([^\W\d_]+)\s*$", text[max(0, at - 20) : at])
    return prev is not None and prev.group(1).lower() in lex.sets["up_particle_verbs"]


def _fits(d: Draft, qualifier: str, lex: NumberLexicon) -> bool:
    if d.form != "range":
        return True
    return lex.qual_types.get(" ".join(qualifier.lower().split())) in ONE_SIDED


def _over_is_not_more(text: str, at: int, d: Draft, lex: NumberLexicon) -> bool:
    """'over 3 years' (a span of time) and 'handed over 50 tanks' (a particle) are not 'more than'."""
    prev = re.search(r"([^\W\d_]+)\s*$", text[max(0, at - 20) : at])
    prev_word = prev.group(1).lower() if prev else ""
    if prev_word in lex.sets["over_particles"]:
        return True
    nxt = re.match(r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?", text[d.end : d.end + 30])
    if not nxt or nxt.group(1).lower() not in lex.sets["time_units"]:
        return False
    return prev_word != "for" and (nxt.group(2) or "").lower() != "old"  # 'over 30 years old'


def _year_like(text: str, d: Draft, lex: NumberLexicon) -> bool:
    lo, hi = lex.year_range
    return (
        d.plain
        and d.form == "number"
        and d.scale == 1
        and d.currency is None
        and len(text[d.nstart : d.nend]) == 4
        and lo <= (d.value or 0) <= hi
    )


def mark_year(text: str, d: Draft, lex: NumberLexicon) -> None:
    """A bare four-digit number in the year range is a year, unless it counts something: with no
    year preposition before it, a number before a count word ('1550 people') or a round hundred
    before a plural noun ('2000 troops'; but 'the 2014 elections' is a year)."""
    if d.qualifier or d.unit_suffix or not _year_like(text, d, lex):
        return
    prev = re.search(r"([^\W\d_]+|\()[\s'’-]*$", text[max(0, d.start - 20) : d.start])
    prev_word = prev.group(1).lower() if prev else ""
    if prev_word not in lex.sets["year_prepositions"] and prev_word != "(":
        nxt = re.match(r"\s+([^\W\d_]+)", text[d.end : d.end + 24])
        word = nxt.group(1) if nxt else ""
        if word.lower() in lex.sets["count_words"]:
            return
        plural = word.islower() and word.endswith("s") and not word.endswith("ss") and len(word) > 3
        if plural and (d.value or 0) % 100 == 0:
            return
    d.form = "year"


_VOTE_NEAR = re.compile(r"(?i)\b(?:vot(?:e|es|ed|ing)|ballots?|majority)\b")
_VOTE_REACH = 30  # characters either side of a tally in which a vote is named


def _around(text: str, start: int, end: int) -> str:
    return text[max(0, start - _VOTE_REACH) : start] + " " + text[end : end + _VOTE_REACH]
