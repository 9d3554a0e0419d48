"""The closed set of rule kinds: the :data:`Rule` union, :data:`RULE_KINDS`, and
building a rule from its plain-data form (as in methodology files)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from parindex.errors import MethodologyError
from parindex.rules.base import _param
from parindex.rules.choices import Categorical, Level, YesNo
from parindex.rules.deduction import Deduction
from parindex.rules.direct import DirectPoints
from parindex.rules.proportional import Proportional
from parindex.rules.tiers import PercentTiers, Tier

__all__ = ["RULE_KINDS", "Rule", "flag_setting", "rule_from_dict"]

Rule: TypeAlias = PercentTiers | YesNo | Categorical | Proportional | Deduction | DirectPoints
"""Any of the rule kinds."""

RULE_KINDS: dict[str, type[Rule]] = {
    cls.kind: cls
    for cls in (PercentTiers, YesNo, Categorical, Proportional, Deduction, DirectPoints)
}


def flag_setting(x: object, what: str, default: bool) -> bool:
    """A yes/no setting: ``true`` or ``false`` (the text "false" is truthy in Python).

    Example:
        >>> from parindex.rules.kinds import flag_setting
        >>> flag_setting(None, "proportional rate", True), flag_setting(False, "rate", True)
        (True, False)
        >>> flag_setting("false", "proportional rate", True)
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: proportional rate must be true or false, got 'false'
    """
    if x is None:
        return default
    if not isinstance(x, bool):
        raise MethodologyError(f"{what} must be true or false, got {x!r}")
    return x


def _level(data: object) -> Level:
    if not isinstance(data, Mapping):
        raise MethodologyError(f"a level must be a mapping, got {data!r}")
    unknown = set(data) - {"label", "points", "aliases"}
    if unknown:
        raise MethodologyError(f"level has unknown keys {sorted(map(str, unknown))}")
    label, aliases = data.get("label"), data.get("aliases", [])
    if not isinstance(label, str) or not label.strip():
        raise MethodologyError(f"a level label must be text, got {label!r}")
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise MethodologyError(f"level {label!r}: aliases must be a list of text, got {aliases!r}")
    if "points" not in data:
        raise MethodologyError(f"level {label!r} has no 'points'")
    return Level(label, _param(data["points"], f"points of level {label!r}"), tuple(aliases))


def _only(data: Mapping[str, Any], allowed: set[str], kind: str) -> None:
    unknown = set(data) - allowed - {"kind"}
    if unknown:
        raise MethodologyError(f"rule {kind!r} has unknown keys {sorted(unknown)}")


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build a rule from its plain-data form (as in methodology files).

    Example:
        >>> from parindex.rules import rule_from_dict
        >>> rule_from_dict({"kind": "deduction", "per_occurrence": 0.25})
        Deduction(per_occurrence=0.25, floor=0.0)
        >>> rule_from_dict({"kind": "lottery"})
        Traceback (most recent call last):
        ...
        parindex.errors.MethodologyError: unknown rule kind 'lottery' (known: categorical, deduction, points, proportional, tiers, yes_no)
    """
    if not isinstance(data, Mapping):
        raise MethodologyError(f"a rule must be a mapping, got {type(data).__name__}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in RULE_KINDS:
        raise MethodologyError(
            f"unknown rule kind {kind!r} (known: {', '.join(sorted(RULE_KINDS))})"
        )
    try:
        if kind == "tiers":
            _only(data, {"tiers"}, kind)
            tiers = data.get("tiers")
            if not isinstance(tiers, list):
                raise MethodologyError("a tiers rule needs a list 'tiers'")
            for t in tiers:
                if not isinstance(t, Mapping):
                    raise MethodologyError(f"a tier must be a mapping, got {t!r}")
            return PercentTiers(tuple(Tier.from_dict(t) for t in tiers))
        if kind == "yes_no":
            _only(data, {"yes_points", "no_points"}, kind)
            yes = data.get("yes_points")
            return YesNo(
                None if yes is None else _param(yes, "yes_points"),
                _param(data.get("no_points", 0.0), "no_points"),
            )
        if kind == "categorical":
            _only(data, {"levels"}, kind)
            levels = data.get("levels")
            if not isinstance(levels, list):
                raise MethodologyError("a categorical rule needs a list 'levels'")
            return Categorical(tuple(_level(lv) for lv in levels))
        if kind == "proportional":
            _only(data, {"full_at", "rate"}, kind)
            return Proportional(
                _param(data.get("full_at", 100.0), "full_at"),
                flag_setting(data.get("rate"), "proportional rate", True),
            )
        if kind == "deduction":
            _only(data, {"per_occurrence", "floor"}, kind)
            if "per_occurrence" not in data:
                raise MethodologyError("a deduction rule needs 'per_occurrence'")
            return Deduction(
                _param(data["per_occurrence"], "per_occurrence"),
                _param(data.get("floor", 0.0), "deduction floor"),
            )
        _only(data, set(), kind)
        return DirectPoints()
    except (KeyError, TypeError, ValueError) as err:
        if isinstance(err, MethodologyError):
            raise
        raise MethodologyError(f"malformed {kind!r} rule: {err}") from err
