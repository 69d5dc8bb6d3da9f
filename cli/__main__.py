"""The ``budgetsim`` console script (also ``python -m budgetsim.cli``).

A command people run many times should start and stop fast (the project's target: at most 0.5 s for
``budgetsim run scenarios/uk_2030.yaml``). Two costs here are not the model's:

- the cyclic garbage collector runs again and again while numpy, pydantic and typer import
  and build their objects, none of which become garbage in a run this short;
- at exit the interpreter tears down every module it imported, object by object (about
  0.1 s with pydantic's schemas).

So the collector is off for the life of the process, and once the command has finished
and its output is flushed, the process ends at once. Files are written and closed before
(:func:`budgetsim.cli.files.commit` syncs and renames), so nothing is lost. Library users
and the tests, which call :data:`budgetsim.cli.app.app`, are not affected.
"""

from __future__ import annotations

import gc
import os
import sys


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def main() -> None:
    """Run the ``budgetsim`` command line, then end the process at once with its exit code.

    The garbage collector stays off, and the interpreter's teardown is skipped once the
    output is flushed (see the module docstring); a reader that went away early (a broken
    pipe) makes the exit code 1 if it was 0.
    """
    gc.disable()
    from budgetsim.cli.app import app

    try:
        app()
        status = 0
    except SystemExit as exc:
        status = _exit_code(exc.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (``budgetsim run ... | head``)
        status = status or 1
    os._exit(status)


if __name__ == "__main__":
    main()
