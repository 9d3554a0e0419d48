"""Reading uncertainty specs (đầu vào không chắc chắn) from plain data or from a YAML or
JSON file (parsed safely) into :class:`parindex.model.uncertainty.Uncertainty`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from parindex.errors import InputFormatError
from parindex.io.safe import read_text_file, safe_parse
from parindex.model.uncertainty import UncertainInput, Uncertainty

__all__ = ["load_uncertainty", "uncertainty_from_dict"]

_ITEM_KEYS = {"node", "distribution", "sd", "delta", "on", "units"}


def uncertainty_from_dict(data: Mapping[str, Any], *, name: str = "uncertainty") -> Uncertainty:
    """Build an uncertainty spec from plain data (``{"inputs": [...]}``); ``name`` says
    where the data came from in error messages.

    Example:
        >>> from parindex.io.uncertainty import uncertainty_from_dict
        >>> item = {"node": "3.2.1", "distribution": "uniform", "delta": 3, "on": "measure"}
        >>> uncertainty_from_dict({"inputs": [item]}).inputs[0]
        UncertainInput(node='3.2.1', distribution='uniform', scale=3.0, on='measure', units=None)
        >>> uncertainty_from_dict({"inputs": [{"node": "survey", "distribution": "normal"}]})
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: uncertainty: input 1: a normal input needs a number 'sd'
        >>> uncertainty_from_dict({"inputs": [{"node": "survey", "sd": 1},
        ...                                   {"node": "survey", "sd": 2}]})
        Traceback (most recent call last):
        ...
        parindex.errors.InputFormatError: uncertainty: node 'survey' is given twice for every unit (inputs 1 and 2); give each node once for a unit (split the units between inputs with 'units')
    """
    if not isinstance(data, Mapping) or set(data) - {"inputs"}:
        raise InputFormatError(f'{name}: expected {{"inputs": [...]}}')
    items = data.get("inputs")
    if not isinstance(items, list) or not items:
        raise InputFormatError(f"{name}: 'inputs' must be a non-empty list")
    out = []
    for i, item in enumerate(items, 1):
        where = f"{name}: input {i}"
        if not isinstance(item, Mapping):
            raise InputFormatError(f"{where}: must be a mapping")
        # YAML 1.1 reads a bare ``on:`` key as the boolean true.
        item = {("on" if k is True else k): v for k, v in item.items()}
        unknown = set(item) - _ITEM_KEYS
        if unknown:
            raise InputFormatError(
                f"{where}: unknown keys {sorted(map(str, unknown))} "
                f"(allowed: {', '.join(sorted(_ITEM_KEYS))})"
            )
        dist = item.get("distribution", "normal")
        key = "sd" if dist == "normal" else "delta"
        scale = item.get(key)
        if isinstance(scale, bool) or not isinstance(scale, int | float):
            raise InputFormatError(f"{where}: a {dist} input needs a number {key!r}")
        node = item.get("node")
        if not isinstance(node, str) or not node.strip():
            raise InputFormatError(f'{where}: needs a node id as text, e.g. "1.2"')
        units = item.get("units")
        if units is not None and not isinstance(units, list):
            raise InputFormatError(f"{where}: 'units' must be a list of unit names")
        try:
            out.append(UncertainInput(node, dist, scale, item.get("on", "points"), units))
        except (ValueError, TypeError, OverflowError) as err:
            # attrs validators put a tuple in args: show its message only.
            text = err.args[0] if err.args and isinstance(err.args[0], str) else str(err)
            raise InputFormatError(f"{where}: {text}") from None
    try:
        return Uncertainty(tuple(out))
    except InputFormatError as err:  # a node given twice for a unit: say whose spec
        raise InputFormatError(f"{name}: {str(err).removeprefix('uncertainty: ')}") from None


def load_uncertainty(path: str | Path) -> Uncertainty:
    """Read a YAML or JSON uncertainty spec file (parsed safely).

    Example:
        >>> import parindex
        >>> spec = parindex.load_uncertainty("examples/uncertainty-district.yaml")
        >>> len(spec.inputs), spec.inputs[-1].describe()
        (7, '1.1.2: measure + U(-5, +5)')
    """
    return uncertainty_from_dict(safe_parse(read_text_file(path), name=str(path)), name=str(path))
