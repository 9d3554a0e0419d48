"""pytest runs the ``>>>`` blocks of every page under docs/ (``--doctest-glob=*.md``).

The griffe extension used by the docs build is not a page and needs griffe, which only
the ``docs`` extra installs, so it is not collected.
"""

collect_ignore_glob = ["_griffe/*"]
