"""Errors packager reports to the user, each with its exit code.

    PackagerError            exit 1: bad input; the message names file and line
    ├── ConfigError          collection.toml or a flag is wrong (one or more problems)
    ├── StoryError           a story file cannot be read (one or more problems)
    └── OutputError          the output folder cannot be written

A usage mistake on the command line exits 2 (typer's convention). Any other
exception is a bug in packager: the CLI reports it as such and exits 3.
Third-party parsers are called inside ``parsing()``, so that what they raise
about a bad file is a refusal naming it, never an exit 3.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

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


# How many characters of a parser's own message a refusal quotes.
_MAX_REASON = 160


@contextmanager
def parsing(
    what: str, file: str, line: int | None = None, kind: type[PackagerError] = StoryError
) -> Iterator[None]:
    """The boundary around a third-party parser (lxml, expat, zipfile, tomllib, YAML...).

    Whatever the parser raises about its input (its own errors, but also the
    ValueError, KeyError, RecursionError or zlib.error a damaged file provokes)
    becomes a refusal naming the file: ``<file>: <what> (<the parser's reason>)``,
    exit 1, gathered with every other file's problems. Only the parser's call
    goes inside, so that a mistake in packager's own code stays a bug (exit 3).
    """
    try:
        yield
    except PackagerError:
        raise
    except RecursionError:
        raise kind([error(f"{what} (it is nested too deeply to read)", file, line)]) from None
    except MemoryError:
        raise kind([error(f"{what} (it needs more memory than there is)", file, line)]) from None
    except Exception as exc:
        raise kind([error(f"{what} ({reason(exc)})", file, line)]) from None


def reason(exc: BaseException) -> str:
    """A parser's complaint in one short line: its message, else the kind of error."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 3] + "..."


def info(message: str, file: str = "", line: int | None = None) -> Diagnostic:
    return Diagnostic(Severity.INFO, message, file, line)
