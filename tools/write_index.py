"""Regenerate the catalogue index of the shipped methodologies.

    python tools/write_index.py          # rewrite src/parindex/data/methodologies/index.json
    python tools/write_index.py --check  # exit 1 if the index is out of date

Run it after adding or editing a methodology file (tests/test_catalogue_index.py fails
until then). The index lets a lookup parse only the file it needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from parindex.io.catalogue import INDEX_FILE, build_index, write_index
from parindex.io.safe import dump_json

FOLDER = Path(__file__).resolve().parents[1] / "src" / "parindex" / "data" / "methodologies"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    parser.add_argument("folder", nargs="?", type=Path, default=FOLDER)
    args = parser.parse_args(argv)
    if args.check:
        current = (args.folder / INDEX_FILE).read_text(encoding="utf-8")
        if current != dump_json(build_index(args.folder)) + "\n":
            print(f"{args.folder / INDEX_FILE} is out of date: run python tools/write_index.py")
            return 1
        print(f"{args.folder / INDEX_FILE} is up to date")
        return 0
    print(f"wrote {write_index(args.folder)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
