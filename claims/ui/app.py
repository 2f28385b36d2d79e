"""``claims ui``: a local web app where fact-checkers review flags and record verdicts.

Server-rendered Jinja pages over the same views as the report, a little plain JavaScript for
keyboard shortcuts, no build step. Verdicts go through ``Store.record_review`` into ``reviews``,
the table ``claims review`` writes and no run replaces.

The database is shared with pipeline runs, and DuckDB lets one process write a file while no
other has it open: every request opens the file, does its work and closes it again (one request
at a time), and a request that finds a run writing waits a few seconds, then says so instead of
failing. A verdict is either recorded or the page says it was not; it is never dropped quietly.

It binds 127.0.0.1 unless told otherwise. Forms carry a per-browser token that must match a
SameSite=Strict cookie, and requests must name this server as their Host and Origin, so that
another site cannot post verdicts through a reviewer's browser. Every value is autoescaped and
the Content-Security-Policy admits only the app's own script and style.
"""

from __future__ import annotations

import hmac
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlencode

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from claims.errors import ClaimsError, LockedError, StoreError
from claims.models import VERDICTS
from claims.report.html import counted, format_number
from claims.settings import Settings
from claims.store import Store
from claims.ui import pages

HERE = Path(__file__).parent
REPORT_TEMPLATES = HERE.parent / "report" / "templates"
CSRF_COOKIE = "claims_csrf"
REVIEWER_COOKIE = "claims_reviewer"
# How long a request waits for a run to release the database before saying it is busy.
BUSY_WAIT_S = 8.0
MAX_NOTE_CHARS = 2000
MAX_NAME_CHARS = 80
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# GX Data Docs load their styles and scripts from CDNs: served here as documents only (no script
# runs, nothing is fetched), their tables and results stay readable offline.
DATA_DOCS_CSP = (
    "sandbox; default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)

T = TypeVar("T")


class Busy(Exception):
    """A run held the database for longer than a page may wait."""


def create_app(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    busy_wait: float = BUSY_WAIT_S,
) -> FastAPI:
    """The review app for ``settings.db``; ``host`` is where it is served, which the Host check
    admits; ``busy_wait`` is how long a request waits for a run to release the database."""
    app = FastAPI(title="claims review", docs_url=None, redoc_url=None, openapi_url=None)
    db = Path(settings.db)
    data_docs = Path(settings.reports_dir) / "data_docs"
    templates = _templates()
    lock = threading.Lock()
    allowed = {"127.0.0.1", "localhost", "[::1]"} | (
        {host} if host not in ("0.0.0.0", "::") else set()
    )
    app.add_middleware(
        TrustedHostMiddleware,
        allowed_hosts=["*"] if host in ("0.0.0.0", "::") else sorted(allowed),
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @contextmanager
    def store(write: bool = False) -> Iterator[Store]:
        """The database for one request, waiting briefly while a run holds it."""
        deadline = time.monotonic() + busy_wait
        with lock:
            while True:
                try:
                    # This loop is the wait: Store's own would hold the lock past busy_wait.
                    opened = Store(db, wait=0) if write else Store.reader(db)
                    break
                except LockedError:
                    if time.monotonic() > deadline:
                        raise Busy() from None
                    time.sleep(0.25)
            try:
                yield opened
            finally:
                opened.close()

    def read(fn: Callable[[Store], T]) -> T:
        with store() as s:
            return fn(s)

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        html = templates.get_template(name).render(
            request=request,
            csrf=token,
            reviewer=_reviewer(request),
            verdicts=VERDICTS,
            db=str(db),
            db_name=db.name,
            path=request.url.path,
            data_docs=(data_docs / "index.html").is_file(),
            **context,
        )
        response = HTMLResponse(html, status_code=status)
        _secure(response)
        if request.cookies.get(CSRF_COOKIE) != token:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    @app.exception_handler(Busy)
    def busy(request: Request, exc: Busy) -> HTMLResponse:
        return render(request, "busy.html.j2", status=503)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> HTMLResponse:
        return render(request, "error.html.j2", status=exc.status_code, message=str(exc.detail))

    @app.exception_handler(StoreError)
    def store_error(request: Request, exc: StoreError) -> HTMLResponse:
        return render(request, "error.html.j2", status=500, message=str(exc))

    @app.get("/", response_class=HTMLResponse)
    def flags(request: Request) -> HTMLResponse:
        filters = pages.Filters.parse(dict(request.query_params))
        data = read(lambda s: pages.load_flags(s, filters))
        return render(
            request,
            "flags.html.j2",
            filters=filters,
            here=_url("/", filters.query()),
            page_url=lambda n: _url("/", filters.query(page=n)),
            **data,
        )

    @app.get("/flags/{relation_id}", response_class=HTMLResponse)
    def flag(request: Request, relation_id: str) -> HTMLResponse:
        data = read(lambda s: pages.load_flag(s, relation_id))
        if data is None:
            return render(request, "error.html.j2", status=404, message=f"No flag {relation_id!r}.")
        return render(request, "flag.html.j2", here=f"/flags/{quote(relation_id)}", **data)

    @app.post("/flags/{relation_id}/verdict")
    async def verdict(request: Request, relation_id: str) -> Response:
        form = await _form(request)
        _check_csrf(request, form)
        decision = form.get("verdict", "")
        if decision not in VERDICTS:
            raise HTTPException(400, "choose a verdict")
        reviewer = (form.get("reviewer") or _reviewer(request)).strip()
        if not reviewer:
            raise HTTPException(400, "give your name: it is recorded with the verdict")
        note = form.get("note", "").strip()[:MAX_NOTE_CHARS] or None
        reviewer = reviewer[:MAX_NAME_CHARS]
        with store(write=True) as s:
            recorded = s.record_review(relation_id, decision, note, reviewer)
        back = _local(form.get("back")) or f"/flags/{quote(recorded)}"
        response = RedirectResponse(back.split("#")[0] + f"#{recorded}", status_code=303)
        response.set_cookie(
            REVIEWER_COOKIE, quote(reviewer), samesite="strict", path="/", max_age=31_536_000
        )
        return response

    @app.post("/reviewer")
    async def set_reviewer(request: Request) -> Response:
        form = await _form(request)
        _check_csrf(request, form)
        response = RedirectResponse(_local(form.get("back")) or "/", status_code=303)
        name = form.get("reviewer", "").strip()[:MAX_NAME_CHARS]
        if name:
            response.set_cookie(
                REVIEWER_COOKIE, quote(name), samesite="strict", path="/", max_age=31_536_000
            )
        else:
            response.delete_cookie(REVIEWER_COOKIE, path="/")
        return response

    @app.get("/documents/{doc_id:path}", response_class=HTMLResponse)
    def document(request: Request, doc_id: str) -> HTMLResponse:
        data = read(lambda s: pages.load_document(s, doc_id))
        if data is None:
            return render(request, "error.html.j2", status=404, message=f"No document {doc_id!r}.")
        return render(request, "document.html.j2", **data)

    @app.get("/runs", response_class=HTMLResponse)
    def runs(request: Request) -> HTMLResponse:
        return render(
            request,
            "runs.html.j2",
            validations=pages.validation_pages(data_docs),
            **read(pages.load_runs),
        )

    @app.get("/report.css")
    def report_css() -> Response:
        return FileResponse(REPORT_TEMPLATES / "report.css", media_type="text/css")

    @app.get("/data-docs/{path:path}")
    def data_docs_file(path: str) -> Response:
        root = data_docs.resolve()
        target = (root / (path or "index.html")).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise HTTPException(404, "no such page in the validation results")
        response = FileResponse(target)
        response.headers["Content-Security-Policy"] = DATA_DOCS_CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the app until interrupted."""
    import uvicorn

    # Migrate an older file once, before the first request, and fail here if it is no database.
    Store.reader(settings.db).close()
    _check_port(host, port)
    app = create_app(settings, host=host)
    print(f"claims ui: reviewing {settings.db} on http://{host}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _check_port(host: str, port: int) -> None:
    """Refuse in one line a port that is taken, before uvicorn logs its own error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise ClaimsError(f"--host {host}: cannot resolve it ({e.strerror or e})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as e:
            raise ClaimsError(
                f"{host}:{port}: cannot listen there ({e.strerror or e}); "
                "choose another with --port"
            ) from None


# --- helpers ---------------------------------------------------------------------------------


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([HERE / "templates", REPORT_TEMPLATES]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=lambda v: "–" if v is None else v,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = format_number
    env.filters["counted"] = counted
    env.filters["url"] = lambda v: quote(str(v), safe="")
    return env


def _secure(response: Response) -> None:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"


async def _form(request: Request) -> dict[str, str]:
    """A urlencoded form body as a dict (first value of each field)."""
    if request.headers.get("content-type", "").split(";")[0] != "application/x-www-form-urlencoded":
        raise HTTPException(415, "forms are sent as application/x-www-form-urlencoded")
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}


def _check_csrf(request: Request, form: dict[str, str]) -> None:
    """The form's token must match this browser's cookie, and a browser that names the page's
    origin must name this server."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    token = form.get("csrf", "")
    if not cookie or not hmac.compare_digest(cookie, token):
        raise HTTPException(403, "the form is stale or was not sent from this app: reload the page")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != expected:
            raise HTTPException(403, "cross-site request refused")


def _reviewer(request: Request) -> str:
    return unquote(request.cookies.get(REVIEWER_COOKIE, ""))


def _local(url: str | None) -> str | None:
    """``url`` if it is a path on this server (never another site: no scheme, no //host)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return None
    return url


def _url(path: str, query: dict[str, str]) -> str:
    return path + ("?" + urlencode(query) if query else "")
