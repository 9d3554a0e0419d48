"""``python -m parindex`` runs the command line."""

import sys

from parindex.cli import main

sys.exit(main())
