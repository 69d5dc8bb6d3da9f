"""What each API endpoint computes, without the web framework: a request's scenario and
options in, the command line's JSON document out (the same presenter, the same bytes as
``budgetsim CMD FILE --set ... --format json``), or an :class:`ApiError` with the
command line's one-line messages.

Every function here is plain, blocking Python: the app runs the ones that take CPU time in
worker threads, off the event loop; the app lets :data:`HEAVY_RUNNING` CPU-heavy ones run
at once and :data:`HEAVY_QUEUED` wait (on the event loop, holding no thread), and answers
more with 503.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from budgetsim.cli.present.emit import plain_lines, to_json
from budgetsim.errors import ScenarioError
from budgetsim.input.loader import Loaded
from budgetsim.model.guard import DivergenceError
from budgetsim.model.result import SERIES_UNITS, Result, run
from budgetsim.web.library import POSTED, Library, UnknownScenario

if TYPE_CHECKING:
    from budgetsim.uncertainty.montecarlo import Fan

#: Most Monte Carlo draws in one request (``budgetsim fan`` has no cap).
MAX_DRAWS = 20_000
#: Most scenarios in one comparison.
MAX_COMPARE = 8
#: Most target shares, target years and cells (shares x years) of one frontier.
MAX_TARGETS, MAX_YEARS, MAX_CELLS = 12, 60, 300
#: Most stress tests named in one request.
MAX_TESTS = 20
#: How many CPU-heavy requests (fan, solve, frontier, stress) run at once; more wait.
HEAVY_RUNNING = 2
#: How many CPU-heavy requests may wait for one of those places; more are answered 503.
HEAVY_QUEUED = 16
#: Threads of one fan (the results do not depend on it).
FAN_WORKERS = 1


class ApiError(Exception):
    """A request the API refuses: an HTTP status and the lines that say why.

    Parameters
    ----------
    status : int
        422 (bad input), 404 (no such scenario) or 503 (too many heavy requests waiting).
    errors : sequence of str
        One line each, as the command line prints them.
    """

    def __init__(self, status: int, errors: Sequence[str]) -> None:
        super().__init__("\n".join(errors))
        self.status = status
        self.errors = list(errors)


def bad(*errors: str) -> ApiError:
    """A 422 with these lines (control characters escaped, as the CLI prints them)."""
    return ApiError(422, [plain_lines(e) for e in errors])


@dataclass(frozen=True)
class Request:
    """The scenario of a request: a library name or posted YAML, and overrides.

    Attributes
    ----------
    scenario : str or None
        A library scenario's stem (``uk_2030``).
    yaml : str or None
        Posted scenario text.
    overrides : tuple of str
        ``key.path=value`` / ``key+=delta``, in order.
    """

    scenario: str | None = None
    yaml: str | None = None
    overrides: tuple[str, ...] = ()


def source_text(lib: Library, req: Request) -> tuple[str, str]:
    """The name and text of a request's scenario.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.

    Returns
    -------
    tuple of (str, str)

    Raises
    ------
    ApiError
        404 for a name not in the library; 422 for neither or both of name and YAML.
    """
    if (req.scenario is None) == (req.yaml is None):
        which = "neither was given" if req.scenario is None else "not both"
        raise bad(
            f'body: give "scenario" (a shipped scenario\'s name) or "yaml" (its text); {which}'
        )
    if req.yaml is not None:
        return POSTED, req.yaml
    assert req.scenario is not None
    try:
        return lib.source_of(req.scenario)
    except UnknownScenario:
        raise ApiError(
            404, [f"no such scenario; one of: {', '.join(lib.entries)} (GET /api/scenarios)"]
        ) from None


def load(lib: Library, req: Request, posted_as: str = POSTED) -> Loaded:
    """A request's scenario, loaded (cached) with its overrides.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.
    posted_as : str, optional
        The name posted YAML has in results and messages.

    Returns
    -------
    Loaded

    Raises
    ------
    ApiError
        404 or 422, with the loader's ``SOURCE:LINE: key.path: message`` lines.
    """
    source, text = source_text(lib, req)
    if req.yaml is not None:
        source = posted_as
    try:
        return lib.load(source, text, req.overrides)
    except ScenarioError as exc:
        raise bad(*(str(p) for p in exc.problems)) from None


def _run(scenario_source: str, loaded: Loaded) -> Result:
    try:
        return run(loaded.scenario)
    except DivergenceError as exc:
        raise bad(f"{scenario_source}: {exc}") from None


def _run_key(lib: Library, req: Request) -> tuple[str, str, str, tuple[str, ...]]:
    source, text = source_text(lib, req)
    return ("run", source, lib.text_key(source, text), req.overrides)


def cached_run_json(lib: Library, req: Request) -> str | None:
    """The JSON of :func:`run_json` if this request was answered before (a dictionary
    look-up: the app answers it on the event loop, without a thread); else None.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.

    Returns
    -------
    str or None

    Raises
    ------
    ApiError
        404 or 422 for a request without a scenario.
    """
    found = lib.results.peek(_run_key(lib, req))
    return found if isinstance(found, str) else None


def run_json(lib: Library, req: Request) -> str:
    """``budgetsim run FILE --set ... --format json``.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.

    Returns
    -------
    str
        The JSON text, as the command prints it (cached: a run is deterministic).

    Raises
    ------
    ApiError
    """
    from budgetsim.cli.present.tables import run_document

    key = _run_key(lib, req)

    def make() -> str:
        loaded = load(lib, req)
        return to_json(run_document(_run(key[1], loaded)).data)

    return lib.results.get(key, make)


def compare_json(
    lib: Library,
    reqs: Sequence[Request],
    year: int | None = None,
    metric: str | None = None,
    baseline: int | None = None,
) -> str:
    """``budgetsim compare FILE... [--year Y] [--metric M] [--baseline FILE] --format json``.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    reqs : sequence of Request
        The scenarios, in order.
    year : int, optional
        ``--year``.
    metric : str, optional
        ``--metric``.
    baseline : int, optional
        The index in ``reqs`` of the baseline (``--baseline``).

    Returns
    -------
    str

    Raises
    ------
    ApiError
    """
    from budgetsim.cli.present.tables import common_year, compare_document, metric_document

    if not reqs:
        raise bad("scenarios: give at least one scenario")
    if len(reqs) > MAX_COMPARE:
        raise bad(f"scenarios: {len(reqs)} scenarios; at most {MAX_COMPARE} in one comparison")
    if baseline is not None and not 0 <= baseline < len(reqs):
        raise bad(f"baseline: give the index of one of the {len(reqs)} scenarios, from 0")
    if baseline is not None and metric is not None:
        raise bad("--baseline: --metric shows every scenario's series; leave out one of the two")
    sources = [source_text(lib, r)[0] for r in reqs]
    numbers = iter(range(1, len(reqs) + 1))
    # Posted scenarios are told apart: <posted 1>, <posted 2>, ... in the order given.
    sources = [
        s if r.yaml is None else f"<posted {next(numbers)}>"
        for s, r in zip(sources, reqs, strict=True)
    ]
    loaded = [load(lib, r, s) for r, s in zip(reqs, sources, strict=True)]
    results = [_run(s, ld) for s, ld in zip(sources, loaded, strict=True)]
    if metric is not None:
        if metric not in SERIES_UNITS:
            raise bad(f"--metric: unknown series {metric!r}; one of: {', '.join(SERIES_UNITS)}")
        if year is not None:
            raise bad("--year: --metric shows every year; leave out one of the two")
        return to_json(metric_document(results, metric).data)
    if baseline is not None:
        base = results[baseline]
        other = next((r for r in results if r.unit != base.unit), None)
        if other is not None:
            raise bad(
                f"--baseline: {base.source} is in {base.unit} and {other.source} in "
                f"{other.unit}; differences need one currency (compare them without --baseline)"
            )
    if year is None:
        year = common_year(results)
        if year is None:
            raise bad("the scenarios share no projection year; give --year")
    elif not all(year in r.years for r in results):
        raise bad(f"--year {year}: not a projection year of every scenario")
    # The JSON document has no notes: the files' assumption marks are not looked for.
    return to_json(compare_document(results, year, baseline).data)


def fan_json(lib: Library, req: Request, draws: int | None, seed: int | None) -> str:
    """``budgetsim fan FILE [--draws N] [--seed S] --format json``, at most
    :data:`MAX_DRAWS` draws.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.
    draws, seed : int or None
        As the options; None: the scenario's ``uncertainty:`` section.

    Returns
    -------
    str

    Raises
    ------
    ApiError
    """
    from budgetsim.cli.present.uncertainty import fan_document
    from budgetsim.uncertainty.montecarlo import NoUncertaintyError, fan

    source, _ = source_text(lib, req)
    if draws is not None and not 1 <= draws <= MAX_DRAWS:
        raise bad(cap_message(draws))
    loaded = load(lib, req)
    unc = loaded.scenario.uncertainty
    if draws is None and unc is not None and unc.draws > MAX_DRAWS:
        raise bad(
            f"uncertainty.draws: the scenario asks for {unc.draws:,} draws; the server runs at "
            f'most {MAX_DRAWS:,} in one request: give "draws" (or run budgetsim fan)'
        )
    try:
        result: Fan = fan(loaded.scenario, draws=draws, seed=seed, workers=FAN_WORKERS)
    except NoUncertaintyError as exc:
        raise bad(str(exc)) from None
    except DivergenceError as exc:
        raise bad(f"{source}: {exc}") from None
    return to_json(fan_document(result).data)


def cap_message(draws: int) -> str:
    """Why ``draws`` is refused."""
    return (
        f"draws: {draws:,} draws; the server runs from 1 to {MAX_DRAWS:,} in one request "
        "(run budgetsim fan for more)"
    )


def stress_json(lib: Library, req: Request, tests: Sequence[str] | None, year: int | None) -> str:
    """``budgetsim stress FILE [--test T]... [--year Y] --format json``.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.
    tests : sequence of str or None
        Test names (``all``, or None: every test).
    year : int or None
        ``--year``.

    Returns
    -------
    str

    Raises
    ------
    ApiError
    """
    from budgetsim.cli.present.uncertainty import stress_document
    from budgetsim.uncertainty.stress import TEST_NAMES, stress

    if tests is not None and len(tests) > MAX_TESTS:
        raise bad(f"tests: {len(tests)} names; at most {MAX_TESTS}")
    for name in tests or ():
        if name != "all" and name not in TEST_NAMES:
            raise bad(f"--test: unknown test {name!r}; one of: all, {', '.join(TEST_NAMES)}")
    names = TEST_NAMES if not tests or "all" in tests else tuple(tests)
    source, _ = source_text(lib, req)
    loaded = load(lib, req)
    try:
        res = stress(loaded.scenario, names, year)
    except DivergenceError as exc:
        raise bad(f"{source}: {exc}") from None
    except ValueError as exc:
        raise bad(f"{source}: {exc}") from None
    return to_json(stress_document(res).data)


GOALS = ("max-share", "earliest-year", "min-cuts", "tax-rise")


def solve_json(
    lib: Library,
    req: Request,
    goal: str,
    year: int | None = None,
    share: float | None = None,
    discount: float = 0.0,
) -> str:
    """``budgetsim solve FILE --for GOAL [--year Y] [--share S] [--discount D] --format
    json``. An answer no path passes is an answer: the command's JSON ``{"solution": ...}``
    (the command exits 1 after printing it).

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.
    goal : str
        One of :data:`GOALS`.
    year, share, discount
        As the options.

    Returns
    -------
    str

    Raises
    ------
    ApiError
    """
    from budgetsim.cli.present.solve import solution_document
    from budgetsim.solve import solve_earliest_year, solve_max_share, solve_min_cuts, solve_tax_rise
    from budgetsim.solve.checks import SolveError

    if goal not in GOALS:
        raise bad(f"for: {goal!r} is not a goal; one of: {', '.join(GOALS)}")
    source, _ = source_text(lib, req)
    scn = load(lib, req).scenario
    try:
        if goal == "max-share":
            if share is not None:
                raise bad("--share: max-share finds the share; give --year only")
            sol = solve_max_share(scn, year)
        elif goal == "earliest-year":
            if year is not None:
                raise bad("--year: earliest-year finds the year; give --share only")
            sol = solve_earliest_year(scn, share)
        else:
            solver = solve_min_cuts if goal == "min-cuts" else solve_tax_rise
            sol = solver(scn, year, share, discount)
    except SolveError as exc:
        raise bad(f"{source}: {exc}") from None
    except ScenarioError as exc:
        raise bad(*(str(p) for p in exc.problems)) from None
    except DivergenceError as exc:
        raise bad(f"{source}: {exc}") from None
    if not sol.feasible or sol.result is None or sol.scenario is None:
        return to_json({"solution": sol.to_dict()})
    return to_json(solution_document(sol, sol.result, goal).data)


def years_of(text: str) -> list[int]:
    """Target years as ``--years`` takes them: ``FIRST..LAST`` or a comma-separated list.

    Parameters
    ----------
    text : str
        The years.

    Returns
    -------
    list of int

    Raises
    ------
    ApiError
    """
    m = re.fullmatch(r"\s*(\d{4})\s*\.\.\s*(\d{4})\s*", text)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        if last < first:
            raise bad(f"--years: {text!r} ends before it starts")
        if last - first >= MAX_YEARS:
            raise bad(f"years: {last - first + 1} years; at most {MAX_YEARS}")
        return list(range(first, last + 1))
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
        raise bad(f"--years: {text!r}: give FIRST..LAST or a comma-separated list of years")
    return [int(p) for p in parts]


def frontier_json(
    lib: Library,
    req: Request,
    targets: Sequence[float] | None = None,
    years: str | Sequence[int] | None = None,
) -> str:
    """``budgetsim frontier FILE [--targets ...] [--years ...] --format json``, at most
    :data:`MAX_TARGETS` shares, :data:`MAX_YEARS` years and :data:`MAX_CELLS` cells.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.
    targets : sequence of float, optional
        Target shares, % of GDP (default: the command's, 2.5, 3, 3.5, 5).
    years : str or sequence of int, optional
        Target years (default: every projected year).

    Returns
    -------
    str

    Raises
    ------
    ApiError
    """
    from budgetsim.cli.present.solve import frontier_document
    from budgetsim.cli.solve_cmd import DEFAULT_TARGETS
    from budgetsim.solve import solve_frontier
    from budgetsim.solve.checks import SolveError

    shares = [float(t) for t in DEFAULT_TARGETS.split(",")] if targets is None else list(targets)
    if not shares:
        raise bad("--targets: give at least one share")
    if len(shares) > MAX_TARGETS:
        raise bad(f"targets: {len(shares)} shares; at most {MAX_TARGETS} in one request")
    source, _ = source_text(lib, req)
    scn = load(lib, req).scenario
    if years is None:
        target_years = [int(y) for y in scn.years]
    elif isinstance(years, str):
        target_years = years_of(years)
    else:
        target_years = list(years)
    if len(target_years) > MAX_YEARS:
        raise bad(f"years: {len(target_years)} years; at most {MAX_YEARS} in one request")
    cells = len(shares) * len(target_years)
    if cells > MAX_CELLS:
        raise bad(
            f"targets x years: {cells} cells; at most {MAX_CELLS} in one request (give fewer "
            "targets or years, or run budgetsim frontier)"
        )
    try:
        fr = solve_frontier(scn, shares, target_years)
    except SolveError as exc:
        raise bad(f"{source}: {exc}") from None
    except DivergenceError as exc:
        raise bad(f"{source}: {exc}") from None
    return to_json(frontier_document(fr).data)


def yaml_text(lib: Library, req: Request) -> str:
    """The request's scenario as one standalone file: ``extends`` merged, the overrides
    applied (:func:`budgetsim.input.edit.to_yaml`); ``budgetsim run`` on it gives the same
    numbers.

    Parameters
    ----------
    lib : Library
        The server's scenarios.
    req : Request
        The request.

    Returns
    -------
    str
        YAML text.

    Raises
    ------
    ApiError
    """
    from budgetsim.errors import one_line
    from budgetsim.input.edit import to_yaml

    source, _ = source_text(lib, req)
    loaded = load(lib, req)
    header = [
        "Written by budgetsim's web page: a standalone copy of",
        f"{source}{' with these overrides:' if req.overrides else ''}",
        *(f"  {one_line(o)}" for o in req.overrides),
        "Every figure is copied from it (see it for the sources).",
    ]
    return to_yaml(loaded.spec, header)
