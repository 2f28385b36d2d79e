"""Currencies from ISO 4217 as Babel (the Unicode CLDR data) knows them, under the project's
own spellings.

``claims/data/currencies.json`` holds what news writes that no standard lists ('bucks',
'US$', 'Rs', 'crore'); this module adds, from Babel, every currency in use today: its code,
its English names in the singular and plural ('Egyptian pound', 'Thai baht', 'Malaysian
ringgits'), the symbol its own country writes ('Rp', 'RM', '৳', 'zł') when only one currency
uses it, and its minor unit ('2 EUR 50 cents' is 2.50 euros; the Japanese yen has none).
The hand-written entries win where both speak.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision

from claims.wordlists import Currencies


@lru_cache(maxsize=1)
def _iso() -> tuple[frozenset[str], dict[str, str], dict[str, set[str]], dict[str, int]]:
    current: set[str] = set()
    symbols: dict[str, set[str]] = {}
    for territory, history in get_global("territory_currencies").items():
        try:
            locale = Locale.parse(f"und_{territory}")
        except (UnknownLocaleError, ValueError):
            locale = None
        for code, _start, end, tender in history:
            if end is not None or not tender:
                continue
            current.add(code)
            symbol = locale.currency_symbols.get(code) if locale is not None else None
            if symbol:
                symbol = "".join(c for c in symbol if c.isprintable() and not c.isspace())
                if symbol and symbol != code:
                    symbols.setdefault(symbol, set()).add(code)
    names: dict[str, str] = {}
    english = Locale("en")
    for code in sorted(current):
        for count in (1, 2):
            name = get_currency_name(code, count=count, locale=english).lower()
            if name != code.lower():
                names.setdefault(name, code)
    precision = {code: get_currency_precision(code) for code in current}
    return frozenset(current), names, symbols, precision


def with_iso(cur: Currencies) -> tuple[Currencies, dict[str, int]]:
    """``cur`` (currencies.json) with Babel's codes, names and symbols added, and the minor
    unit digits of every current currency."""
    codes, names, symbols, precision = _iso()
    not_codes = set(cur.codes_not_currency)
    not_symbols = set(cur.symbols_not_currency)
    words = {k.lower(): v for k, v in cur.words.items()}
    scaled = {k.lower() for k in cur.scaled_only_words}
    known = set(cur.symbols) | set(cur.dollar_prefixes) | {"$"}
    extra = {
        s: next(iter(c))
        for s, c in symbols.items()
        if len(c) == 1
        and s not in known
        and s not in not_symbols
        and (len(s) >= 2 or not s.isalpha())
    }
    update = {
        "codes": (*cur.codes, *sorted(c for c in codes - set(cur.codes) - not_codes)),
        "words": {**{n: c for n, c in names.items() if n not in scaled}, **words},
        "symbols": {**{s: c for s, c in extra.items() if s not in cur.symbols}, **cur.symbols},
    }
    return cur.model_copy(update=update), precision
