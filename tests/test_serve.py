"""Scheduled runs against a real Prefect server on 127.0.0.1.

The module starts `prefect server start` (SQLite, its own PREFECT_HOME) on a free port, then
(1) deploys prefect.yaml to it and (2) serves the flow with `claims serve --interval`, drops a
new article into the watched folder and waits for a scheduled run to publish its claims.
Every process is started in its own session and stopped in a ``finally``; every wait is bounded.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import httpx
import pytest

from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 60
STOP_TIMEOUT_S = 15
T = TypeVar("T")

pytestmark = pytest.mark.slow

OFFLINE = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    "GX_ANALYTICS_ENABLED": "false",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(home: Path, **extra: str) -> dict[str, str]:
    """This interpreter's environment without any Prefect profile the developer has set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return {**env, **OFFLINE, "PREFECT_HOME": str(home), **extra}


@contextmanager
def started(cmd: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[Any]:
    """Run ``cmd`` in a new session; on exit stop it and everything it started."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group (the served flow runs too), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
            # Children the leader left behind still share its group id.
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(
    what: str, probe: Callable[[], T | None], timeout: float, logs: tuple[Path, ...] = ()
) -> T:
    """Poll ``probe`` until it returns something; fail with the logs' tails on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found is not None:
            return found
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{tail(p)}" for p in logs)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{tails}")


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server on 127.0.0.1; yields its API URL."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = environment(
        home,
        PREFECT_UI_ENABLED="false",
        # Schedule the served deployment's runs within seconds, not the default minute.
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",
    )
    log = home / "server.log"
    cmd = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with started(cmd, env, log, cwd=home) as proc:

        def healthy() -> bool | None:
            if proc.poll() is not None:
                pytest.fail(f"prefect server exited with {proc.returncode}\n{tail(log)}")
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200 or None
            except httpx.HTTPError:
                return None

        wait_for("the Prefect server", healthy, SERVER_START_TIMEOUT_S, (log,))
        yield api


def api_post(api: str, path: str, body: dict[str, Any]) -> Any:
    response = httpx.post(f"{api}{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def test_prefect_yaml_deploys_the_hourly_schedule(prefect_server: str, tmp_path: Path) -> None:
    """`prefect deploy --all` accepts prefect.yaml and registers the cron schedule."""
    api_post(prefect_server, "/work_pools/", {"name": "claims", "type": "process"})
    env = environment(tmp_path / "home", PREFECT_API_URL=prefect_server, PWD=str(REPO))
    result = subprocess.run(
        [str(BIN / "prefect"), "--no-prompt", "deploy", "--all"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    response = httpx.get(f"{prefect_server}/deployments/name/verify-claims/hourly", timeout=10)
    response.raise_for_status()
    deployment = response.json()
    assert [s["schedule"]["cron"] for s in deployment["schedules"]] == ["0 * * * *"]
    assert deployment["parameters"] == {"paths": ["inbox"]}
    assert deployment["work_pool_name"] == "claims"
    assert deployment["global_concurrency_limit"]["limit"] == 1


def finished_runs(api: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = api_post(
        api,
        "/flow_runs/filter",
        {
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED", "FAILED", "CRASHED"]}}},
            "sort": "START_TIME_DESC",
            "limit": 50,
        },
    )
    return runs


def started_at(run: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(run["start_time"].replace("Z", "+00:00"))


def published(db: Path) -> dict[str, Any]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "docs": dict(con.execute("SELECT doc_id, extracted_run FROM documents").fetchall()),
            "claims": dict(
                con.execute("SELECT doc_id, count(*) FROM claims GROUP BY doc_id").fetchall()
            ),
            "runs": {
                r[0]: r[1:]
                for r in con.execute(
                    "SELECT run_id, status, gate_passed, documents_extracted, documents_unchanged "
                    "FROM runs"
                ).fetchall()
            },
        }
    finally:
        con.close()


def test_served_flow_publishes_an_article_dropped_into_the_inbox(
    prefect_server: str, tmp_path: Path
) -> None:
    """A scheduled run picks up the new file, extracts only it, passes the gate and publishes."""
    first, second = sorted(SEEDS.glob("*.txt"))[:2]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(SEEDS / "manifest.yaml", inbox / "manifest.yaml")
    shutil.copyfile(first, inbox / first.name)
    db = tmp_path / "claims.duckdb"
    health_port = free_port()
    env = environment(
        tmp_path / "home",
        PREFECT_API_URL=prefect_server,
        PREFECT_RUNNER_POLL_FREQUENCY="1",
        PREFECT_RUNNER_SERVER_ENABLE="true",
        PREFECT_RUNNER_SERVER_HOST="127.0.0.1",
        PREFECT_RUNNER_SERVER_PORT=str(health_port),
    )
    log = tmp_path / "serve.log"
    cmd = [sys.executable, "-m", "claims.cli", "serve", "--interval", "5", str(inbox)]
    cmd += ["--db", str(db), "--reports", str(tmp_path / "reports")]
    with started(cmd, env, log, cwd=tmp_path) as serve:

        def completed_after(moment: datetime | None) -> dict[str, Any] | None:
            if serve.poll() is not None:
                pytest.fail(f"claims serve exited with {serve.returncode}\n{tail(log)}")
            for run in finished_runs(prefect_server):
                if moment is not None and started_at(run) <= moment:
                    continue
                if run["state"]["type"] != "COMPLETED":
                    pytest.fail(f"run {run['name']} ended {run['state']['message']}\n{tail(log)}")
                return run
            return None

        def runner_healthy() -> bool | None:
            try:
                url = f"http://127.0.0.1:{health_port}/health"
                return httpx.get(url, timeout=2).status_code == 200 or None
            except httpx.HTTPError:
                return None

        wait_for("the runner's /health", runner_healthy, RUN_TIMEOUT_S, (log,))
        baseline = wait_for("a first scheduled run", lambda: completed_after(None), RUN_TIMEOUT_S)

        # Written under a hidden name and renamed, so no run ever sees half a file.
        hidden = inbox / f".{second.name}"
        shutil.copyfile(second, hidden)
        dropped = datetime.now().astimezone()
        hidden.rename(inbox / second.name)
        run = wait_for(
            "a scheduled run after the drop",
            lambda: completed_after(max(dropped, started_at(baseline))),
            RUN_TIMEOUT_S,
            (log,),
        )
    assert "1 extracted, 1 unchanged" in run["state"]["message"], run["state"]["message"]
    # Stopped with SIGTERM: the runner stops on its loop (no "coroutine ... never awaited").
    assert serve.returncode == 0, tail(log)
    assert "never awaited" not in log.read_text(errors="replace")

    tables = published(db)
    status, gate_passed, extracted, unchanged = tables["runs"][run["id"]]
    assert (status, gate_passed, extracted, unchanged) == ("published", True, 1, 1)
    assert len(tables["docs"]) == 2
    new_doc = next(d for d, by in tables["docs"].items() if by == run["id"])
    assert tables["claims"].get(new_doc, 0) > 0
    # The first article was extracted once, by the baseline run, and carried over since.
    [old_doc] = set(tables["docs"]) - {new_doc}
    assert tables["docs"][old_doc] == baseline["id"]


# --- the serve command's own checks (no server needed) -----------------------------------------


def test_serve_defaults_to_an_hourly_cron_and_takes_an_interval() -> None:
    from datetime import timedelta

    from flows.deployments import DEFAULT_CRON, schedule

    assert DEFAULT_CRON == "0 * * * *"
    assert schedule(None, None) == {"cron": "0 * * * *"}
    assert schedule("*/15 * * * *", None) == {"cron": "*/15 * * * *"}
    assert schedule(None, 5) == {"interval": timedelta(seconds=5)}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--cron", "every hour"], "not a cron expression"),
        (["--interval", "0"], "positive number of seconds"),
        (["--workers", "0"], "at least one worker"),
    ],
)
def test_serve_refuses_a_bad_schedule_before_contacting_prefect(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from claims.cli import main

    assert main(["serve", str(SEEDS), *argv]) == 2
    assert message in capsys.readouterr().err


def test_serve_without_a_prefect_server_says_how_to_start_one(tmp_path: Path) -> None:
    env = environment(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "claims.cli", "serve", "--interval", "5", str(SEEDS)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "PREFECT_API_URL" in result.stderr and "prefect server start" in result.stderr


def test_a_deployment_gets_the_settings_the_cli_built_with_absolute_paths(
    tmp_path: Path, monkeypatch
) -> None:
    from flows.deployments import flow_parameters

    monkeypatch.chdir(tmp_path)
    settings = Settings(db=Path("news.duckdb"), batch_size=7)
    params = flow_parameters(["inbox", "wire.jsonl"], settings, ahead=4)
    assert params["paths"] == [str(tmp_path / "inbox"), str(tmp_path / "wire.jsonl")]
    assert params["extract_ahead"] == 4
    sent = params["settings"]
    assert sent["db"] == str(tmp_path / "news.duckdb")
    assert sent["reports_dir"] == str(tmp_path / "reports" / "news")
    assert sent["batch_size"] == 7
    # What a deployment run validates the parameter back into, whatever its environment says.
    monkeypatch.setenv("CLAIMS_BATCH_SIZE", "99")
    again = Settings.model_validate(sent)
    assert again.db == tmp_path / "news.duckdb" and again.batch_size == 7
    assert flow_parameters([]) == {}


# --- an unchanged inbox ------------------------------------------------------------------------


def stage_inbox(inbox: Path, settings: Any) -> Any:
    """One run's staging of ``inbox`` up to the cross-check, as the flow does it."""
    import uuid

    from claims import stages

    summary = stages.begin_run(settings, str(uuid.uuid4()), [str(inbox)])
    known = stages.published_hashes(settings)
    batch = stages.ingest_batch(stages.discover_inputs([inbox]), known, settings)
    summary = stages.stage_batch(batch, [], summary, settings)
    return stages.cross_check_staged(summary, settings)


def test_an_unchanged_inbox_stages_exactly_what_is_published(tmp_path: Path) -> None:
    """Then the gate and publish have nothing to do; any edited article makes it differ."""
    from claims import stages

    inbox = tmp_path / "inbox"
    shutil.copytree(SEEDS, inbox)
    settings = Settings(db=tmp_path / "claims.duckdb")

    first = stage_inbox(inbox, settings)
    assert not stages.staging_matches_published(settings), "nothing has been published yet"
    stages.publish_staged(settings)
    stages.finish_run(first, settings, status="published", gate_passed=True)

    stage_inbox(inbox, settings)
    assert stages.staging_matches_published(settings)

    edited = sorted(inbox.glob("*.txt"))[0]
    edited.chmod(0o644)
    edited.write_text(edited.read_text() + "\nUpdated with one more sentence.\n")
    stage_inbox(inbox, settings)
    assert not stages.staging_matches_published(settings)
