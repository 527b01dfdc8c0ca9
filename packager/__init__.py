"""packager: a folder of stories to a finished anthology, as EPUB 3 and PDF."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("packager")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
