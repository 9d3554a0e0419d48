"""The ``parindex`` command line (argparse), one module per command group.

Example:
    >>> from parindex.cli import main
    >>> main(["score", "-m", "province-2017", "examples/no-such-file.csv"])
    2
"""

from __future__ import annotations

from parindex.cli.run import build_parser, main

__all__ = ["build_parser", "main"]
