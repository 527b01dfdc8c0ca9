"""packager: a folder of stories to a finished anthology, as EPUB 3 and PDF."""

# The one place the version is written (pyproject.toml reads it from here).
__version__ = "0.1.0"
