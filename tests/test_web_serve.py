"""``budgetsim serve``: its options, the address it prints, the warning for a host other
than this machine, and the one line when the web extra is missing (uvicorn is never
started: its ``run`` is replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from budgetsim.cli import serve_cmd
from tests.conftest import ROOT, invoke


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """uvicorn.run's calls, instead of a server."""
    import uvicorn

    calls: list[dict[str, Any]] = []

    def fake_run(app: str, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serve_binds_this_machine_by_default(started: list[dict[str, Any]]) -> None:
    res = invoke("serve")
    assert res.exit_code == 0, res.stderr
    assert res.stdout == "budgetsim serve: the page is at http://127.0.0.1:8000/ (Ctrl-C stops)\n"
    assert res.stderr == ""
    (call,) = started
    assert call["host"] == "127.0.0.1" and call["port"] == 8000 and call["workers"] == 1
    assert call["app"] == "budgetsim.web.app:app_from_env" and call["factory"] is True


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5", "example.org", "::"])
def test_another_host_is_warned_about(started: list[dict[str, Any]], host: str) -> None:
    res = invoke("serve", "--host", host, "--port", "8123", "--workers", "2")
    assert res.exit_code == 0, res.stderr
    assert res.stderr.startswith(f"warning: --host {host}: the page and API are open to every")
    assert started[0]["host"] == host and started[0]["workers"] == 2
    assert ":8123/" in res.stdout


@pytest.mark.parametrize("host", ["localhost", "::1", "127.0.0.2"])
def test_a_loopback_host_is_not_warned_about(started: list[dict[str, Any]], host: str) -> None:
    res = invoke("serve", "--host", host)
    assert res.exit_code == 0 and res.stderr == ""
    assert ("[::1]" in res.stdout) == (host == "::1")


def test_the_missing_extra_is_one_line(
    monkeypatch: pytest.MonkeyPatch, started: list[dict[str, Any]]
) -> None:
    def missing(name: str) -> Any:
        raise ImportError(f"No module named {name!r}")

    monkeypatch.setattr(serve_cmd, "_import", missing)
    res = invoke("serve")
    assert res.exit_code == 2
    assert res.stderr == (
        "budgetsim serve: needs the web extra; install it with: pip install 'budgetsim[web]'\n"
    )
    assert not started


def test_a_scenarios_folder_is_served(
    started: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from budgetsim.web.app import SCENARIOS_ENV, app_from_env

    monkeypatch.setenv(SCENARIOS_ENV, "")  # restored (unset) after the test
    monkeypatch.delenv(SCENARIOS_ENV)
    (tmp_path / "mine.yaml").write_text(
        Path("scenarios/uk_baseline.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    res = invoke("serve", "--scenarios", str(tmp_path))
    assert res.exit_code == 0, res.stderr
    import os

    assert os.environ[SCENARIOS_ENV] == str(tmp_path)
    with TestClient(app_from_env()) as client:
        assert [s["name"] for s in client.get("/api/scenarios").json()] == ["mine"]
        res2 = client.post("/api/run", json={"scenario": "mine"})
        assert res2.status_code == 200 and res2.json()["source"].endswith("/mine.yaml")


@pytest.mark.parametrize("make", ["missing", "empty", "file"])
def test_a_bad_scenarios_folder_is_one_line(
    started: list[dict[str, Any]], tmp_path: Path, make: str
) -> None:
    folder = tmp_path / "s"
    if make == "empty":
        folder.mkdir()
    elif make == "file":
        folder.write_text("x", encoding="utf-8")
    res = invoke("serve", "--scenarios", str(folder))
    assert res.exit_code == 2
    assert len(res.stderr.splitlines()) == 1 and "Traceback" not in res.stderr
    assert not started


def test_addresses() -> None:
    assert serve_cmd.address("::1", 80) == "http://[::1]:80/"
    assert serve_cmd.is_local("127.0.0.1") and not serve_cmd.is_local("10.0.0.1")


def test_the_command_line_runs_without_the_web_extra() -> None:
    """`make run` installs no web extra: no command but serve may import FastAPI or
    uvicorn, and serve without them is the one line (fastapi and uvicorn hidden here)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules.update(fastapi=None, uvicorn=None, starlette=None)\n"
        "from typer.testing import CliRunner\n"
        "from budgetsim.cli.app import app\n"
        "r = CliRunner().invoke(app, ['run', 'scenarios/uk_2030.yaml', '-f', 'json'])\n"
        "assert r.exit_code == 0, r.output\n"
        "r = CliRunner().invoke(app, ['serve'])\n"
        "print(r.exit_code, r.stderr, end='')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "2 budgetsim serve: needs the web extra; install it with: pip install 'budgetsim[web]'\n"
    )


@pytest.mark.parametrize("given", ["dot", "absolute"])
def test_a_copy_of_the_scenarios_serves_as_the_shipped_ones(
    started: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """``--scenarios .`` (from inside the folder) and an absolute DIR: every ``extends``
    resolves, every scenario is listed and runs as the shipped one, and no path of the
    server appears in what the API answers."""
    import shutil

    from fastapi.testclient import TestClient

    from budgetsim.web.app import create_app

    copy = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", copy, ignore=shutil.ignore_patterns("__*"))
    folder = copy.resolve()
    if given == "dot":
        monkeypatch.chdir(copy)
        folder = Path(".")
    res = invoke("serve", "--scenarios", str(folder))
    assert res.exit_code == 0, res.stderr
    with TestClient(create_app()) as shipped, TestClient(create_app(folder)) as served:
        listed = served.get("/api/scenarios")
        assert listed.text == shipped.get("/api/scenarios").text
        names = [s["name"] for s in listed.json()]
        assert any(n.startswith("nato_") for n in names) and "uk_2030" in names
        for name in names:
            got = served.post("/api/run", json={"scenario": name})
            assert got.status_code in (200, 422), got.text
            assert got.text == shipped.post("/api/run", json={"scenario": name}).text
            assert str(tmp_path) not in got.text and str(tmp_path.resolve()) not in got.text
        bad = served.post("/api/run", json={"yaml": "extends: ../../x.yaml\n"})
        assert bad.status_code == 422
        assert "not a scenario in this server's scenarios folder" in bad.text
        assert str(tmp_path.resolve()) not in bad.text


@pytest.mark.parametrize("given", ["dot", "absolute"])
def test_a_folder_scenario_that_does_not_load_stops_serve(
    started: list[dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (tmp_path / "outside.yaml").write_text("meta:\n  title: x\n", encoding="utf-8")
    (folder / "ok.yaml").write_text(
        (ROOT / "scenarios" / "uk_baseline.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (folder / "broken.yaml").write_text("extends: ../outside.yaml\n", encoding="utf-8")
    arg = str(folder.resolve())
    if given == "dot":
        monkeypatch.chdir(folder)
        arg = "."
    res = invoke("serve", "--scenarios", arg)
    assert res.exit_code == 2
    assert res.stderr == (
        "mine/broken.yaml:1: extends: ../outside.yaml: not a scenario in this server's "
        "scenarios folder: a scenario sent to the server may extend only those, by name "
        "(e.g. extends: uk_baseline.yaml)\n"
    )
    assert len(res.stderr.splitlines()) == 1 and str(tmp_path.resolve()) not in res.stderr
    assert "broken.yaml" in res.stderr and "Traceback" not in res.stderr
    assert not started
