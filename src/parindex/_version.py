"""The package version (one place; the CLI and the HTTP service report it)."""

__version__ = "0.1.0"
