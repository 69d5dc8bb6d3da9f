"""The golden corpus: what every command prints, in every format, on every shipped scenario.

A refactor must change no output. This script runs each case of :func:`cases` through the
command line in-process (as ``budgetsim ARGS...``, from the repository root) and records its
exit code, stdout, stderr and any file it writes under ``tests/golden/corpus/``. Images
(PNG, PDF) and workbooks (xlsx) are recorded by their SHA-256 only: their bytes depend on
the matplotlib, FreeType and openpyxl versions installed, the text does not; a folder a
command fills is recorded by the list of its files.

    .venv/bin/python scripts/golden_corpus.py           # regenerate the corpus
    .venv/bin/python scripts/golden_corpus.py --check   # compare, list every difference

``tests/test_golden_corpus.py`` runs the text cases in ``make test``. When an output is
changed on purpose, regenerate the corpus in a commit of its own and list the change.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "golden" / "corpus"
FORMATS = ("table", "csv", "json", "markdown")
#: Small enough to keep the corpus quick; the fan's numbers are a seed's, exactly.
FAN_DRAWS = "3000"
#: The UK baselines, one per OBR forecast: compared, they show the forecast revisions.
VINTAGES = ("uk_baseline", "uk_baseline_nov2025", "uk_baseline_mar2026")


@dataclass(frozen=True)
class Case:
    name: str  # file name in the corpus, without suffix
    args: tuple[str, ...]  # command-line arguments after `budgetsim`
    outputs: tuple[str, ...] = ()  # files the command writes (relative to a scratch folder)


def _scenarios() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "scenarios").glob("*.yaml"))


def _stem(path: str) -> str:
    return Path(path).stem


def cases() -> Iterator[Case]:
    """Every case, in a fixed order."""
    files = _scenarios()
    uk = [f for f in files if _stem(f).startswith("uk_")]
    nato = [f for f in files if _stem(f).startswith("nato_")]
    ruled = [f for f in files if _stem(f) not in ("nato_united_states", "nato_canada")]
    for f in files:
        for fmt in FORMATS:
            yield Case(f"run.{_stem(f)}.{fmt}", ("run", f, "-f", fmt))
    yield Case(
        "run.uk_2030.set",
        ("run", "scenarios/uk_2030.yaml", "--set", "defence.milestones={2030: 3.5}"),
    )
    yield Case(
        "run.uk_2030.output",
        ("run", "scenarios/uk_2030.yaml", "-f", "csv", "-o", "out.csv"),
        ("out.csv",),
    )
    yield Case("run.uk_2030.csv-raw-units", ("run", "scenarios/uk_2030.yaml", "-f", "csv",
                                             "--raw", "--units"))  # fmt: skip
    yield Case(
        "run.uk_2030.xlsx",
        ("run", "scenarios/uk_2030.yaml", "-f", "xlsx", "-o", "out.xlsx"),
        ("out.xlsx",),
    )
    for group, members in (("uk", uk), ("nato", nato), ("all", files)):
        for fmt in FORMATS:
            yield Case(f"compare.{group}.{fmt}", ("compare", *members, "-f", fmt))
            yield Case(
                f"compare.{group}.metric.{fmt}",
                ("compare", *members, "--metric", "debt_pct_gdp", "-f", fmt),
            )
    yield Case("compare.uk.year", ("compare", *uk, "--year", "2029"))
    for fmt in FORMATS:
        yield Case(
            f"compare.uk.baseline.{fmt}",
            ("compare", *uk, "--baseline", "scenarios/uk_baseline.yaml", "--year", "2029",
             "-f", fmt),
        )  # fmt: skip
    vintages = [f"scenarios/{v}.yaml" for v in VINTAGES]
    yield Case("compare.vintages", ("compare", *vintages, "--year", "2029"))
    yield Case("compare.vintages.json", ("compare", *vintages, "--year", "2029", "-f", "json"))
    yield Case("validate.all", ("validate", *files))
    yield Case("check.all", ("check", *files))
    yield Case(
        "check.uk_2030.set",
        ("check", "scenarios/uk_2030.yaml", "--set", "defence.milestones.2030=2.6"),
    )
    yield Case("schema.json", ("schema",))
    yield Case("schema.markdown", ("schema", "-f", "markdown"))
    for f in ruled:
        yield Case(f"solve.{_stem(f)}.max-share", ("solve", f, "--for", "max-share", "-f", "json"))
        yield Case(
            f"solve.{_stem(f)}.earliest-year",
            ("solve", f, "--for", "earliest-year", "--share", "3", "-f", "json"),
        )
    for f in uk:
        yield Case(f"solve.{_stem(f)}.min-cuts", ("solve", f, "--for", "min-cuts", "-f", "json"))
    for fmt in FORMATS:
        yield Case(
            f"solve.uk_baseline.max-share.{fmt}",
            (
                "solve",
                "scenarios/uk_baseline.yaml",
                "--for",
                "max-share",
                "--year",
                "2029",
                "-f",
                fmt,
            ),
        )
        yield Case(
            f"solve.uk_2030.min-cuts-share.{fmt}",
            (
                "solve",
                "scenarios/uk_2030.yaml",
                "--for",
                "min-cuts",
                "--share",
                "2.6",
                "--year",
                "2029",
                "-f",
                fmt,
            ),
        )
    yield Case(
        "solve.uk_2030.tax-rise",
        (
            "solve",
            "scenarios/uk_2030.yaml",
            "--for",
            "tax-rise",
            "--share",
            "3",
            "--year",
            "2029",
            "--discount",
            "3.5",
            "--set",
            "funding.tax_freeze=false",
            "--set",
            "funding.sources=[{name: income_tax, kind: tax}]",
        ),
    )
    yield Case(
        "solve.uk_2030.write-scenario",
        (
            "solve",
            "scenarios/uk_2030.yaml",
            "--for",
            "min-cuts",
            "--share",
            "2.6",
            "--year",
            "2029",
            "--write-scenario",
            "solved.yaml",
        ),
        ("solved.yaml",),
    )
    yield Case(
        "solve.uk_baseline.write-scenario",
        (
            "solve",
            "scenarios/uk_baseline.yaml",
            "--for",
            "max-share",
            "--year",
            "2029",
            "--write-scenario",
            "solved.yaml",
        ),
        ("solved.yaml",),
    )
    yield Case(
        "solve.uk_baseline.max-share.verbose",
        ("solve", "scenarios/uk_baseline.yaml", "--for", "max-share", "--year", "2029", "-v"),
    )
    yield Case(
        "solve.uk_2030.min-cuts-infeasible",
        ("solve", "scenarios/uk_2030.yaml", "--for", "min-cuts", "--share", "3", "--year", "2029"),
    )
    for fmt in FORMATS:
        yield Case(
            f"frontier.uk_2030.{fmt}",
            ("frontier", "scenarios/uk_2030.yaml", "--years", "2027..2033", "-f", fmt),
        )
    yield Case(
        "frontier.uk_2030.dropped",
        ("frontier", "scenarios/uk_2030.yaml", "--targets", "3,5", "--years", "2027..2035"),
    )
    yield Case(
        "frontier.uk_2030.dropped.verbose",
        ("frontier", "scenarios/uk_2030.yaml", "--targets", "3,5", "--years", "2027..2035",
         "--verbose"),
    )  # fmt: skip
    for f in ruled:
        yield Case(
            f"frontier.{_stem(f)}",
            ("frontier", f, "--targets", "2.5,3.5,5", "--years", "2029,2031,2035", "-f", "json"),
        )
    for f in uk:
        yield Case(f"fan.{_stem(f)}", ("fan", f, "--draws", FAN_DRAWS, "--seed", "7", "-f", "json"))
    for fmt in FORMATS:
        yield Case(
            f"fan.uk_2030.{fmt}",
            ("fan", "scenarios/uk_2030.yaml", "--draws", FAN_DRAWS, "--workers", "2", "-f", fmt),
        )
    yield Case(
        "fan.uk_2030.verbose",
        ("fan", "scenarios/uk_2030.yaml", "--draws", FAN_DRAWS, "--verbose"),
    )
    for f in files:
        yield Case(f"stress.{_stem(f)}", ("stress", f, "-f", "json"))
    yield Case("stress.uk_2030.verbose", ("stress", "scenarios/uk_2030.yaml", "--verbose"))
    for fmt in FORMATS:
        yield Case(f"stress.uk_2030.{fmt}", ("stress", "scenarios/uk_2030.yaml", "-f", fmt))
    yield Case(
        "stress.uk_2030.year",
        ("stress", "scenarios/uk_2030.yaml", "--year", "2030", "-t", "gilts_1pp"),
    )
    for fmt in ("table", "json", "yaml"):
        yield Case(
            f"calibrate.{fmt}",
            ("calibrate", "--exclude", "2020", "--exclude", "2021", "-f", fmt),
        )
    yield Case("calibrate.from-to", ("calibrate", "--from", "1993", "--to", "2019"))
    for chart in ("defence-share", "defence-cash", "funding", "debt", "headroom"):
        yield Case(
            f"plot.uk.{chart}", ("plot", *uk, "--chart", chart, "-o", "chart.png"), ("chart.png",)
        )
    yield Case("plot.nato.defence-share", ("plot", *nato, "-o", "chart.png"), ("chart.png",))
    yield Case(
        "plot.uk_2030.pdf-title-size",
        ("plot", "scenarios/uk_2030.yaml", "--chart", "debt", "--title", "UK debt",
         "--size", "10x5", "-o", "chart.pdf"),
        ("chart.pdf",),
    )  # fmt: skip
    yield Case(
        "plot.uk_2030.svg",
        ("plot", "scenarios/uk_2030.yaml", "--chart", "debt", "-o", "chart.svg"),
        ("chart.svg",),
    )
    yield Case(
        "plot.uk_2030.fan",
        (
            "plot",
            "scenarios/uk_2030.yaml",
            "--chart",
            "fan",
            "--draws",
            FAN_DRAWS,
            "-o",
            "chart.png",
        ),
        ("chart.png",),
    )
    yield Case(
        "plot.uk_2030.frontier",
        (
            "plot",
            "scenarios/uk_2030.yaml",
            "--chart",
            "frontier",
            "--years",
            "2027..2031",
            "-o",
            "chart.png",
        ),
        ("chart.png",),
    )
    yield Case(
        "report.uk_2030.md",
        ("report", "scenarios/uk_2030.yaml", "-o", "rep.md"),
        ("rep.md", "rep-defence-share.png", "rep-debt.png"),
    )
    yield Case(
        "report.uk_nato.html",
        ("report", "scenarios/uk_2030.yaml", "scenarios/nato_germany.yaml", "-o", "rep.html"),
        ("rep.html",),
    )
    yield Case("examples", ("examples", "ex"), ("ex",))
    # serve would listen for ever: only its refusals, which stop before the server starts.
    yield Case("serve.no-such-folder", ("serve", "--scenarios", "no-such-folder"))
    yield Case("serve.port", ("serve", "--port", "0"))
    # Components on cash paths and with funding of their own (docs/scenarios.md's example).
    example = "docs/examples/uk_ukraine_cash.yaml"
    for fmt in FORMATS:
        yield Case(f"run.example_ukraine_cash.{fmt}", ("run", example, "-f", fmt))
    yield Case(
        "run.example_ukraine_cash.real",
        ("run", example, "--set", "defence.components.1.cash_prices=real"),
    )
    yield Case(
        "run.example_ukraine_cash.shares",
        (
            "run",
            example,
            "--set",
            "defence.components.0.funding.mode=shares",
            "--set",
            "defence.components.0.funding.sources.0.share=50",
        ),
    )
    yield Case(
        "solve.example_ukraine_cash.max-share",
        ("solve", example, "--for", "max-share", "-f", "json"),
    )
    yield Case(
        "solve.example_ukraine_cash.min-cuts",
        (
            "solve",
            example,
            "--for",
            "min-cuts",
            "--set",
            "defence.components.0.milestones={2027: 3.2}",
            "--write-scenario",
            "solved.yaml",
        ),
        ("solved.yaml",),
    )
    yield Case(
        "fan.example_ukraine_cash",
        ("fan", example, "--draws", FAN_DRAWS, "--seed", "7", "-f", "json"),
    )
    yield Case("stress.example_ukraine_cash", ("stress", example, "-f", "json"))
    # Sweeps and sensitivity (docs/sweeps.md): a small grid in every format, with draws,
    # a grouped key, a bad key; Sobol and Morris indices.
    hague = "scenarios/uk_hague_2035.yaml"
    grid = ("--vary", "economy.real_growth+=-1:1:1", "--vary", "interest.long_rate+=0,1")
    for fmt in FORMATS:
        yield Case(f"sweep.uk_hague_2035.{fmt}", ("sweep", hague, *grid, "-f", fmt))
    yield Case(
        "sweep.uk_hague_2035.draws",
        ("sweep", hague, "--vary", "interest.long_rate+=0,1", "--draws", "500", "--seed", "7",
         "-f", "csv", "--raw"),
    )  # fmt: skip
    yield Case(
        "sweep.uk_hague_2035.grouped",
        ("sweep", hague, "--vary", "defence.targets.0.year=2033,2035", "--vary",
         "defence.components.3.base_share=0.5,1.5", "-f", "json"),
    )  # fmt: skip
    yield Case("sweep.bad-key", ("sweep", hague, "--vary", "economy.nope=0:1:1"))
    ranges = ("--vary", "economy.real_growth+=-1:1", "--vary", "interest.long_rate+=-1:1")
    for fmt in ("table", "json"):
        yield Case(
            f"sensitivity.uk_hague_2035.sobol.{fmt}",
            ("sensitivity", hague, *ranges, "--samples", "128", "-f", fmt),
        )
    yield Case(
        "sensitivity.uk_hague_2035.morris",
        ("sensitivity", hague, *ranges, "--method", "morris", "--samples", "16", "-f", "csv"),
    )
    for bad in sorted((ROOT / "tests" / "fixtures" / "bad").glob("*.yaml")):
        yield Case(f"bad.{bad.stem}", ("run", str(bad.relative_to(ROOT))))
    yield Case("bad.set", ("run", "scenarios/uk_2030.yaml", "--set", "defence.milestones.2030=abc"))
    yield Case(
        "bad.warning", ("run", "scenarios/uk_2030.yaml", "--set", "defence.milestones.2030=0.035")
    )


def _record(case: Case) -> dict[str, str | bytes]:
    """Run one case; its outputs by corpus file name (text as str, images as bytes)."""
    from typer.testing import CliRunner

    from budgetsim.cli.app import app

    scratch = Path(tempfile.mkdtemp(prefix="golden-"))
    args = [str(scratch / a) if a in case.outputs else a for a in case.args]
    try:
        res = CliRunner().invoke(app, args)
        text = f"$ budgetsim {' '.join(case.args)}\n[exit {res.exit_code}]\n"
        text += "--- stdout\n" + res.stdout.replace(str(scratch) + "/", "")
        text += "--- stderr\n" + res.stderr.replace(str(scratch) + "/", "")
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            text += f"--- exception\n{type(res.exception).__name__}: {res.exception}\n"
        out: dict[str, str | bytes] = {f"{case.name}.txt": text}
        for name in case.outputs:
            path = scratch / name
            key = f"{case.name}.{name}"
            if not path.exists():
                out[key] = "(not written)\n"
            elif path.is_dir():
                found = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
                out[key + ".files"] = "".join(f"{f}\n" for f in found)
            elif name.endswith((".png", ".xlsx", ".pdf")):
                out[key + ".sha256"] = hashlib.sha256(path.read_bytes()).hexdigest() + "\n"
            else:
                out[key] = path.read_text(encoding="utf-8").replace(str(scratch) + "/", "")
        return out
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def generate(selected: list[Case]) -> dict[str, str | bytes]:
    os.chdir(ROOT)
    out: dict[str, str | bytes] = {}
    for case in selected:
        out.update(_record(case))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    parser.add_argument("-k", default="", help="only cases whose name contains this")
    args = parser.parse_args()
    selected = [c for c in cases() if args.k in c.name]
    got = generate(selected)
    if args.check:
        diffs = []
        for name, value in got.items():
            path = CORPUS / name
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old != value:
                diffs.append(name)
        for name in diffs:
            print(f"differs: {name}")
        print(f"{len(got) - len(diffs)} of {len(got)} outputs identical")
        return 1 if diffs else 0
    if not args.k:
        shutil.rmtree(CORPUS, ignore_errors=True)
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, value in got.items():
        (CORPUS / name).write_text(str(value), encoding="utf-8")
    print(f"{len(got)} outputs written to {CORPUS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
