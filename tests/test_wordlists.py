"""The word lists of claims/data: every file validates, and a broken copy is one line naming the
file and the key, from the library and from `claims run`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from claims.errors import DataFileError
from claims.settings import DATA_DIR
from claims.wordlists import FILES, DataFile, Extract, Predicates, Time, Units, load

REPO = Path(__file__).resolve().parents[1]


def broken_copy(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], object]) -> Path:
    """A copy of claims/data whose file ``name`` went through ``change`` (or is its result,
    when ``change`` returns text)."""
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / name
    data = json.loads(path.read_text(encoding="utf-8"))
    result = change(data)
    path.write_text(result if isinstance(result, str) else json.dumps(data), encoding="utf-8")
    return data_dir


@pytest.mark.parametrize("model", FILES, ids=lambda m: m.file)
def test_each_data_file_validates_against_its_model(model: type[DataFile]) -> None:
    loaded = load(model, DATA_DIR)
    assert isinstance(loaded, model) and loaded.about


def test_every_data_file_has_a_model() -> None:
    assert {p.name for p in DATA_DIR.glob("*.json")} == {m.file for m in FILES}


@pytest.mark.parametrize(
    ("model", "change", "expected"),
    [
        (Extract, lambda d: d.pop("rate_words"), "extract.json: rate_words: missing"),
        (
            Extract,
            lambda d: d.update(rate_word=["per"]),
            "extract.json: rate_word: not a key this file has (a typo?)",
        ),
        (
            Units,
            lambda d: d["units"]["mile"].update(forms="mi"),
            'units.json: units.mile.forms: should be a list, not "mi"',
        ),
        (
            Predicates,
            lambda d: d["predicates"]["annex"].update(verb=["annex"]),
            "predicates.json: predicates.annex.verb: not a key this file has (a typo?)",
        ),
        (
            Time,
            lambda d: d["months"].update(january="one"),
            'time.json: months.january: should be a whole number, not "one"',
        ),
        (Time, lambda d: '{"months": ', "time.json: not valid JSON: Expecting value"),
    ],
    ids=["missing", "typo", "wrong-type", "nested-typo", "not-a-number", "not-json"],
)
def test_a_broken_data_file_is_one_line_naming_the_file_and_the_key(
    tmp_path: Path,
    model: type[DataFile],
    change: Callable[[dict[str, Any]], object],
    expected: str,
) -> None:
    data_dir = broken_copy(tmp_path, model.file, change)
    with pytest.raises(DataFileError) as caught:
        load(model, data_dir)
    message = str(caught.value)
    assert message.startswith(str(data_dir / model.file) + ": ")
    assert expected in message and "\n" not in message


def test_a_missing_data_file_is_named(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    (data_dir / "units.json").unlink()
    with pytest.raises(DataFileError, match=r"units\.json: missing"):
        load(Units, data_dir)


def test_claims_run_refuses_a_broken_data_file_in_one_line_before_reading_anything(
    tmp_path: Path,
) -> None:
    data_dir = broken_copy(
        tmp_path, "units.json", lambda d: d.update(scale_befor=d.pop("scale_before"))
    )
    broken = data_dir / "units.json"
    db = tmp_path / "claims.duckdb"
    done = subprocess.run(
        [sys.executable, "-m", "claims.cli", "run", str(REPO / "seeds"), "--db", str(db)],
        env={"PATH": "/usr/bin:/bin", "CLAIMS_DATA_DIR": str(data_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"claims: error: {broken}: scale_befor: not a key this file has (a typo?) (and 1 more)\n"
    )
    assert not db.exists()
