"""``budgetsim serve``: the web page and JSON API (budgetsim.web) on uvicorn.

The web app needs the ``web`` extra (FastAPI, uvicorn); without it the command says how to
install it, in one line, exit code 2. The app is imported by name inside the command
(``importlib``), so no other command loads FastAPI and the command line has no import of
the web package (an import-linter contract).
"""

from __future__ import annotations

import importlib
import ipaddress
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from budgetsim.cli.common import fail

#: The one line printed when the extra is missing.
NEEDS_EXTRA = "budgetsim serve: needs the web extra; install it with: pip install 'budgetsim[web]'"
LOCAL = ("127.0.0.1", "localhost", "::1")


def _import(name: str) -> Any:
    return importlib.import_module(name)


def is_local(host: str) -> bool:
    """Whether ``host`` is a loopback address (only this machine can connect).

    Parameters
    ----------
    host : str
        ``--host``.

    Returns
    -------
    bool
    """
    if host in LOCAL:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address(host: str, port: int) -> str:
    """The page's address, as a browser takes it (an IPv6 host in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve_command(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default lets only this machine connect; "
            "another (0.0.0.0: every network) opens the page to others.",
            metavar="HOST",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    scenarios: Annotated[
        Path | None,
        typer.Option(
            "--scenarios",
            help="Serve the scenarios of this folder instead of the shipped ones.",
            metavar="DIR",
            file_okay=False,
            readable=False,
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(help="Worker processes (each answers requests on its own).", min=1, max=64),
    ] = 1,
) -> None:
    """Start the web page and JSON API (needs the web extra); Ctrl-C stops it."""
    try:
        uvicorn = _import("uvicorn")
        web_app = _import("budgetsim.web.app")
    except ImportError:
        fail(NEEDS_EXTRA)
    from budgetsim.errors import ScenarioError

    try:
        web_app.create_app(scenarios)  # checks the folder now, in one line, before listening
    except ScenarioError as exc:
        fail(str(exc))
    if not is_local(host):
        sys.stderr.write(
            f"warning: --host {host}: the page and API are open to every machine that can "
            "reach this one on that address, not only this one; it has no login. Use the "
            "default 127.0.0.1 unless that is what you want.\n"
        )
    sys.stdout.write(f"budgetsim serve: the page is at {address(host, port)} (Ctrl-C stops)\n")
    sys.stdout.flush()
    if scenarios is not None:
        # Every worker process builds its own app from the factory and reads the folder
        # (named as given: the workers start in this folder too).
        import os

        os.environ[web_app.SCENARIOS_ENV] = str(scenarios)
    uvicorn.run(
        "budgetsim.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
