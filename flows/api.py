"""Prefect's temporary API, started by ``claims run`` before Prefect itself is imported.

Without a configured API, Prefect starts a temporary one (an uvicorn process serving
``prefect.server.api.server:create_app``) when the flow begins; to do so it first imports the
server's code into the calling process (seconds of CPU the run never uses) and only then starts
the server, whose own boot takes seconds more. Started here, with the command Prefect uses, the
server boots from the run's first moment, side by side with the run importing Prefect and
loading the spaCy model; the run then points Prefect at it (``PREFECT_API_URL``) and stops it
when the process exits, after Prefect's own exit handlers have sent what they hold.

This module imports nothing of Prefect: that is its point.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from claims import timings
from claims.errors import ClaimsError

# Prefect's own exit code for "the port was taken meanwhile": it then tries another port too.
PORT_TAKEN = 3
POLL_S = 0.05
STOP_GRACE_S = 5.0
# Where Prefect may read an API URL from besides the environment; when one of these could hold
# Prefect settings, Prefect is asked instead (after its import).
_PROFILE_KEYS = ("PREFECT_API_URL", "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "PREFECT_PROFILE")


def wanted() -> bool:
    """Whether a run would get Prefect's temporary API, decided without importing Prefect:
    no ``PREFECT_API_URL`` in the environment and no settings file that could name one (a
    ``.env``, ``prefect.toml`` or ``pyproject.toml`` with Prefect settings in the working
    folder, a profile setting it). When unsure, False: Prefect decides, as before."""
    env = os.environ
    if env.get("PREFECT_API_URL") or any(k in env for k in _PROFILE_KEYS[1:]):
        return False
    if Path(".env").exists() or Path("prefect.toml").exists():
        return False
    with contextlib.suppress(OSError):
        if "tool.prefect" in Path("pyproject.toml").read_text("utf-8"):
            return False
    home = Path(env.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    profiles = Path(env.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    with contextlib.suppress(OSError):
        text = profiles.read_text("utf-8")
        if any(key in text for key in _PROFILE_KEYS):
            return False
    return importlib.util.find_spec("prefect") is not None


class TemporaryApi:
    """Prefect's temporary API server in a process of its own, started at once; ``wait()``
    before the flow runs. Its URL is exported as ``PREFECT_API_URL`` for Prefect to find."""

    def __init__(self) -> None:
        self.booting = threading.Event()
        self.booting.set()  # this process has nothing left to do for the server to boot
        self._failed: list[BaseException] = []
        self.process = self._spawn()
        os.environ["PREFECT_API_URL"] = self.url
        # Registered before Prefect is imported, so it runs after Prefect's own exit handlers
        # (last in, first out): they send the run's last logs and events to this server.
        atexit.register(self.stop)
        self._thread = threading.Thread(target=self._until_healthy, name="prefect-api", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        spec = importlib.util.find_spec("prefect")
        assert spec is not None and spec.submodule_search_locations
        package = Path(next(iter(spec.submodule_search_locations)))
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        # As prefect.server.api.server.SubprocessASGIServer runs it (no UI, ephemeral).
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(package.parent),
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env={
                **{k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"},
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
            },
            stdin=subprocess.DEVNULL,
        )

    def _until_healthy(self) -> None:
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 20))
        deadline = time.monotonic() + timeout
        try:
            with timings.phase("Prefect API start"):
                while True:
                    code = self.process.poll()
                    if code == PORT_TAKEN:
                        self.process = self._spawn()
                        os.environ["PREFECT_API_URL"] = self.url
                    elif code is not None:
                        raise ClaimsError(
                            f"Prefect's temporary API server exited with code {code} before it "
                            "answered; set PREFECT_API_URL to a running Prefect server instead"
                        )
                    if _healthy(self.url):
                        return
                    if time.monotonic() > deadline:
                        raise ClaimsError(
                            f"Prefect's temporary API server did not answer within {timeout:.0f} s "
                            "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)"
                        )
                    time.sleep(POLL_S)
        except BaseException as e:
            self._failed.append(e)

    def wait(self) -> None:
        """Block until the API answers; raise what stopped it."""
        self._thread.join()
        if self._failed:
            raise self._failed[0]

    def stop(self) -> None:
        """End the server (SIGTERM, then SIGKILL after a grace period)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
