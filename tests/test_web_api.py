"""The JSON API of ``budgetsim serve`` (budgetsim.web) with the framework's test client:
every endpoint, every class of error, the security headers, and the same bytes as the
command line's ``--format json`` for the same request."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from budgetsim.web.app import create_app
from budgetsim.web.security import MAX_BODY
from budgetsim.web.service import MAX_DRAWS
from tests.conftest import ROOT, invoke


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def cli_json(*args: str) -> str:
    """What ``budgetsim ARGS --format json`` prints (run at the repository root)."""
    res = invoke(*args, "--format", "json", "--quiet")
    assert res.exit_code in (0, 1), res.stderr
    return res.stdout


def post(client: TestClient, path: str, body: Any) -> Any:
    return client.post(path, json=body)


# --- the same bytes as the command line ---------------------------------------------------

STRESS_TWO = ["-t", "gilts_1pp", "-t", "growth_2y", "--year", "2030"]


@pytest.mark.parametrize(
    ("path", "body", "args"),
    [
        ("/api/run", {"scenario": "uk_2030"}, ["run", "scenarios/uk_2030.yaml"]),
        (
            "/api/run",
            {"scenario": "uk_2030", "overrides": ["defence.milestones={2027: 2.5, 2031: 3.5}"]},
            ["run", "scenarios/uk_2030.yaml", "--set", "defence.milestones={2027: 2.5, 2031: 3.5}"],
        ),
        ("/api/run", {"scenario": "uk_hague_2035"}, ["run", "scenarios/uk_hague_2035.yaml"]),
        (
            "/api/compare",
            {"scenarios": [{"scenario": "uk_baseline"}, {"scenario": "uk_2030"}]},
            ["compare", "scenarios/uk_baseline.yaml", "scenarios/uk_2030.yaml"],
        ),
        (
            "/api/compare",
            {"scenarios": [{"scenario": "uk_2030"}, {"scenario": "uk_3pct_2030"}], "baseline": 0},
            [
                "compare",
                "scenarios/uk_2030.yaml",
                "scenarios/uk_3pct_2030.yaml",
                "--baseline",
                "scenarios/uk_2030.yaml",
            ],
        ),
        (
            "/api/compare",
            {"scenarios": [{"scenario": "uk_2030"}, {"scenario": "uk_baseline"}], "metric": "debt"},
            [
                "compare",
                "scenarios/uk_2030.yaml",
                "scenarios/uk_baseline.yaml",
                "--metric",
                "debt",
            ],
        ),
        (
            "/api/fan",
            {"scenario": "uk_2030", "draws": 500, "seed": 7},
            ["fan", "scenarios/uk_2030.yaml", "--draws", "500", "--seed", "7"],
        ),
        ("/api/stress", {"scenario": "uk_2030"}, ["stress", "scenarios/uk_2030.yaml"]),
        (
            "/api/stress",
            {"scenario": "uk_2030", "tests": ["gilts_1pp", "growth_2y"], "year": 2030},
            ["stress", "scenarios/uk_2030.yaml", *STRESS_TWO],
        ),
        (
            "/api/solve",
            {"scenario": "uk_2030", "for": "max-share", "year": 2029},
            ["solve", "scenarios/uk_2030.yaml", "--for", "max-share", "--year", "2029"],
        ),
        (
            "/api/solve",
            {"scenario": "uk_2030", "for": "min-cuts"},
            ["solve", "scenarios/uk_2030.yaml", "--for", "min-cuts"],
        ),
        (
            "/api/frontier",
            {"scenario": "uk_2030", "targets": [2.5, 3], "years": "2028..2030"},
            ["frontier", "scenarios/uk_2030.yaml", "--targets", "2.5,3", "--years", "2028..2030"],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_the_same_bytes_as_the_command_line(
    client: TestClient, path: str, body: dict[str, Any], args: list[str]
) -> None:
    res = post(client, path, body)
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "application/json"
    assert res.text == cli_json(*args)


def test_posted_yaml_runs_as_the_file_does(client: TestClient) -> None:
    text = (ROOT / "scenarios" / "uk_2030.yaml").read_text(encoding="utf-8")
    res = post(client, "/api/run", {"yaml": text})
    assert res.status_code == 200, res.text
    want = cli_json("run", "scenarios/uk_2030.yaml")
    assert res.text == want.replace('"scenarios/uk_2030.yaml"', '"<posted>"')
    assert res.json()["source"] == "<posted>"


def test_posted_scenarios_in_a_compare_are_numbered(client: TestClient) -> None:
    text = (ROOT / "scenarios" / "uk_2030.yaml").read_text(encoding="utf-8")
    body = {
        "scenarios": [
            {"yaml": text},
            {"scenario": "uk_baseline"},
            {"yaml": text, "overrides": ["defence.milestones={2030: 3.5}"]},
        ]
    }
    res = post(client, "/api/compare", body)
    assert res.status_code == 200, res.text
    sources = [s["source"] for s in res.json()["scenarios"]]
    assert sorted(sources) == ["<posted 1>", "<posted 2>", "scenarios/uk_baseline.yaml"]
    bad_one = {"scenarios": [{"yaml": text}, {"yaml": "meta: [\n"}]}
    errors = errors_of(post(client, "/api/compare", bad_one))
    assert errors[0].startswith("<posted 2>:"), errors


def test_an_infeasible_answer_is_the_commands_json(client: TestClient) -> None:
    body = {"scenario": "uk_2030", "for": "max-share", "year": 2025}
    res = post(client, "/api/solve", body)
    args = ["solve", "scenarios/uk_2030.yaml", "--for", "max-share", "--year", "2025"]
    cli = invoke(*args, "--format", "json", "--quiet")
    assert res.status_code == (200 if cli.exit_code in (0, 1) else 422)
    if cli.exit_code in (0, 1):
        assert res.text == cli.stdout


# --- /api/yaml ----------------------------------------------------------------------------


def test_yaml_is_standalone_and_runs_with_the_same_numbers(
    client: TestClient, tmp_path: Path
) -> None:
    overrides = [
        "defence.milestones={2027: 2.5, 2032: 3.2}",
        "economy.real_growth+=-0.5",
        "interest.long_rate+=1",
        "economy.feedback.defence_multiplier=0.5",
    ]
    body = {"scenario": "uk_2030", "overrides": overrides}
    text = post(client, "/api/yaml", body).json()["yaml"]
    assert "extends" not in text
    saved = tmp_path / "mine.yaml"
    saved.write_text(text, encoding="utf-8")
    from_file = json.loads(cli_json("run", str(saved)))
    from_api = post(client, "/api/run", body).json()
    for doc in (from_file, from_api):
        doc.pop("source")
    assert from_file == from_api
    assert from_api["summary"] == from_file["summary"]


# --- /api/scenarios, /api/controls, /api/health, the page ---------------------------------


def test_scenarios_lists_every_shipped_scenario(client: TestClient) -> None:
    listing = client.get("/api/scenarios").json()
    names = [s["name"] for s in listing]
    shipped = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    assert names == shipped
    hague = next(s for s in listing if s["name"] == "uk_hague_2035")
    assert hague["components"] and hague["country"] == "United Kingdom"
    assert next(s for s in listing if s["name"] == "uk_2030")["components"] == []


def _fill(template: str, values: dict[str, Any]) -> str:
    def one(m: re.Match[str]) -> str:
        v = values[m.group(1)]
        return ("true" if v else "false") if isinstance(v, bool) else str(v)

    return re.sub(r"\$\{(\w+)\}", one, template)


def overrides_for(controls: list[dict[str, Any]], moved: dict[str, Any]) -> list[str]:
    """What the page sends: every moved control's templates, in the controls' order."""
    values = {c["id"]: c["value"] for c in controls} | moved
    out = []
    for c in controls:
        if c["id"] in moved:
            out += [_fill(t, values | {"value": moved[c["id"]]}) for t in c["overrides"]]
    return out


def test_controls_describe_sliders_that_move_the_results(client: TestClient) -> None:
    doc = post(client, "/api/controls", {"scenario": "uk_2030"}).json()
    controls = {c["id"]: c for c in doc["controls"]}
    assert {"target_share", "target_year", "tax_freeze", "defence_multiplier"} <= set(controls)
    for c in doc["controls"]:
        assert c["kind"] in ("set", "shift", "switch")
        if c["kind"] != "switch":
            assert c["min"] <= c["value"] <= c["max"], c
            assert c["step"] > 0
    share = controls["target_share"]
    assert share["value"] == 3.0 and share["unit"] == "% of GDP"
    base = post(client, "/api/run", {"scenario": "uk_2030"}).json()
    moved = overrides_for(doc["controls"], {"target_share": 3.5, "target_year": 2032})
    assert moved == ["defence.milestones={2027: 2.5, 2032: 3.5}"] * 2
    after = post(client, "/api/run", {"scenario": "uk_2030", "overrides": moved})
    assert after.status_code == 200, after.text
    assert after.json()["summary"] != base["summary"]
    # Every control, moved to its maximum (a switch: flipped), gives a scenario that loads.
    for c in doc["controls"]:
        new = (not c["value"]) if c["kind"] == "switch" else c["max"]
        res = post(
            client,
            "/api/run",
            {"scenario": "uk_2030", "overrides": overrides_for(doc["controls"], {c["id"]: new})},
        )
        assert res.status_code == 200, (c["id"], res.text)


def test_components_have_their_own_controls(client: TestClient) -> None:
    doc = post(client, "/api/controls", {"scenario": "uk_hague_2035"}).json()
    comps = [c for c in doc["controls"] if c["id"].startswith("component_")]
    assert comps and comps[0]["key"].startswith("defence.components.0.milestones.")
    moved = overrides_for(doc["controls"], {comps[0]["id"]: comps[0]["value"] + 0.5})
    res = post(client, "/api/run", {"scenario": "uk_hague_2035", "overrides": moved})
    assert res.status_code == 200, res.text


def test_health_and_the_page(client: TestClient) -> None:
    assert client.get("/api/health").json()["status"] == "ok"
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get("/static/index.html").status_code == 200


def test_docs_and_openapi_need_no_other_host(client: TestClient) -> None:
    html = client.get("/docs")
    assert html.status_code == 200
    refs = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert refs and all(r.startswith("/") and not r.startswith("//") for r in refs), refs
    for ref in refs:
        assert client.get(ref).status_code == 200, ref
    assert "<script>" not in html.text  # no inline script: the CSP allows none
    spec = client.get("/openapi.json").json()
    assert {"/api/run", "/api/fan", "/api/controls", "/api/yaml"} <= set(spec["paths"])


# --- errors -------------------------------------------------------------------------------


def errors_of(res: Any, status: int = 422) -> list[str]:
    assert res.status_code == status, res.text
    assert "Traceback" not in res.text
    errors = res.json()["errors"]
    assert isinstance(errors, list) and errors
    return [str(e) for e in errors]


def test_bad_yaml_names_the_line(client: TestClient) -> None:
    errors = errors_of(post(client, "/api/run", {"yaml": "meta:\n  title: [unclosed\n"}))
    assert errors[0].startswith("<posted>:"), errors
    assert re.match(r"<posted>:\d+: ", errors[0])


def test_an_unknown_key_is_the_loaders_line(client: TestClient) -> None:
    text = "extends: uk_2030.yaml\ndefence:\n  milestonez: {2030: 3}\n"
    errors = errors_of(post(client, "/api/run", {"yaml": text}))
    assert any(e.startswith("<posted>:3: defence.milestonez: ") for e in errors), errors


def test_a_bad_override_is_the_set_line(client: TestClient) -> None:
    cli = invoke("run", "scenarios/uk_2030.yaml", "--set", "defence.milestones=oops")
    assert cli.exit_code == 2
    body = {"scenario": "uk_2030", "overrides": ["defence.milestones=oops"]}
    assert errors_of(post(client, "/api/run", body)) == cli.stderr.strip().splitlines()
    body = {"scenario": "uk_2030", "overrides": ["no equals sign"]}
    assert errors_of(post(client, "/api/run", body))[0].startswith("--set: ")


@pytest.mark.parametrize(
    "parent",
    ["/etc/passwd", "../../../../etc/passwd", "../pyproject.toml", "common/../../README.md"],
)
def test_posted_yaml_extends_shipped_scenarios_only(client: TestClient, parent: str) -> None:
    text = f"extends: {parent}\n"
    errors = errors_of(post(client, "/api/run", {"yaml": text}))
    assert "not a scenario shipped with budgetsim" in errors[0], errors
    assert "root:" not in " ".join(errors)


def test_posted_yaml_may_extend_a_shipped_scenario_by_name(client: TestClient) -> None:
    for parent in ("uk_2030.yaml", "uk_2030"):
        text = f"extends: {parent}\nmeta:\n  title: mine\n"
        res = post(client, "/api/run", {"yaml": text})
        assert res.status_code == 200, res.text
        assert res.json()["scenario"] == "mine"


def test_an_unknown_scenario_is_404(client: TestClient) -> None:
    errors = errors_of(post(client, "/api/run", {"scenario": "../../etc/passwd"}), 404)
    assert "uk_2030" in errors[0] and "passwd" not in errors[0]


def test_a_body_over_the_cap_is_413(client: TestClient) -> None:
    big = {"yaml": "#" * (MAX_BODY + 10)}
    assert errors_of(post(client, "/api/run", big), 413)[0].startswith("the request body is over")


def test_a_chunked_body_over_the_cap_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"yaml": "'
        for _ in range(MAX_BODY // 1024 + 2):
            yield b"#" * 1024
        yield b'"}'

    res = client.post("/api/run", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in {k.lower() for k in res.request.headers}
    assert errors_of(res, 413)


def test_a_chunked_body_under_the_cap_is_read(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"scenario": '
        yield b'"uk_2030"}'

    res = client.post("/api/run", content=chunks(), headers={"content-type": "application/json"})
    assert res.status_code == 200, res.text


def test_draws_over_the_cap_are_refused(client: TestClient) -> None:
    body = {"scenario": "uk_2030", "draws": MAX_DRAWS + 1}
    errors = errors_of(post(client, "/api/fan", body))
    assert f"{MAX_DRAWS:,}" in errors[0], errors
    body = {"scenario": "uk_2030", "overrides": ["uncertainty.draws=1000000"]}
    errors = errors_of(post(client, "/api/fan", body))
    assert errors[0].startswith("uncertainty.draws: the scenario asks for 1,000,000 draws")


def test_a_frontier_grid_over_the_cap_is_refused(client: TestClient) -> None:
    body = {"scenario": "uk_2030", "targets": [2 + k / 10 for k in range(12)]}
    body["years"] = list(range(2025, 2036)) * 3
    errors = errors_of(post(client, "/api/frontier", body))
    assert "at most" in errors[0]


@pytest.mark.parametrize(
    "body",
    [
        {"scenario": "uk_2030", "draws": "many"},
        {"scenario": "uk_2030", "unknown": 1},
        {"overrides": "not a list"},
        [1, 2, 3],
        {},
        {"scenario": "uk_2030", "yaml": "meta: {}"},
    ],
)
def test_a_body_of_the_wrong_shape_is_422_without_echo(client: TestClient, body: Any) -> None:
    errors = errors_of(post(client, "/api/fan", body))
    assert "many" not in " ".join(errors)
    assert all(": " in e for e in errors), errors


def test_a_body_that_is_not_json_is_422(client: TestClient) -> None:
    res = client.post(
        "/api/run", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert errors_of(res) == ["body: the body is not valid JSON"]


def test_other_errors_of_the_commands(client: TestClient) -> None:
    errors = errors_of(post(client, "/api/solve", {"scenario": "uk_2030", "for": "nope"}))
    assert errors[0].startswith("for: ")
    body = {"scenario": "uk_2030", "for": "max-share", "share": 3}
    assert errors_of(post(client, "/api/solve", body)) == [
        "--share: max-share finds the share; give --year only"
    ]
    body = {"scenario": "uk_2030", "tests": ["nope"]}
    assert errors_of(post(client, "/api/stress", body))[0].startswith("--test: unknown test")
    body = {"scenarios": [{"scenario": "uk_2030"}], "metric": "nope"}
    assert errors_of(post(client, "/api/compare", body))[0].startswith("--metric: unknown series")
    assert errors_of(post(client, "/api/compare", {"scenarios": []}))


def test_an_unknown_path_is_a_json_404(client: TestClient) -> None:
    res = client.get("/api/nope")
    assert errors_of(res, 404) == ["no such page"]


# --- security headers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/api/health"), ("POST", "/api/run"), ("GET", "/nope")],
)
def test_every_response_has_the_security_headers(
    client: TestClient, method: str, path: str
) -> None:
    res = client.request(method, path, json={"scenario": "nope"} if method == "POST" else None)
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "img-src 'self' data: blob:" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0]  # never for scripts
    assert "script-src 'self';" in csp
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["referrer-policy"] == "no-referrer"


def test_a_500_has_the_security_headers_and_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import budgetsim.web.service as service

    def broken(*args: Any) -> str:
        raise RuntimeError("a secret detail /srv/budgetsim")

    monkeypatch.setattr(service, "run_json", broken)
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        res = c.post("/api/run", json={"scenario": "uk_2030"})
    assert res.status_code == 500
    assert res.json() == {"errors": ["internal error: the server could not answer this request"]}
    assert "\n" not in res.text and "Traceback" not in res.text and "secret" not in res.text
    csp = res.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["x-frame-options"] == "DENY"
    assert res.headers["referrer-policy"] == "no-referrer"


# --- posted YAML meets the loader's limits --------------------------------------------------

ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcd", "bcde", strict=True)
)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("a: &a [x, x, x, x, x, x, x, x, x]\n" + ALIAS_BOMB, "an alias bomb"),
        ("a: " + "[" * 5000 + "]" * 5000, "nesting depth"),
        ("meta:\n  title: a\0b\n", "NUL byte"),
        ("extends: uk_2030.yaml\nyears:\n  horizon: " + "9" * 5000 + "\n", "too large"),
        ("extends: uk_2030.yaml\nyears:\n  horizon: 2300\n", "at most 200 projected years"),
        ("a: !!python/object/apply:os.system ['true']\n", "<posted>:1: "),
    ],
    ids=["aliases", "depth", "nul", "big-number", "horizon", "python-tag"],
)
def test_hostile_yaml_is_refused_in_one_line_each(client: TestClient, text: str, says: str) -> None:
    errors = errors_of(post(client, "/api/run", {"yaml": text}))
    assert says in errors[0], errors
    assert all(e.startswith("<posted>") for e in errors)


def test_a_text_parsed_again_is_a_fresh_copy() -> None:
    from budgetsim.input.yamltext import parse_yaml

    text = (ROOT / "scenarios" / "uk_2030.yaml").read_text(encoding="utf-8")
    first, lines = parse_yaml(text, "a.yaml")
    first["defence"]["milestones"][2030] = 99.0
    again, lines_again = parse_yaml(text, "a.yaml")
    assert again["defence"]["milestones"][2030] == 3.0
    assert lines_again == lines
    assert parse_yaml(text, "b.yaml")[1][("defence",)][0] == "b.yaml"


def test_the_models_work_runs_in_worker_threads(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.concurrency import run_in_threadpool as real

    import budgetsim.web.app as web_app

    ran: list[str] = []

    async def recording(fn: Any, *args: Any) -> Any:
        ran.append(fn.__name__)
        return await real(fn, *args)

    monkeypatch.setattr(web_app, "run_in_threadpool", recording)
    post(client, "/api/fan", {"scenario": "uk_2030", "draws": 100, "seed": 1})
    post(client, "/api/stress", {"scenario": "uk_2030", "tests": ["gilts_1pp"]})
    post(client, "/api/solve", {"scenario": "uk_2030", "for": "max-share"})
    post(client, "/api/frontier", {"scenario": "uk_2030", "targets": [3], "years": [2030]})
    post(client, "/api/run", {"scenario": "uk_2030", "overrides": ["economy.real_growth+=0.01"]})
    assert ran == ["fan_json", "stress_json", "solve_json", "frontier_json", "run_json"]


async def asgi_post(app: Any, path: str, body: Any) -> tuple[int, Any]:
    """POST ``body`` as JSON to the ASGI ``app`` in this event loop: status and JSON."""
    data = json.dumps(body).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/json"), (b"host", b"test")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": data, "more_body": False}
        await asyncio.sleep(3600)  # pragma: no cover - no disconnect in these tests
        return {"type": "http.disconnect"}  # pragma: no cover

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return out["status"], json.loads(out["body"])


def test_heavy_requests_wait_without_a_thread_and_too_many_are_503(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading
    import time

    import anyio.to_thread

    import budgetsim.web.service as service
    from budgetsim.web.service import HEAVY_QUEUED, HEAVY_RUNNING

    lock = threading.Lock()
    now = [0]
    most = [0]

    def slow_fan(*args: Any) -> str:
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.4)
        with lock:
            now[0] -= 1
        return "{}"

    monkeypatch.setattr(service, "fan_json", slow_fan)
    app = create_app()
    extra = 3

    async def main() -> tuple[list[tuple[int, Any]], int, float, float]:
        # Few threads: were a waiting request to hold one, /api/run would wait for them.
        anyio.to_thread.current_default_thread_limiter().total_tokens = 4
        start = time.monotonic()
        fans = [
            asyncio.create_task(asgi_post(app, "/api/fan", {"scenario": "uk_2030"}))
            for _ in range(HEAVY_RUNNING + HEAVY_QUEUED + extra)
        ]
        await asyncio.sleep(0.05)
        run_code, _ = await asgi_post(app, "/api/run", {"scenario": "uk_2030"})
        run_took = time.monotonic() - start
        done = await asyncio.gather(*fans)
        return list(done), run_code, run_took, time.monotonic() - start

    done, run_code, run_took, all_took = asyncio.run(main())
    codes = [code for code, _ in done]
    assert codes.count(503) == extra
    assert codes.count(200) == HEAVY_RUNNING + HEAVY_QUEUED
    busy = {"errors": [f"busy: {HEAVY_QUEUED} heavy requests queued; retry"]}
    assert all(body == busy for code, body in done if code == 503)
    assert most[0] == HEAVY_RUNNING
    assert run_code == 200
    assert run_took < all_took / 2  # answered while the heavy ones still queue


@pytest.mark.parametrize(
    ("body", "says"),
    [({}, "neither was given"), ({"scenario": "uk_2030", "yaml": "meta: {}"}, "not both")],
)
def test_neither_or_both_scenario_and_yaml_say_which(
    client: TestClient, body: dict[str, Any], says: str
) -> None:
    (line,) = errors_of(post(client, "/api/run", body))
    assert line.startswith('body: give "scenario"') and line.endswith(says), line
