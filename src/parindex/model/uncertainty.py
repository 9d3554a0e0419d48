"""Uncertainty specs for Monte Carlo (đầu vào không chắc chắn): which inputs are drawn
and how. The model holds plain objects only; :mod:`parindex.io.uncertainty` reads them
from YAML or JSON, :func:`parindex.simulate` draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import attrs

from parindex._text import normalize_key
from parindex.errors import InputFormatError

__all__ = ["Distribution", "Target", "UncertainInput", "Uncertainty"]

Distribution = Literal["normal", "uniform"]
Target = Literal["points", "measure"]


def _positive(_inst: object, attr: attrs.Attribute[float], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise InputFormatError(f"uncertainty: {attr.name} must be a number >= 0, got {value!r}")


def _unit_names(units: Sequence[object] | None) -> tuple[str, ...] | None:
    return None if units is None else tuple(normalize_key(str(u)) for u in units)


def _inputs(items: Sequence[UncertainInput]) -> tuple[UncertainInput, ...]:
    return tuple(items)


def _each_once(_inst: object, _attr: object, inputs: tuple[UncertainInput, ...]) -> None:
    """Refuse a node drawn twice for one unit: each draw would replace the other's, so
    one of the two inputs would silently not count."""
    every: dict[str, int] = {}  # node -> the input (from 1) drawing it for every unit
    some: dict[str, dict[str, int]] = {}  # node -> unit -> the input drawing it there
    for i, item in enumerate(inputs, 1):
        node, named = item.node, some.setdefault(item.node, {})
        if item.units is None:
            if node in every:
                _twice(node, None, every[node], i)
            if named:
                unit, first = next(iter(named.items()))
                _twice(node, unit, first, i)
            every[node] = i
            continue
        for unit in item.units:
            if node in every:
                _twice(node, unit, every[node], i)
            if unit in named:
                _twice(node, unit, named[unit], i)
            named[unit] = i


def _twice(node: str, unit: str | None, first: int, second: int) -> None:
    inputs = f"input {first}" if first == second else f"inputs {first} and {second}"
    whom = "every unit" if unit is None else f"unit {unit!r}"
    raise InputFormatError(
        f"uncertainty: node {node!r} is given twice for {whom} ({inputs}); give each "
        "node once for a unit (split the units between inputs with 'units')"
    )


@attrs.frozen
class UncertainInput:
    """One uncertain input: a node's points (or its rule's measure) drawn around the
    sheet's figure.

    ``distribution="normal"`` adds N(0, ``scale``) (a survey score with standard error
    ``scale``); ``"uniform"`` adds U(-``scale``, +``scale``) (an appraisal adjustment of
    up to ``scale`` points). Points are clipped to [0, maximum]. ``on="measure"``
    perturbs the raw value given for a leaf with a tiers, proportional or deduction
    rule (a rate in percent, clipped to 0-100; a count, clipped at 0 and, for
    deductions, rounded to a whole number) and applies the rule, so a rate near a tier
    boundary flips tier in some draws. ``units`` limits the input to some units (all
    units that gave the node by default; N/A and missing entries are never drawn).

    Example:
        >>> from parindex.model.uncertainty import UncertainInput
        >>> UncertainInput("survey", "normal", 1.5).describe()
        'survey: points + N(0, 1.5)'
    """

    node: str = attrs.field(converter=normalize_key)
    distribution: Distribution = attrs.field(validator=attrs.validators.in_(("normal", "uniform")))
    scale: float = attrs.field(converter=float, validator=_positive)
    on: Target = attrs.field(
        default="points", validator=attrs.validators.in_(("points", "measure"))
    )
    units: tuple[str, ...] | None = attrs.field(default=None, converter=_unit_names)

    def describe(self) -> str:
        """The input in words.

        Example:
            >>> from parindex.model.uncertainty import UncertainInput
            >>> UncertainInput("3.2.1", "uniform", 3, on="measure").describe()
            '3.2.1: measure + U(-3, +3)'
        """
        noise = (
            f"N(0, {self.scale:g})"
            if self.distribution == "normal"
            else f"U(-{self.scale:g}, +{self.scale:g})"
        )
        return f"{self.node}: {self.on} + {noise}"


@attrs.frozen
class Uncertainty:
    """A set of uncertain inputs (read from YAML or JSON with
    :func:`parindex.load_uncertainty`, built from plain data with
    :func:`parindex.io.uncertainty.uncertainty_from_dict`).

    Spec format::

        inputs:
          - {node: survey, distribution: normal, sd: 1.5}
          - {node: "1.1.2", distribution: uniform, delta: 5, on: measure}
          - {node: "2.1.1", distribution: uniform, delta: 0.25, units: [Huyện A]}

    A node is drawn at most once for a unit: two inputs for the same node and unit are
    refused (:class:`~parindex.errors.InputFormatError` naming both).

    Example:
        >>> from parindex.model.uncertainty import UncertainInput, Uncertainty
        >>> spec = Uncertainty([UncertainInput("survey", "normal", 1.5)])
        >>> [i.describe() for i in spec.inputs]
        ['survey: points + N(0, 1.5)']
        >>> Uncertainty([UncertainInput("2.1", "uniform", 1, units=["Huyện A"]),
        ...              UncertainInput("2.1", "normal", 2)])
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: uncertainty: node '2.1' is given twice for unit 'Huyện A' (inputs 1 and 2); give each node once for a unit (split the units between inputs with 'units')
    """

    inputs: tuple[UncertainInput, ...] = attrs.field(converter=_inputs, validator=_each_once)
