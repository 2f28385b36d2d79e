"""A run on Prefect's temporary API: the model loads while the API starts, the gate's library is
imported only when the gate runs, and `--timings` says where the seconds went.

The other CLI tests run against the session's Prefect API (``PREFECT_API_URL``); these run
`claims` with none configured, as `make demo` does, so that the run starts its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cliruns import RUN_TIMEOUT, SEEDS, World, state

pytestmark = pytest.mark.slow

# `claims run`, then whether Great Expectations was imported into the process.
RUN_AND_REPORT_IMPORTS = """
import sys
from claims.cli import main
code = main(sys.argv[1:])
print("great_expectations imported:", "great_expectations" in sys.modules)
sys.exit(code)
"""


def run_without_api(db: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAIMS_", "PREFECT_"))}
    env.update(
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
        PREFECT_HOME=str(home),
    )
    argv = ["run", str(SEEDS), "--db", str(db), "--reports", str(db.parent / "reports")]
    return subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT_IMPORTS, *argv, "--timings"],
        env=env,
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )


def phases(stderr: str) -> set[str]:
    return {line.rsplit(None, 3)[0] for line in stderr.splitlines() if line.count(".") >= 3}


def test_a_run_on_its_own_api_publishes_the_same_and_skips_the_gates_import_when_unchanged(
    tmp_path: Path, world: World
) -> None:
    """It loads the model while its temporary API starts, publishes what a run on a running API
    publishes, and a second run (nothing changed) never imports Great Expectations."""
    db = tmp_path / "own-api.duckdb"
    fresh = run_without_api(db, tmp_path / "prefect-home")
    assert fresh.returncode == 0, fresh.stderr
    assert "great_expectations imported: True" in fresh.stdout
    assert {
        "Prefect API start",
        "load the extractor and model",
        "wait for the Prefect API",
        "flow run",
        "task extract",
        "task validate",
        "import great_expectations",
        "total since claims was imported",
    } <= phases(fresh.stderr), fresh.stderr
    assert state(db).tables == world.before.tables

    again = run_without_api(db, tmp_path / "prefect-home")
    assert again.returncode == 0, again.stderr
    assert "gate       not run: nothing changed" in again.stdout
    assert "great_expectations imported: False" in again.stdout
    assert "import great_expectations" not in phases(again.stderr)
    assert "task validate" not in phases(again.stderr)
    assert state(db).tables == world.before.tables


def test_timings_are_not_printed_unless_asked(tmp_path: Path, world: World) -> None:
    """Without --timings a run prints its summary and no table of phases."""
    db = tmp_path / "quiet.duckdb"
    done = world.cli.run(SEEDS, db)
    assert done.returncode == 0, done.stderr
    assert "flow run" not in done.stderr and "task extract" not in done.stderr
