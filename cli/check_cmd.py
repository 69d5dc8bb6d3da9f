"""``budgetsim check FILE...``: a pass/fail answer for scripts and CI.

Each scenario is run; it passes when every fiscal rule holds in every year it is checked
and the defence target (the last milestone) is met. One line per file on stdout, problems
with the input on stderr. Exit code: 0 every file passes, 1 some file ran but failed (a
rule breached, the target missed, or the model diverged), 2 some file is bad input (this
wins over 1: every file is still checked).
"""

from __future__ import annotations

import sys

import typer

from budgetsim.cli import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK
from budgetsim.cli.common import FilesArg, QuietOpt, SetOpt
from budgetsim.cli.files import warn
from budgetsim.cli.present.emit import plain, plain_lines, share_pair
from budgetsim.errors import ScenarioError
from budgetsim.input.files import load_file
from budgetsim.model.guard import DivergenceError
from budgetsim.model.result import Result, RuleCheck, RuleOutcome, run

LIST_AT_MOST = 3  # breached years named one by one; beyond that, a count and the worst year


def breach(result: Result, rule: RuleOutcome) -> str | None:
    """The clause for a breached rule, or None when it holds in every year it is checked.

    A rule breached in more than LIST_AT_MOST years is summed up as the count, the first
    year and the worst year, so that one line stays readable for a 30-year horizon.

    Parameters
    ----------
    result : Result
        The run (for its currency unit).
    rule : RuleOutcome
        One of its rules.

    Returns
    -------
    str or None
        E.g. ``stability rule breached in 2029-30 (headroom -3.2 GBP bn)``.
    """
    bad = [c for c in rule.checks() if not c.passed]

    def headroom(c: RuleCheck) -> str:
        return f"headroom {c.headroom:+,.1f} {result.unit}"

    if not bad:
        return None
    if len(bad) > LIST_AT_MOST:
        worst = min(bad, key=lambda c: c.headroom)
        return (
            f"{rule.name} breached in {len(bad)} of {len(rule.years)} years checked "
            f"(first {bad[0].label}; worst {worst.label}, {headroom(worst)})"
        )
    return f"{rule.name} breached in " + ", ".join(f"{c.label} ({headroom(c)})" for c in bad)


def failures(result: Result) -> list[str]:
    """What a check fails on: each breached rule with its years, and a missed target."""
    out = [clause for rule in result.rules if (clause := breach(result, rule)) is not None]
    s = result.summary
    for t in result.targets:  # every target counting components, in every year it applies
        missed = t.missed(result.years)
        if missed:
            j = t.worst(result.years)
            target, reached = share_pair(t.share_pct, float(t.counted_pct[j]), met=False)
            checked = len(t.checked(result.years))
            where = (
                f"in {result.year_labels[j]} ({reached} %)"
                if checked == 1
                else f"in {len(missed)} of {checked} years (worst {result.year_labels[j]}, "
                f"{reached} %)"
            )
            out.append(f"{t.name} ({target} % of GDP) missed {where}")
    if result.targets:
        return out
    if s.target_met is False and s.target_year is not None and s.target_pct_gdp is not None:
        label = result.label(s.target_year)
        target, reached = share_pair(
            s.target_pct_gdp, s.defence_pct_gdp_in_target_year or 0.0, met=False
        )
        out.append(f"target {target} % of GDP in {label} missed ({reached} %)")
    return out


def passes(result: Result) -> str:
    """The line for a scenario that passes: what was checked."""
    parts = []
    s = result.summary
    if result.targets:
        n = len(result.targets)
        which = "1 target met in every year it applies"
        parts.append(which if n == 1 else f"{n} targets met in every year they apply")
    elif s.target_year is not None and s.target_pct_gdp is not None:
        label = result.label(s.target_year)
        target, _ = share_pair(s.target_pct_gdp, s.defence_pct_gdp_in_target_year or 0.0, met=True)
        parts.append(f"target {target} % of GDP in {label} met")
    else:
        parts.append("no target set")
    n = len(result.rules)
    parts.append(f"{n} fiscal rule{'' if n == 1 else 's'} hold" if n else "no fiscal rules set")
    return "; ".join(parts)


def check_command(
    files: FilesArg,
    set_: SetOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Exit 0 if every rule holds and the target is met in every file; 1 if not; 2 on bad input."""
    code = EXIT_OK
    for f in files:
        try:
            scenario = load_file(f, set_ or ())
            if not quiet:
                warn(scenario)
            result = run(scenario)
        except ScenarioError as exc:
            sys.stderr.write(f"{plain_lines(str(exc))}\n")
            code = EXIT_BAD_INPUT
            continue
        except DivergenceError as exc:
            sys.stdout.write(plain(f"{f}: FAIL: {exc}") + "\n")
            code = max(code, EXIT_CHECK_FAILED)
            continue
        failed = failures(result)
        if failed:
            sys.stdout.write(plain(f"{f}: FAIL: {'; '.join(failed)}") + "\n")
            code = max(code, EXIT_CHECK_FAILED)
        else:
            sys.stdout.write(plain(f"{f}: OK: {passes(result)}") + "\n")
    if code:
        raise typer.Exit(code)
