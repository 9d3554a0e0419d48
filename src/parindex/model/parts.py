"""The parts a methodology is made of and cites: sources, the issuing decision, score
components, and the administrative units it scores.

All classes are frozen and slotted and check their fields when built.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any, Literal, TypeAlias

import attrs

from parindex.errors import MethodologyError

__all__ = [
    "COMPONENT_ID_PATTERN",
    "AdministrativeUnit",
    "Decision",
    "Method",
    "ScoreComponent",
    "Source",
]

Method: TypeAlias = Literal["appraisal", "survey"]
"""How a leaf is scored: appraised self-assessment (thẩm định) or survey (điều tra XHH)."""

COMPONENT_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
"""What a score component id looks like: a lower-case identifier (``leader_survey``).
Which components exist is data (``parindex/data/components.yaml``), not code: a new
decision's new component needs no change here."""

_COMPONENT_ID = re.compile(COMPONENT_ID_PATTERN)
_LEVEL = re.compile(r"^[a-z][a-z0-9_]*$")


def _strs(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


def _opt_float(x: object) -> float | None:
    # + 0.0: a maximum written -0 is 0 (its sign would only ever show as "-0.0").
    return None if x is None else float(x) + 0.0  # type: ignore[arg-type]


def check_label(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    r"""Refuse a label (a name, a band label) that is not text, or
    that holds a control character or a lone surrogate: labels are printed to
    terminals and written to files, where such a character would act, not show.

    Example:
        >>> from parindex.model.methodology import Band
        >>> Band("A\x1b[2J", lower=90)
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: label 'A\x1b[2J' holds the control character U+001B; delete it
    """
    if not isinstance(value, str):
        raise MethodologyError(f"{attribute.name} {value!r} must be text")
    for ch in value:
        code = ord(ch)
        if (code < 0x20 and ch not in "\t\n\r") or 0x7F <= code < 0xA0 or 0xD800 <= code < 0xE000:
            kind = "a lone surrogate" if code >= 0xD800 else "the control character"
            raise MethodologyError(
                f"{attribute.name} {value!r} holds {kind} U+{code:04X}; delete it"
            )


def _check_component_id(_inst: object, _attr: object, value: str) -> None:
    if not isinstance(value, str) or not _COMPONENT_ID.fullmatch(value):
        raise MethodologyError(
            f"score component id {value!r} is not well formed (a lower-case identifier, "
            "e.g. 'sipas' or 'leader_survey')",
            node=str(value),
        )


def _check_max(_inst: object, attribute: attrs.Attribute[float | None], x: float | None) -> None:
    if x is not None and not (math.isfinite(x) and x >= 0):
        raise MethodologyError(f"{attribute.name} must be a finite number >= 0, got {x!r}")


@attrs.frozen
class Source:
    """Where a fact comes from: a URL and a confidence label.

    Confidence: ``P`` primary text, ``S`` secondary report quoting it, ``I`` inference.

    Example:
        >>> from parindex.model.parts import Source
        >>> Source("https://example.org/qd-876", "S").confidence
        'S'
    """

    url: str = attrs.field(validator=attrs.validators.min_len(1))
    confidence: Literal["P", "S", "I"] = attrs.field(
        default="S", validator=attrs.validators.in_(("P", "S", "I"))
    )
    note: str = ""


@attrs.frozen
class Decision:
    """The legal act that issues a methodology (quyết định).

    Example:
        >>> import datetime as dt
        >>> from parindex.model.parts import Decision
        >>> Decision("876/QĐ-BNV", dt.date(2022, 11, 10), "Bộ Nội vụ").number
        '876/QĐ-BNV'
    """

    number: str | None
    date: dt.date | None = None
    issuer: str | None = None
    title: str | None = None
    effective: dt.date | None = None
    """Date the decision takes effect (hiệu lực), when the source states it."""
    replaces: str | None = None
    """The decision this one replaces (thay thế), as written in the source."""


@attrs.frozen
class ScoreComponent:
    """A score component (e.g. appraisal 61.5 + impact 6.5 + leader survey 22 +
    SIPAS 10 = 100 in the 2023 provincial index): a second way to split the total,
    across fields. ``allow_na`` marks an optional component (Hà Nội's survey): a unit
    that did not hold it has it removed from the maximum.

    ``id`` is any lower-case identifier; the components known so far, with their
    names, are listed by :func:`parindex.io.components.score_components`, and
    :func:`parindex.check_methodology` warns about an id not among them.

    Example:
        >>> from parindex.model.parts import ScoreComponent
        >>> ScoreComponent("sipas", 10.0).max_points
        10.0
        >>> ScoreComponent("Survey 2")
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: score component id 'Survey 2' is not well formed (a lower-case identifier, e.g. 'sipas' or 'leader_survey')
    """

    id: str = attrs.field(validator=_check_component_id)
    max_points: float | None = attrs.field(default=None, converter=_opt_float, validator=_check_max)
    name_vi: str = attrs.field(default="", validator=check_label)
    name_en: str = attrs.field(default="", validator=check_label)
    method: Method | None = None
    allow_na: bool = False
    source: str | None = None


@attrs.frozen
class AdministrativeUnit:
    """A unit that is scored: a ministry, province, department (sở), district (huyện),
    commune (xã), ward (phường), special zone (đặc khu), ...

    ``level`` is an open set of lower-case names; ``group`` is the peer group the unit
    is ranked in.

    Example:
        >>> from parindex.model.parts import AdministrativeUnit
        >>> AdministrativeUnit("66", "Đắk Lắk", "province").name
        'Đắk Lắk'
    """

    code: str = attrs.field(validator=attrs.validators.min_len(1))
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    level: str = attrs.field(validator=attrs.validators.matches_re(_LEVEL))
    parent: str | None = None
    group: str | None = None
    name_en: str | None = None
