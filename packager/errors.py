"""Errors packager reports to the user, each with its exit code.

    PackagerError            exit 1: bad input; the message names file and line
    ├── ConfigError          collection.toml or a flag is wrong (one or more problems)
    ├── StoryError           a story file cannot be read (one or more problems)
    └── OutputError          the output folder cannot be written

A usage mistake on the command line exits 2 (typer's convention). Any other
exception is a bug in packager: the CLI reports it as such and exits 3.
"""

from __future__ import annotations

from collections.abc import Iterable

from packager.model import Diagnostic, Severity


class PackagerError(Exception):
    """Bad input: shown to the user as one line per problem, then exit 1."""

    exit_code = 1

    def __init__(self, problems: Iterable[Diagnostic | str]) -> None:
        self.problems: tuple[Diagnostic, ...] = tuple(
            p if isinstance(p, Diagnostic) else Diagnostic(Severity.ERROR, p) for p in problems
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(PackagerError):
    """collection.toml (or a command-line setting) is invalid."""


class StoryError(PackagerError):
    """One or more story files cannot be turned into a book."""


class OutputError(PackagerError):
    """The book could not be written where it was asked to go."""


def error(message: str, file: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(Severity.ERROR, message, file, line)


def warning(message: str, file: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(Severity.WARNING, message, file, line)


def info(message: str, file: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(Severity.INFO, message, file, line)
