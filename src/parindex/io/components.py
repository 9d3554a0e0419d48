"""The score components (khối điểm) known to PAR INDEX methodologies, read from
``parindex/data/components.yaml`` with their names and sources.

The list is data, not a closed set in code: a methodology may declare any component
whose id is a lower-case identifier, and :func:`parindex.check_methodology` warns
about one not listed here, so that a new decision's new component is a data change.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import attrs

from parindex.io.safe import safe_parse
from parindex.model.parts import Method, Source

__all__ = ["COMPONENT_IDS", "KnownComponent", "score_components"]

COMPONENT_IDS: tuple[str, ...]
"""The ids of the known score components, in the order of the data file (read on first
use). Formerly a closed list in the model; any lower-case identifier is now accepted.

Example:
    >>> import parindex
    >>> parindex.io.components.COMPONENT_IDS
    ('appraisal', 'survey', 'sipas', 'leader_survey', 'impact')
"""


@attrs.frozen
class KnownComponent:
    """A score component some methodology is known to use, with its usual names and
    the source that shows it in use.

    Example:
        >>> import parindex
        >>> sipas = parindex.io.components.score_components()[2]
        >>> sipas.id, sipas.name_en, sipas.method
        ('sipas', 'Citizen and organisation satisfaction (SIPAS)', 'survey')
    """

    id: str
    name_vi: str
    name_en: str
    method: Method | None
    source: Source


@functools.cache
def score_components() -> tuple[KnownComponent, ...]:
    """The known score components, in the order of the data file.

    Example:
        >>> import parindex
        >>> [c.id for c in parindex.io.components.score_components()]
        ['appraisal', 'survey', 'sipas', 'leader_survey', 'impact']
    """
    entry = resources.files("parindex") / "data" / "components.yaml"
    data: dict[str, Any] = safe_parse(entry.read_text(encoding="utf-8"), name=entry.name)
    sources = {key: Source(**value) for key, value in data["sources"].items()}
    return tuple(
        KnownComponent(
            id=c["id"],
            name_vi=c["name_vi"],
            name_en=c["name_en"],
            method=c.get("method"),
            source=sources[c["source"]],
        )
        for c in data["components"]
    )


def __getattr__(name: str) -> tuple[str, ...]:
    # COMPONENT_IDS is read from the data file on first use, not at import.
    if name == "COMPONENT_IDS":
        return tuple(c.id for c in score_components())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
