"""Word lists kept as data (``claims/data/*.json``), loaded once per process."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from claims.settings import DATA_DIR


@lru_cache(maxsize=16)
def load_json(name: str, data_dir: Path = DATA_DIR) -> dict:
    """Read ``data_dir/name``; the file is the single source of that word list."""
    with (data_dir / name).open(encoding="utf-8") as f:
        data: dict = json.load(f)
    return data


@lru_cache(maxsize=16)
def synonym_index(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Map every lemma in ``synonyms.json`` to its class name."""
    index: dict[str, str] = {}
    for cls, words in load_json("synonyms.json", data_dir)["classes"].items():
        index[cls] = cls
        for word in words:
            index.setdefault(word.lower(), cls)
    return index


def measure_for(unit: str | None, data_dir: Path = DATA_DIR) -> str | None:
    """The synonym class of a unit lemma; an unknown unit is its own class.

    Multi-word units fall back to their last word ("allied nation" -> nation -> country), since
    in English noun phrases the head comes last.
    """
    if not unit:
        return None
    key = " ".join(unit.lower().split())
    index = synonym_index(data_dir)
    if key in index:
        return index[key]
    head = key.rsplit(" ", 1)[-1]
    # Unknown units keep their spelling so ISO currency codes stay upper case.
    return index.get(head, " ".join(unit.split()))
