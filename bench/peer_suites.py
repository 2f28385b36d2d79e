"""Score claims.extract.numbers against its peers' own test suites (shared/peer-suites).

    .venv/bin/python bench/peer_suites.py [--shared DIR] [--failures N]

For each file: the cases, the cases in scope for news, how many of those pass, and separately
how we do on the cases upstream flags NotSupported for some platform. Scope is decided by the
general rules in EXCLUDED (inputs with no news use) and DIFFERENT (where our conventions differ
on purpose); both lists are printed with the counts. A case passes when every expected result is
found with the same value (same currency for money, same interval ends for ranges) and the same
span text (case-insensitive, trimmed; a qualifier or currency of ours around it may be left out),
and, when upstream expects nothing, when we find nothing of that kind.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.extract.numbers import NumberMention, find_numbers

NUMBER_WORD = (
    r"(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand)"
)
# (name, predicate on (input, expected results)): inputs of these kinds have no use in news.
EXCLUDED: list[tuple[str, Callable[[str, list[dict]], bool]]] = [
    (
        "scientific or power notation ('1e10', '1.1^23', '1.3x10^6', '5.5x10-3')",
        lambda s, r: bool(re.search(r"\d[eE][+-]?\d|\^|\d\s*[x×]\s*10", s)),
    ),
    (
        "spoken decimals ('two hundred point zero three', 'nought point five')",
        lambda s, r: bool(re.search(rf"(?:{NUMBER_WORD}|naught|nought)\s+point\b", s, re.I)),
    ),
    (
        "arithmetic phrasing ('one over three', '2000 over 3')",
        lambda s, r: any(" over " in x.get("Text", "").lower() for x in r),
    ),
    (
        "decimal commas and dot-grouped thousands ('1,3', '5,00', '1.111,11')",
        lambda s, r: bool(re.search(r"(?<![\d,])\d+,\d{1,2}(?![\d,])|\d\.\d{3},\d", s)),
    ),
    (
        "a sign detached from its number ('- 10 k', '- 1 4/5')",
        lambda s, r: bool(re.search(r"(?:^|\s)-\s+\d", s)),
    ),
    (
        "relative ordinals ('last', 'next', 'penultimate', 'the one before the last')",
        lambda s, r: any(x.get("TypeName") == "ordinal.relative" for x in r),
    ),
    (
        "expectations without a number (a bare currency name, '%', 'percentage')",
        lambda s, r: any(x.get("Resolution", {}).get("value") in (None, "null") for x in r),
    ),
    (
        "'percent of N' read as N percent ('per cent of 210')",
        lambda s, r: any(x.get("Text", "").lower().startswith("per") for x in r),
    ),
    (
        "SI prefixes as number scales ('10G', '1,674.5 G')",
        lambda s, r: bool(re.search(r"\d\s?G\b", s)),
    ),
    (
        "a bare number as the minor part of an amount ('15 dollars 50', 'one dollar and one', "
        "'17 USD 25', 'c $ 100 and fifty')",
        lambda s, r: any(_bare_minor(x) for x in r),
    ),
    (
        "codes prefixed with M for millions ('30 MUSD', 'MAUD 60')",
        lambda s, r: bool(re.search(r"\bM(?:USD|EUR|GBP|AUD)\b", s, re.I)),
    ),
    (
        "math comparisons ('equal to 20', 'less or equal than', '>= 30', two bounds in one phrase)",
        lambda s, r: any(_math_range(x) for x in r) or bool(re.search(r"[<>]|=[<>]", s)),
    ),
    (
        "uncertainties and compound units ('±', '+/-', 'kg/cm³', 'W/min')",
        lambda s, r: bool(re.search(r"±|\+/-|[^\W\d_]/[^\W\d_]|[²³]", s)),
    ),
]
# Where our conventions differ from theirs on purpose; such cases are reported, not scored.
DIFFERENT: list[tuple[str, Callable[[str, list[dict]], bool]]] = [
    (
        "identifiers are not quantities: IP addresses, phone numbers, codes ('SCP-173'), numbers "
        "after 'nr.'/'No.', dates ('5/17/2018')",
        lambda s, r: (
            bool(r) and bool(re.search(r"\d+\.\d+\.\d+|\+\d|\b[A-Z]+-\d|\bnrs?\.|\d+/\d+/\d+", s))
        ),
    ),
    (
        "an ordinal word in a mixed number is a fraction ('forty two and a third' has no ordinal)",
        lambda s, r: any(
            re.search(rf"\band an? {re.escape(x.get('Text', ''))}\b", s)
            for x in r
            if x.get("TypeName") == "ordinal"
        ),
    ),
    (
        "a scale ordinal after a number is an ordinal or a fraction ('two millionth' is the "
        "2,000,000th, '100 millionths' is 0.0001), not the bare number before it",
        lambda s, r: (
            bool(re.search(r"\s(?:hundred|thousand|million|billion|trillion)ths?\b", s))
            and bool(r)
            and all("th" not in x.get("Text", "") for x in r)
        ),
    ),
]
NOTES = [
    "ranges are closed intervals [X, Y] (shared/CLAIMS.md); their 'between X and Y' is [X, Y): "
    "the upper end's bracket of a two-sided range is not compared",
    "'less than X' asserts [0, X): counts and amounts are not negative, so our 0 matches their "
    "open lower end",
    "times of day are not extracted (they are masked before numbers are read)",
    "NumberModel compares the numeral itself: ours without currency, percent or glued unit; "
    "numbers glued to a unit ('29km', '1m') are measures, which their NumberModel also skips",
    "Dimension and quantulum3: we read the number, the extractor reads the unit noun: a result "
    "passes when a mention with the same value lies inside the expected surface",
]
CURRENCY = {
    "dollar": ("USD", 1), "pound": ("GBP", 1), "euro": ("EUR", 1), "franc": ("CHF", 1),
    "cent": ("USD", 0.01), "pence": ("GBP", 0.01), "penny": ("GBP", 0.01),
    "peseta": ("ESP", 1), "netherlands guilder": ("NLG", 1), "finnish markka": ("FIM", 1),
    "rupee": ("INR", 1), "bitcoin": ("BTC", 1), "satoshi": ("BTC", 1e-8),
    "pound sterling": ("GBP", 1), "sen": ("SEN", 1),
}  # fmt: skip


QUANTULUM_UNITS = {
    "pound sterling": ("GBP", 1.0), "dollar": ("USD", 1.0), "euro": ("EUR", 1.0),
    "cent": ("USD", 0.01), "penny": ("GBP", 0.01), "dozen": (None, 12.0),
}  # fmt: skip


def _bare_minor(x: dict) -> bool:
    text = x.get("Text", "").lower()
    if x.get("TypeName") != "currency" or text.endswith(("cents", "cent", "pence")):
        return False
    return bool(
        re.search(
            rf"(?:dollars?|usd|kuai|mao|\$\s?[\d.]+)\s+(?:and\s+)?(?:\d+|{NUMBER_WORD}"
            rf"(?:[\s-]{NUMBER_WORD})?)$",
            text,
        )
    )


def _math_range(x: dict) -> bool:
    text = x.get("Text", "").lower()
    comparators = re.findall(r"than|equal|[<>=]|at least|at most|no more|no less|above|below", text)
    return "equal" in text or bool(re.search(r"[<>=]", text)) or len(comparators) > 1


@dataclass
class Tally:
    """Counts of one file."""

    cases: int = 0
    in_scope: int = 0
    passed: int = 0
    flagged: int = 0
    flagged_passed: int = 0
    flagged_all: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    different: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def share(self) -> float:
        return 100.0 * self.passed / self.in_scope if self.in_scope else 0.0


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def _texts(m: NumberMention, text: str) -> set[str]:
    """Ways our mention may be written in their spans: whole, numeral only, without qualifier."""
    out = {_norm(m.text), _norm(text[m.number_start : m.number_end])}
    if m.qualifier:
        q = m.qualifier
        out.add(_norm(m.text[len(q) :] if m.text.startswith(q) else m.text[: -len(q)]))
    return out


# -- per-model matching ------------------------------------------------------------------------


def _number(expected: dict, m: NumberMention, text: str) -> bool:
    value = float(expected["Resolution"]["value"])
    return _same(m.value, value) and _norm(expected["Text"]) in _texts(m, text)


def _ordinal(expected: dict, m: NumberMention, text: str) -> bool:
    return _same(m.value, float(expected["Resolution"]["value"])) and _norm(
        expected["Text"]
    ) in _texts(m, text)


def _percent(expected: dict, m: NumberMention, text: str) -> bool:
    value = float(str(expected["Resolution"]["value"]).rstrip("%"))
    return _same(m.value, value) and _norm(expected["Text"]) in _texts(m, text)


def _currency(expected: dict, m: NumberMention, text: str) -> bool:
    res = expected["Resolution"]
    code, factor = res.get("isoCurrency"), 1.0
    if not code:
        code, factor = CURRENCY.get(res.get("unit", "").lower(), (res.get("unit"), 1.0))
    value = float(res["value"]) * factor
    return (
        _same(m.value, value) and m.currency == code and _norm(expected["Text"]) in _texts(m, text)
    )


def _range(expected: dict, m: NumberMention, text: str) -> bool:
    spec = expected["Resolution"]["value"]
    lo_s, hi_s = spec[1:-1].split(",")
    lo = float(lo_s) if lo_s else None
    hi = float(hi_s) if hi_s else None
    ours_lo = None if m.low == 0 and lo is None else m.low
    if not (_same(ours_lo, lo) and _same(m.high, hi)):
        return False
    if lo is not None and hi is None and m.low_inclusive != (spec[0] == "["):
        return False
    if hi is not None and lo is None and m.high_inclusive != (spec[-1] == "]"):
        return False
    return _norm(expected["Text"]) in _texts(m, text)


def _dimension(expected: dict, m: NumberMention, text: str) -> bool:
    value = float(expected["Resolution"]["value"])
    numeral = _norm(text[m.number_start : m.number_end])
    return _same(m.value, value) and numeral in _norm(expected["Text"])


# Each suite file: how a case is checked, and which of our mentions that suite is about.
MODELS: dict[str, tuple[Callable[[dict, NumberMention, str], bool], Callable[[NumberMention], bool]]] = {
    "Number-English-NumberModel.json": (_number, lambda m: m.form not in ("ordinal", "range", "vague")
                                        and m.unit_suffix is None),
    "Number-English-OrdinalModel.json": (_ordinal, lambda m: m.form == "ordinal"),
    "Number-English-PercentModel.json": (_percent, lambda m: m.form in ("percent", "percentage_point")),
    "NumberWithUnit-English-CurrencyModel.json": (_currency, lambda m: m.form == "money"),
    "Number-English-NumberRangeModel.json": (_range, lambda m: m.form == "range" or (m.qualifier is not None
                                             and m.form != "vague")),
    "NumberWithUnit-English-DimensionModel.json": (_dimension, lambda m: m.value is not None),
}  # fmt: skip
TARGETS = ("NumberModel", "OrdinalModel", "PercentModel", "CurrencyModel")


def _scope(text: str, results: list[dict], tally: Tally) -> bool:
    text = re.sub(r"https?://\S+", " ", text)  # a URL is never read, whatever it holds
    for name, rule in EXCLUDED:
        if rule(text, results):
            tally.excluded[name] = tally.excluded.get(name, 0) + 1
            return False
    for name, rule in DIFFERENT:
        if rule(text, results):
            tally.different[name] = tally.different.get(name, 0) + 1
            return False
    return True


def score_recognizers(path: Path, keep: int) -> Tally:
    """Score one Recognizers-Text spec file."""
    match, relevant = MODELS[path.name]
    tally = Tally()
    for case in json.loads(path.read_text(encoding="utf-8-sig")):
        text, expected = case["Input"], case["Results"]
        tally.cases += 1
        flagged = bool(case.get("NotSupported") or case.get("NotSupportedByDesign"))
        tally.flagged_all += flagged
        if not _scope(text, expected, tally):
            continue
        ours = [m for m in find_numbers(text) if relevant(m)]
        if expected:
            ok = all(any(match(e, m, text) for m in ours) for e in expected)
        else:
            # Their Dimension model expects no measure; a bare number of ours is not one.
            ok = not [m for m in ours if "Dimension" not in path.name or m.unit_suffix]
        _count(tally, ok, flagged, text, expected, ours, keep)
    return tally


def score_quantulum(path: Path, keep: int) -> Tally:
    """Score one quantulum3 quantities file (values and surfaces; currency mapped to ISO)."""
    tally = Tally()
    for case in json.loads(path.read_text(encoding="utf-8-sig")):
        text, expected = case["req"], case["res"]
        tally.cases += 1
        as_results = [{"Text": r["surface"], "Resolution": {"value": r["value"]}} for r in expected]
        if not _scope(text, as_results, tally):
            continue
        ours = find_numbers(text)
        ok = (
            all(any(_quantity(e, m, text) for m in ours) for e in expected)
            if expected
            else not ours
        )
        _count(tally, ok, False, text, expected, ours, keep)
    return tally


def _quantity(expected: dict, m: NumberMention, text: str) -> bool:
    value, spread = float(expected["value"]), expected.get("uncertainty")
    numeral = _norm(text[m.number_start : m.number_end])
    if _norm(expected["surface"]).find(numeral) < 0 or not numeral:
        return False
    if spread is not None and m.form == "range":
        return _same(m.low, value - spread) and _same(m.high, value + spread)
    unit = expected.get("unit", "")
    money, factor = QUANTULUM_UNITS.get(unit, (None, 1.0))
    if money and m.currency != money:
        return False
    return _same(m.value, value * factor)


def _count(
    tally: Tally, ok: bool, flagged: bool, text: str, expected: list, ours: list, keep: int
) -> None:
    tally.in_scope += 1
    tally.passed += ok
    tally.flagged += flagged
    tally.flagged_passed += ok and flagged
    if not ok and len(tally.failures) < keep:
        got = [(m.text, m.value, m.form, m.currency, m.low, m.high) for m in ours]
        want = [
            (e.get("Text", e.get("surface")), e.get("Resolution", e).get("value")) for e in expected
        ]
        tally.failures.append(f"{text!r}\n        want {want}\n        got  {got}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared"
    )
    parser.add_argument(
        "--failures", type=int, default=0, help="print up to N failing cases per file"
    )
    args = parser.parse_args(argv)
    suites = args.shared / "peer-suites"
    if not suites.is_dir():
        print(
            f"error: no peer suites in {suites}; pass --shared DIR (the folder holding peer-suites/)"
        )
        return 2
    started = time.perf_counter()
    rows: list[tuple[str, Tally]] = []
    for path in sorted((suites / "recognizers-text").glob("*.json")):
        rows.append((path.name, score_recognizers(path, args.failures)))
    for path in sorted((suites / "quantulum3").glob("*.json")):
        rows.append((f"quantulum3/{path.name}", score_quantulum(path, args.failures)))
    for name, t in rows:
        print(f"\n== {name}")
        print(
            f"   cases {t.cases}, in scope for news {t.in_scope}, passed {t.passed} ({t.share():.1f}%)"
        )
        if t.flagged_all:
            print(
                f"   flagged NotSupported for some platform upstream: {t.flagged_all} cases, "
                f"{t.flagged} in scope, we pass {t.flagged_passed}"
            )
        for label, counts in (("excluded", t.excluded), ("deliberately different", t.different)):
            for rule, count in counts.items():
                print(f"   {label}: {count:3d}  {rule}")
        for failure in t.failures:
            print(f"   FAIL {failure}")
    print("\nConventions compared loosely on purpose:")
    for note in NOTES:
        print(f"  - {note}")
    print(f"\n{'file':45s} {'cases':>6s} {'scope':>6s} {'pass':>6s} {'share':>7s}  target")
    for name, t in rows:
        target = "95%" if any(k in name for k in TARGETS) else "-"
        print(f"{name:45s} {t.cases:6d} {t.in_scope:6d} {t.passed:6d} {t.share():6.1f}%  {target}")
    print(f"\nran in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
