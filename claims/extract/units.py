"""Units of measure: what a unit word names, and its factor to the SI base unit of its measure.

``claims/data/units.json`` lists the units news writes ('km', 'miles', 'mph', 'tonnes', 'TEU')
with the name pint knows each by; pint (a maintained units library, not a hand table)
converts each to SI base units. A claim stores the unit as written (normalised: 'mile'), its
measure (the base unit: 'metre', 'metre / second', 'kilogram', 'metre ** 2') and the factor
(``measure_factor``: a mile is 1609.344 metres), so '5 miles' and '8 km' compare in metres.
Durations are measured in days. Scales that are not physical units ('magnitude', 'TEU', the
Saffir-Simpson category) and temperatures (an offset, not a factor) are their own measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from claims.settings import DATA_DIR
from claims.wordlists import Units, load

if TYPE_CHECKING:
    import pint

DURATION_MEASURE = "day"


@dataclass(frozen=True)
class Unit:
    """A unit as a claim stores it."""

    name: str  # 'mile'
    measure: str  # 'metre'
    factor: float  # value x factor is in ``measure``
    duration: bool = False


@lru_cache(maxsize=1)
def _registry() -> pint.UnitRegistry:
    import pint  # half a second to build: only extraction pays for it, once per process

    return pint.UnitRegistry()


def _base(pint_name: str, scale: float) -> tuple[str, float]:
    q = _registry().Quantity(scale, pint_name).to_base_units()
    name = str(q.units).replace("meter", "metre")
    return name, float(q.magnitude)


@lru_cache(maxsize=4)
def _table(data_dir: Path = DATA_DIR) -> tuple[dict[str, Unit], frozenset[str]]:
    data = load(Units, data_dir)
    out: dict[str, Unit] = {}
    for section, duration in ((data.units, False), (data.durations, True)):
        for name, spec in section.items():
            if spec["pint"] is None:
                unit = Unit(name, name, 1.0)
            elif duration:
                q = _registry().Quantity(float(spec.get("scale", 1.0)), spec["pint"]).to("day")
                unit = Unit(name, DURATION_MEASURE, float(q.magnitude), True)
            else:
                measure, factor = _base(spec["pint"], float(spec.get("scale", 1.0)))
                unit = Unit(name, measure, factor)
            for form in spec["forms"]:
                out.setdefault(form.lower(), unit)
            out.setdefault(name.lower(), unit)
    return out, frozenset(data.calibre_nouns)


def lookup(word: str | None, data_dir: Path = DATA_DIR) -> Unit | None:
    """The unit ``word`` names ('miles', 'km/h', 'kilometres per hour'), or None."""
    if not word:
        return None
    key = " ".join(word.lower().replace("‐", "-").split())
    return _table(data_dir)[0].get(key)


def is_calibre_noun(word: str, data_dir: Path = DATA_DIR) -> bool:
    return word.lower() in _table(data_dir)[1]


def scale_before(word: str, data_dir: Path = DATA_DIR) -> str | None:
    """'Category 4', 'magnitude 6.1': the scale a word before a figure names, or None."""
    return load(Units, data_dir).scale_before.get(word.lower())
