"""The ASGI app of ``budgetsim serve``: the page, its static files, the JSON API and its
OpenAPI description (docs/api-web.md).

:func:`create_app` builds it; every endpoint's work is in :mod:`budgetsim.web.service`
(the command line's presenters, the same JSON bytes), run in worker threads so the event
loop only moves bytes. Bodies are capped and every response carries a strict
Content-Security-Policy (:mod:`budgetsim.web.security`).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from budgetsim import __version__
from budgetsim.errors import ScenarioError, format_loc
from budgetsim.web import service
from budgetsim.web.controls import controls_of
from budgetsim.web.library import MAX_OVERRIDES, Library, folder_library, shipped_library
from budgetsim.web.security import MAX_BODY, Guard, secure_headers
from budgetsim.web.service import (
    HEAVY_QUEUED,
    HEAVY_RUNNING,
    MAX_COMPARE,
    MAX_DRAWS,
    ApiError,
)

T = TypeVar("T")

#: Longest posted scenario text, in characters (the body cap bounds it first).
MAX_YAML = MAX_BODY


class ScenarioBody(BaseModel):
    """A scenario: a shipped one by name, or posted YAML; and overrides."""

    model_config = ConfigDict(extra="forbid")

    scenario: str | None = Field(
        None,
        description="A shipped scenario's name (GET /api/scenarios), e.g. uk_2030.",
        max_length=200,
        examples=["uk_2030"],
    )
    yaml: str | None = Field(
        None,
        description="A scenario's YAML text; it may extend shipped scenarios by name only.",
        max_length=MAX_YAML,
    )
    overrides: list[Annotated[str, Field(max_length=4000)]] = Field(
        default_factory=list,
        description="--set assignments in order: key.path=value, or key.path+=delta.",
        max_length=MAX_OVERRIDES,
        examples=[["defence.milestones={2030: 3.5}"]],
    )

    def request(self) -> service.Request:
        """As the service takes it."""
        return service.Request(self.scenario, self.yaml, tuple(self.overrides))


class CompareBody(BaseModel):
    """Several scenarios side by side (``budgetsim compare``)."""

    model_config = ConfigDict(extra="forbid")

    scenarios: list[ScenarioBody] = Field(
        description=f"The scenarios, in order (at most {MAX_COMPARE}).", max_length=MAX_COMPARE
    )
    year: int | None = Field(None, description="--year: the year compared.")
    metric: str | None = Field(None, description="--metric: one series, every year.")
    baseline: int | None = Field(
        None, description="--baseline: the index (from 0) of the baseline among scenarios."
    )


class FanBody(ScenarioBody):
    """``budgetsim fan``: Monte Carlo percentiles."""

    draws: int | None = Field(
        None, description=f"--draws (at most {MAX_DRAWS} here).", examples=[1000]
    )
    seed: int | None = Field(None, description="--seed.", ge=0, le=2**63 - 1)


class StressBody(ScenarioBody):
    """``budgetsim stress``: named stress tests."""

    tests: list[str] | None = Field(None, description="--test names (default: all).")
    year: int | None = Field(None, description="--year to read borrowing and debt in.")


class SolveBody(ScenarioBody):
    """``budgetsim solve``: what is affordable."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    goal: Literal["max-share", "earliest-year", "min-cuts", "tax-rise"] = Field(
        alias="for", description="--for: what to solve for."
    )
    year: int | None = Field(None, description="--year: target year.")
    share: float | None = Field(
        None, description="--share: target share, % of GDP.", allow_inf_nan=False
    )
    discount: float = Field(
        0.0, description="--discount, % a year.", ge=-50, le=100, allow_inf_nan=False
    )


class FrontierBody(ScenarioBody):
    """``budgetsim frontier``: which target by which year passes every rule."""

    targets: list[Annotated[float, Field(allow_inf_nan=False)]] | None = Field(
        None, description="--targets: shares, % of GDP (default 2.5, 3, 3.5, 5)."
    )
    years: str | list[int] | None = Field(
        None,
        description="--years: FIRST..LAST, a comma-separated list, or a list of years "
        "(default: every projected year).",
    )


def _json(text: str) -> Response:
    return Response(content=text, media_type="application/json")


def _problem(status: int, errors: list[str]) -> JSONResponse:
    return JSONResponse({"errors": errors}, status_code=status)


async def _call(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a worker thread: the model's work never blocks the event loop."""
    return await run_in_threadpool(fn, *args)


class HeavyGate:
    """Lets ``running`` CPU-heavy requests (fan, solve, frontier, stress) run at once and
    ``queued`` more wait for a place on the event loop, holding no worker thread (the
    thread pool stays free for every other request); a request beyond those is refused
    with 503 at once.

    Parameters
    ----------
    running : int
        How many run at once.
    queued : int
        How many may wait.
    """

    def __init__(self, running: int = HEAVY_RUNNING, queued: int = HEAVY_QUEUED) -> None:
        self.running = running
        self.queued = queued
        self.waiting = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._places = asyncio.Semaphore(running)

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Hold one of the places while the block runs (waiting for one if need be).

        Yields
        ------
        None

        Raises
        ------
        ApiError
            503 when ``queued`` requests are waiting already.
        """
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a semaphore belongs to one event loop
            self._loop, self._places, self.waiting = loop, asyncio.Semaphore(self.running), 0
        places = self._places
        if places.locked() and self.waiting >= self.queued:
            raise ApiError(503, [f"busy: {self.waiting} heavy requests queued; retry"])
        self.waiting += 1
        try:
            await places.acquire()
        finally:
            self.waiting -= 1
        try:
            yield
        finally:
            places.release()


def _validation_lines(exc: RequestValidationError) -> list[str]:
    """A malformed request as ``key.path: message`` lines, never echoing what was sent."""
    out = []
    for err in exc.errors():
        loc = tuple(p for p in err.get("loc", ()) if p != "body")
        where = format_loc(loc) if loc else "body"
        message = str(err.get("msg", "invalid")).replace("Value error, ", "")
        if err.get("type") == "json_invalid":  # its loc is the character it failed at
            where, message = "body", "the body is not valid JSON"
        elif err.get("type") == "extra_forbidden":
            message = "not an option of this endpoint"
        out.append(f"{where}: {message}")
    return out or ["body: invalid request"]


DOCS_INIT = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
    layout: "BaseLayout"
  });
});
"""

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>budgetsim API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="icon" href="/docs-assets/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/docs-assets/init.js"></script>
</body>
</html>
"""


def _swagger_dir() -> Path | None:
    """Swagger UI's files (5.x, which reads OpenAPI 3.1 as FastAPI writes it), as the
    fastapi-offline package ships them; only its files are used."""
    try:
        found = files("fastapi_offline") / "static"
    except ModuleNotFoundError:  # pragma: no cover - the web extra installs it
        return None
    return Path(str(found))


def _listing(lib: Library) -> str:
    """Every scenario of the library loaded (and kept in its cache), listed as JSON; the
    first that does not load stops the server from starting, in one line.

    Raises
    ------
    ScenarioError
        The first problem of the first scenario that does not load.
    """
    out = []
    for name, entry in lib.entries.items():
        try:
            scn = lib.load(entry.source, lib.texts[entry.source]).scenario
        except ScenarioError as exc:
            raise ScenarioError(exc.problems[:1]) from None
        out.append(
            {
                "name": name,
                "title": scn.title,
                "country": scn.country,
                "components": [c.name for c in scn.components],
            }
        )
    return json.dumps(out)


def create_app(scenarios_dir: Path | None = None) -> FastAPI:
    """The app: the page at ``/``, its files under ``/static/``, the API under ``/api/``,
    OpenAPI at ``/docs`` (Swagger UI from the package, no CDN) and ``/openapi.json``.

    Parameters
    ----------
    scenarios_dir : Path, optional
        A folder of scenarios to serve instead of the shipped ones (``--scenarios``).

    Returns
    -------
    FastAPI
        Wrapped in nothing: the body cap and security headers are its outermost user
        middleware (a 500, answered by Starlette's error middleware outside it, gets the
        headers from its handler).

    Raises
    ------
    ScenarioError
        A ``scenarios_dir`` that is not a folder of readable scenario files, or a scenario
        of the library that does not load (its first problem, one line).
    """
    lib: Library = shipped_library() if scenarios_dir is None else folder_library(scenarios_dir)
    app = FastAPI(
        title="budgetsim",
        version=__version__,
        description="What defence-spending promises cost, year by year, under tax freezes "
        "and fiscal rules. Every response is the command line's JSON document for the same "
        "request (`budgetsim CMD FILE --set ... --format json`). Errors: 422 with "
        '`{"errors": ["key.path: message", ...]}`, 404 for an unknown scenario, 413 for a '
        "body over 256 KiB.",
        docs_url=None,
        redoc_url=None,
    )
    app.state.library = lib
    gate = HeavyGate()
    app.state.heavy = gate

    async def heavy(fn: Callable[..., T], *args: Any) -> T:
        async with gate.place():  # waits here, not in a thread
            return await _call(fn, *args)

    app.add_middleware(Guard, limit=MAX_BODY)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _problem(exc.status, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _problem(422, _validation_lines(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = "no such page" if exc.status_code == 404 else str(exc.detail)
        return _problem(exc.status_code, [message])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Starlette answers with this from its outermost middleware, outside Guard: the
        # security headers are added here.
        return JSONResponse(
            {"errors": ["internal error: the server could not answer this request"]},
            status_code=500,
            headers=secure_headers(request.url.path),
        )

    static = files("budgetsim.web") / "static"

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return FileResponse(str(static / "index.html"), media_type="text/html")

    # follow_symlink: an editable install links the files into the package's folder.
    app.mount("/static", StaticFiles(directory=str(static), follow_symlink=True), name="static")

    swagger = _swagger_dir()
    if swagger is not None:

        @app.get("/docs", include_in_schema=False)
        async def docs() -> HTMLResponse:
            return HTMLResponse(DOCS_HTML)

        @app.get("/docs-assets/init.js", include_in_schema=False)
        async def docs_init() -> Response:
            return Response(DOCS_INIT, media_type="text/javascript")

        app.mount(
            "/docs-assets",
            StaticFiles(directory=str(swagger), follow_symlink=True),
            name="docs-assets",
        )

    @app.get("/api/health", tags=["meta"])
    async def health() -> dict[str, str]:
        """Whether the server answers, and budgetsim's version."""
        return {"status": "ok", "version": __version__}

    listing = _listing(lib)

    @app.get("/api/scenarios", tags=["scenarios"])
    async def scenarios() -> Response:
        """The scenarios this server has, by name: title, country, component names."""
        return _json(listing)

    @app.post("/api/controls", tags=["scenarios"])
    async def controls(body: ScenarioBody) -> Response:
        """The sliders and switches that make sense for this scenario; setting one is
        adding its override(s) to ``overrides`` (docs/api-web.md)."""
        return _json(await _call(controls_of, lib, body.request()))

    @app.post("/api/yaml", tags=["scenarios"])
    async def yaml(body: ScenarioBody) -> Response:
        """The scenario as one standalone file, overrides applied: ``budgetsim run`` on it
        gives the same numbers."""
        text = await _call(service.yaml_text, lib, body.request())
        return _json(json.dumps({"yaml": text}))

    @app.post("/api/run", tags=["results"])
    async def run(body: ScenarioBody) -> Response:
        """``budgetsim run FILE --format json``."""
        req = body.request()
        cached = service.cached_run_json(lib, req)  # a run is deterministic
        if cached is not None:
            return _json(cached)
        return _json(await _call(service.run_json, lib, req))

    @app.post("/api/compare", tags=["results"])
    async def compare(body: CompareBody) -> Response:
        """``budgetsim compare FILE... --format json``."""
        reqs = [s.request() for s in body.scenarios]
        return _json(
            await _call(service.compare_json, lib, reqs, body.year, body.metric, body.baseline)
        )

    @app.post("/api/fan", tags=["results"])
    async def fan(body: FanBody) -> Response:
        """``budgetsim fan FILE --format json`` (Monte Carlo; draws capped)."""
        return _json(await heavy(service.fan_json, lib, body.request(), body.draws, body.seed))

    @app.post("/api/stress", tags=["results"])
    async def stress(body: StressBody) -> Response:
        """``budgetsim stress FILE --format json``."""
        return _json(await heavy(service.stress_json, lib, body.request(), body.tests, body.year))

    @app.post("/api/solve", tags=["results"])
    async def solve(body: SolveBody) -> Response:
        """``budgetsim solve FILE --for GOAL --format json``."""
        return _json(
            await heavy(
                service.solve_json,
                lib,
                body.request(),
                body.goal,
                body.year,
                body.share,
                body.discount,
            )
        )

    @app.post("/api/frontier", tags=["results"])
    async def frontier(body: FrontierBody) -> Response:
        """``budgetsim frontier FILE --format json`` (grid capped)."""
        return _json(
            await heavy(service.frontier_json, lib, body.request(), body.targets, body.years)
        )

    return app


#: The environment variable ``budgetsim serve --scenarios DIR`` passes the folder in (each
#: uvicorn worker process calls :func:`app_from_env` on its own).
SCENARIOS_ENV = "BUDGETSIM_SCENARIOS"


def app_from_env() -> FastAPI:
    """The app for uvicorn's ``factory=True``: :func:`create_app` with the folder named by
    :data:`SCENARIOS_ENV`, if set.

    Returns
    -------
    FastAPI
    """
    import os

    folder = os.environ.get(SCENARIOS_ENV)
    return create_app(Path(folder) if folder else None)
