"""packager check: what the stories hold and what packager changed; --targets: the preflight."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from packager.binding.outputs import binding_for
from packager.build import BuildOptions, epub_bytes, undrawn_problems
from packager.cli import report
from packager.cli.binding import check_pdf
from packager.cli.common import (
    SourceArg,
    StrictOpt,
    ThemeOpt,
    app,
    err,
    guard,
    out,
    print_diagnostics,
)
from packager.cli.display import print_changes, print_table
from packager.epub.preflight import TARGETS, preflight
from packager.errors import PackagerError
from packager.load import load_stories
from packager.model import Severity
from packager.paths import display_path

TargetsOpt = Annotated[
    str | None,
    typer.Option(
        "--targets",
        help="Preflight the EPUB (SOURCE's, or an .epub file) for kindle,kobo,apple.",
    ),
]


@app.command("check")
def check_command(
    source: SourceArg = Path("stories"),
    theme: ThemeOpt = None,
    strict: StrictOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    targets: TargetsOpt = None,
) -> None:
    """Read and clean every story, write nothing, and show what was found and changed.

    With --targets (or an .epub file as SOURCE): check the EPUB for reading devices.
    With an imposed .pdf: prove its sheets (every page once, in its cell, paired, creep).
    """
    if source.suffix.lower() == ".pdf" and targets is None:
        check_pdf(source)
        return
    if targets is not None or source.suffix.lower() == ".epub":
        _preflight(source, targets or ",".join(TARGETS), theme, strict, as_json)
        return
    if as_json:
        try:
            loaded = load_stories(source, BuildOptions(theme=theme), css=True)
            binding_for(loaded.config, ())  # [binding]'s values, with their lines
            undrawn = undrawn_problems(loaded)
        except PackagerError as exc:
            out.print_json(data=report.error_report(exc.problems))
            raise typer.Exit(exc.exit_code) from None
        data = report.check_report(loaded)
        data["errors"] = [report.diagnostic(d) for d in undrawn]
        out.print_json(data=data)
    else:
        loaded = guard(lambda: load_stories(source, BuildOptions(theme=theme), css=True))
        guard(lambda: binding_for(loaded.config, ()))  # [binding]'s values, with their lines
        undrawn = guard(lambda: undrawn_problems(loaded))
        print_table(loaded)
        for line in report.untypeset(loaded):
            out.print(escape(line))
        print_changes(loaded)
        print_diagnostics([*loaded.diagnostics, *undrawn])
    if undrawn:  # the PDF would print them as blanks: a build refuses them
        raise typer.Exit(1)
    if strict and loaded.warnings():
        err.print(f"{len(loaded.warnings())} warning(s) with --strict: failing")
        raise typer.Exit(1)


def _preflight(source: Path, targets: str, theme: str | None, strict: bool, as_json: bool) -> None:
    chosen = [t.strip().lower() for t in targets.split(",") if t.strip()]
    unknown = [t for t in chosen if t not in TARGETS]
    if unknown or not chosen:
        raise typer.BadParameter(
            f"unknown target {', '.join(unknown) or '(none)'}; choose from {', '.join(TARGETS)}",
            param_hint="--targets",
        )
    name = display_path(source)
    if source.is_dir():
        data = guard(lambda: epub_bytes(source, BuildOptions(theme=theme)))
    else:
        try:
            data = source.read_bytes()
        except OSError as exc:
            err.print(f"error: {escape(name)}: cannot read ({exc.strerror or exc})")
            raise typer.Exit(1) from None
    findings = guard(lambda: preflight(data, chosen, name))
    if as_json:
        out.print_json(data=[
            {"code": f.code, "target": f.rule.target, "severity": f.rule.severity.value,
             "file": f.file, "message": f.text(), "fix": f.rule.fix}
            for f in findings
        ])  # fmt: skip
    for f in [] if as_json else findings:
        err.print(
            f"{f.rule.severity.value}: {f.code} {escape(f'[{f.rule.target}]')} "
            f"{escape(f.text())}\n  fix: {escape(f.rule.fix)}"
        )
    if not as_json:
        out.print(f"{name}: {len(findings)} finding(s) for {', '.join(chosen)}")
    errors = [f for f in findings if f.rule.severity is Severity.ERROR]
    if errors or (strict and findings):
        raise typer.Exit(1)
