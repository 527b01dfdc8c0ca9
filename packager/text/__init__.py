"""Text: the pure text stage (cleanup, typography, hygiene, languages) and the XHTML
fragment tools every stage shares. Exports clean(story) -> Story."""

from packager.text.cleanup import clean

__all__ = ["clean"]
