"""The word lists of ``claims/data/*.json``, one pydantic model per file, validated when read.

A file may document itself: ``about``, ``notes`` and any ``<key>_about`` text are allowed beside
the keys its model names; anything else, a missing key or a value of the wrong type is a
``DataFileError`` naming the file and the key. Lists keep their order (regular expressions are
built from some of them); the extractor's rules are sets, as it only looks words up in them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, NotRequired, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator, with_config
from typing_extensions import TypedDict

from claims.errors import DataFileError
from claims.settings import DATA_DIR

Words = tuple[str, ...]
STRICT = ConfigDict(extra="forbid")


class DataFile(BaseModel):
    """One file of ``claims/data``; ``file`` is its name."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    file: ClassVar[str]

    about: str = ""
    notes: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _documentation(cls, data: Any) -> Any:
        # Keys that explain another key ("facets_about") are for the people who edit the file.
        if isinstance(data, dict):
            return {
                k: v for k, v in data.items() if not (k.endswith("_about") and isinstance(v, str))
            }
        return data


class Attribution(DataFile):
    """Who asserts a claim: speech verbs, "according to", report nouns, pronouns, quotes."""

    file = "attribution.json"
    speech_verbs: frozenset[str]
    according_to: tuple[str, str]
    report_nouns: frozenset[str]
    pronouns: dict[str, Words]
    quote_chars: dict[str, Words]
    speaker_labels: frozenset[str]
    clause_verbs: frozenset[str]


class Counted(DataFile):
    """What a figure counts, read around it in its sentence."""

    file = "counted.json"
    person_units: Words
    outcome_measures: dict[str, str]
    outcomes: dict[str, Words]
    facets: dict[str, dict[str, Words]]
    change_before: Words
    change_after: Words
    estimate_words: Words
    projection_words: Words
    fixed_measures: Words
    fixed_kinds: Words
    presumed_dead: Words
    moving_units: Words
    age_words: Words
    fixed_money: Words
    context_words: int
    past_years: int
    facet_kinds: dict[str, Words]
    facet_distance: int
    people_nouns: Words
    listed_people: Words
    clause_breaks: Words
    not_names: Words
    unit_outcomes: dict[str, str]
    speech_verbs: Words
    part_before: Words
    part_after: Words
    slow_measures: Words
    cumulative_outcomes: Words
    provisional_words: Words
    periodic_series: Words
    plan_verbs: Words


class Crosscheck(DataFile):
    """Word lists and fitted weights of cross-document checking."""

    file = "crosscheck.json"
    term_roles: dict[str, str]
    entity_labels: Words
    plain_prefixes: Words
    role_rules: dict[str, str]
    place_nouns: Words
    category_nouns: Words
    demonyms: dict[str, str]
    spellings: dict[str, str]
    aliases: dict[str, str]
    articles: Words
    stopwords: Words
    story_stopwords: Words
    skip_kinds: Words
    pronouns: Words
    once_predicates: Words
    score: dict[str, float]
    pair_weights: dict[str, float]
    pair_thresholds: dict[str, float]


class Currencies(DataFile):
    """How money is written around a number, beyond what ISO 4217 and CLDR give."""

    file = "currencies.json"
    symbols: dict[str, str]
    dollar_prefixes: dict[str, str]
    dollar_prefixes_exact: dict[str, str]
    codes: Words
    codes_any_case: Words
    words: dict[str, str]
    scaled_only_words: dict[str, str]
    not_money_after: dict[str, Words]
    minor_glued: dict[str, tuple[str, float]]
    codes_not_currency: Words
    symbols_not_currency: Words
    minor: dict[str, tuple[str, float]]


class Extract(DataFile):
    """The extractor's rules: which words make a figure a claim, and of what."""

    file = "extract.json"
    kinds: dict[str, str]
    drop_forms: frozenset[str]
    name_labels: frozenset[str]
    key_term_labels: frozenset[str]
    locative_preps: frozenset[str]
    not_locative: frozenset[str]
    verb_arg_preps: frozenset[str]
    transparent_verbs: frozenset[str]
    time_units: dict[str, str]
    measure_units: frozenset[str]
    percent_units: frozenset[str]
    collective_nouns: frozenset[str]
    percent_nouns: frozenset[str]
    container_nouns: frozenset[str]
    toll_nouns: frozenset[str]
    toll_compounds: frozenset[str]
    headline_verbs: frozenset[str]
    change_preps: frozenset[str]
    level_verbs: frozenset[str]
    not_counted: frozenset[str]
    scale_words: frozenset[str]
    referential_determiners: frozenset[str]
    referential_max: int
    event_determiners: frozenset[str]
    event_modifiers: frozenset[str]
    perfect_aux: frozenset[str]
    date_claim_preps: frozenset[str]
    date_claim_tags: frozenset[str]
    date_claim_stative: frozenset[str]
    list_markers: frozenset[str]
    list_marker_before: frozenset[str]
    list_marker_after: frozenset[str]
    quoted_name_max_words: int
    furniture_words: frozenset[str]
    date_preps: frozenset[str]
    date_not_events: frozenset[str]
    event_nouns: frozenset[str]
    period_nouns: frozenset[str]
    date_deadlines: frozenset[str]
    year_date_preps: frozenset[str]
    future_aux: frozenset[str]
    projection_words: frozenset[str]
    day_nouns: frozenset[str]
    record_words: frozenset[str]
    date_qualifiers: frozenset[str]
    date_qualifiers_upper: frozenset[str]
    date_qualifiers_lower: frozenset[str]
    state_adverbs: frozenset[str]
    state_words: frozenset[str]
    state_verbs: dict[str, str]
    person_verbs: frozenset[str]
    settlement_nouns: frozenset[str]
    series_nouns: frozenset[str]
    ordinal_idioms: frozenset[str]
    rank_verbs: frozenset[str]
    rank_nouns: frozenset[str]
    baseline_nouns: frozenset[str]
    change_before: frozenset[str]
    change_nouns: frozenset[str]
    change_lemmas: frozenset[str]
    reach_verbs: frozenset[str]
    gain_verbs: frozenset[str]
    share_verbs: frozenset[str]
    condition_marks: frozenset[str]
    denial_lemmas: frozenset[str]
    revision_lemmas: frozenset[str]
    count_raise_verbs: frozenset[str]
    projection_nouns: frozenset[str]
    point_suffixes: frozenset[str]
    not_suffix_units: frozenset[str]
    poll_nouns: frozenset[str]
    voting_nouns: frozenset[str]
    vote_words: frozenset[str]
    duration_hedges: frozenset[str]
    duration_after: frozenset[str]
    duration_before: frozenset[str]
    rate_words: frozenset[str]
    set_adjectives: frozenset[str]
    spelling: dict[str, str]
    spelling_suffixes: tuple[tuple[str, str], ...]


class Numbers(DataFile):
    """The number finder's words: number words, scales, ordinals, vague amounts, idioms."""

    file = "numbers.json"
    units: dict[str, int]
    teens: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    plural_scales: dict[str, int]
    ordinals: dict[str, int]
    fraction_words: dict[str, int]
    not_denominators: Words
    scale_abbreviations: dict[str, int]
    spaced_scale_abbreviations: Words
    ambiguous_m: Words
    ordinal_suffixes: Words
    negative_words: Words
    multiplier_words: dict[str, int]
    times_followers: Words
    unit_suffixes: Words
    hyphen_idioms: Words
    suffix_tails: Words
    allowed_prefixes: Words
    vague: dict[str, tuple[int, int]]
    vague_quantifiers: dict[str, tuple[int, int]]
    vague_singular_scales: dict[str, int]
    document_nouns: dict[str, Words]
    document_markers: Words
    months: Words
    year_range: tuple[int, int]
    year_prepositions: Words
    count_words: Words
    time_units: Words
    change_verbs: Words
    period_words: Words
    pronoun_one_before: Words
    pronoun_one_after: Words
    list_marker_words: Words
    customary_denominators: tuple[int, ...]
    proportion_connectors: Words
    over_particles: Words
    pronoun_one_determiners: Words
    street_words: Words
    emergency_numbers: Words
    emergency_followers: Words
    pronoun_one_after_at: Words
    up_particle_verbs: Words


@with_config(STRICT)
class LightVerb(TypedDict):
    """'make a visit to X': a verb whose noun carries the predicate."""

    verb: str
    nouns: Words
    object_preps: Words
    irregular: NotRequired[Words]


@with_config(STRICT)
class PredicateSpec(TypedDict):
    """How one predicate is written: its verbs and nouns, and where its object and place go."""

    verbs: Words
    nouns: NotRequired[Words]
    irregular: NotRequired[Words]
    common_objects: NotRequired[Words]
    place_preps: NotRequired[Words]
    object_labels: NotRequired[Words]
    object_preps: NotRequired[Words]
    noun_object_preps: NotRequired[Words]
    noun_subject_preps: NotRequired[Words]
    require_object_prep: NotRequired[bool]
    light_verbs: NotRequired[tuple[LightVerb, ...]]
    place_as_object: NotRequired[str]


@with_config(STRICT)
class RelationalNoun(TypedDict):
    """'X's status as Y': a noun relating its possessor to what follows it."""

    nouns: Words
    preps: Words
    subject: Words


class Predicates(DataFile):
    """The relations extracted as factual claims, and the words around them."""

    file = "predicates.json"
    predicates: dict[str, PredicateSpec]
    relational_nouns: dict[str, RelationalNoun]
    copulas: Words
    object_classes: dict[str, Words]
    entity_labels: Words
    place_labels: Words
    group_labels: Words
    group_nouns: Words
    container_nouns: Words
    title_words: Words
    descriptor_labels: Words
    relative_pronouns: Words
    time_preps: Words
    year_pattern: str
    time_pattern: str
    hedge_auxiliaries: Words
    reported_future: Words
    conditional_marks: Words
    hypothetical_modifiers: Words
    irrealis_governors: Words


@with_config(STRICT)
class IntervalRule(TypedDict):
    """The ends of the interval a kind of qualifier asserts: ``x``, ``none``, ``zero`` or a
    ``Settings`` factor's name."""

    low: str
    high: str
    low_inclusive: bool
    high_inclusive: bool


class Qualifiers(DataFile):
    """Hedge words around a number and the interval each kind asserts."""

    file = "qualifiers.json"
    types: dict[str, IntervalRule]
    before: dict[str, str]
    after: dict[str, str]
    range_words: dict[str, str]
    range_separators: Words


class Synonyms(DataFile):
    """Synonym classes of measured nouns: a class name and the lemmas that mean it."""

    file = "synonyms.json"
    classes: dict[str, Words]


@with_config(STRICT)
class TimePattern(TypedDict):
    """A time expression: its regular expression (with ``{MONTH}``-style slots), how it
    resolves to dates and the scope it gives."""

    name: str
    regex: str
    resolve: str
    scope: NotRequired[str]
    needs: NotRequired[tuple[str, ...]]  # expressions every match contains


class Time(DataFile):
    """Time expressions that give a claim its time scope."""

    file = "time.json"
    months: dict[str, int]
    weekdays: dict[str, int]
    units: dict[str, str]
    counts: dict[str, int]
    patterns: tuple[TimePattern, ...]
    day_words: dict[str, int]
    lead_resolvers: Words
    lead_passages: int
    lead_min_words: int


@with_config(STRICT)
class UnitSpec(TypedDict):
    """A unit as news writes it: its pint name (None: a unit of its own), scale and forms."""

    pint: str | None
    forms: Words
    scale: NotRequired[float]


class Units(DataFile):
    """Units of measure and durations, the scales named before a figure, calibre nouns."""

    file = "units.json"
    units: dict[str, UnitSpec]
    durations: dict[str, UnitSpec]
    scale_before: dict[str, str]
    calibre_nouns: Words


FILES: tuple[type[DataFile], ...] = (
    Attribution,
    Counted,
    Crosscheck,
    Currencies,
    Extract,
    Numbers,
    Predicates,
    Qualifiers,
    Synonyms,
    Time,
    Units,
)
M = TypeVar("M", bound=DataFile)


def load(model: type[M], data_dir: Path = DATA_DIR) -> M:
    """``data_dir``'s file of ``model``, validated; loaded once per process and folder."""
    loaded = _load(model, data_dir)
    assert isinstance(loaded, model)
    return loaded


@lru_cache(maxsize=64)
def _load(model: type[DataFile], data_dir: Path) -> DataFile:
    path = Path(data_dir) / model.file
    try:
        raw = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise DataFileError(f"{path}: missing; every file of claims/data is needed") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(f"{path}: cannot be read ({e})") from None
    except json.JSONDecodeError as e:
        raise DataFileError(f"{path}: not valid JSON: {e}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        raise DataFileError(f"{path}: {_first_problem(e)}") from None


def check_all(data_dir: Path = DATA_DIR) -> None:
    """Read every file of ``data_dir`` the models name; the first bad one raises."""
    for model in FILES:
        load(model, data_dir)


# pydantic's error types in the words of someone editing a JSON file.
_JSON_WORDS = {
    "missing": "missing",
    "extra_forbidden": "not a key this file has (a typo?)",
    "tuple_type": "should be a list",
    "list_type": "should be a list",
    "frozen_set_type": "should be a list",
    "too_short": "has too few items",
    "too_long": "has too many items",
    "dict_type": "should be an object",
    "string_type": "should be a string",
    "int_type": "should be a whole number",
    "int_parsing": "should be a whole number",
    "int_from_float": "should be a whole number",
    "float_type": "should be a number",
    "float_parsing": "should be a number",
    "bool_type": "should be true or false",
    "bool_parsing": "should be true or false",
}


def _first_problem(error: ValidationError) -> str:
    problems = error.errors(include_url=False)
    # A misspelt key is also a missing one; the misspelling says more.
    first = min(problems, key=lambda p: p["type"] != "extra_forbidden")
    key = ".".join(str(part) for part in first["loc"]) or "(the file)"
    message = _JSON_WORDS.get(first["type"], first["msg"])
    if first["type"] not in ("missing", "extra_forbidden") and "input" in first:
        message += f", not {_shown(first['input'])}"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{key}: {message}{more}"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"
