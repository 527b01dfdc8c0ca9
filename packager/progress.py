"""How far a build has come, for whoever shows it (the command line).

The stages call ``stage`` when they start (with how many steps they have,
when they know) and ``advance`` after each step; ``Silent`` is the default
and does nothing, so the library and the tests need no terminal.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None = None) -> None:
        """A stage begins: 'reading', 'epub', 'pdf', 'writing'."""

    def advance(self, steps: int = 1) -> None:
        """Steps of the current stage are done (a story read, a story laid out)."""

    def more(self, steps: int) -> None:
        """The current stage found more to do than it said."""


class Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass

    def more(self, steps: int) -> None:
        pass
