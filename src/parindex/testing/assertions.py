"""Assertion helpers for tests of code built on parindex: results equal to published
figures as published tables round them, results equal to each other, and inputs left
unmodified."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from parindex._numbers import round_half_up
from parindex.engine.scores import Scores

__all__ = ["assert_matches_published", "assert_no_mutation", "assert_scores_equal"]


def _dtypes(x: Any) -> list[Any]:
    import pandas as pd

    return list(x.dtypes) if isinstance(x, pd.DataFrame) else [x.dtype]


def _same(a: object, b: object) -> bool:
    """Deep equality that understands DataFrames, Series, arrays and NaN."""
    import numpy as np
    import pandas as pd

    if isinstance(a, pd.DataFrame | pd.Series):
        frame: Any = a
        return (
            type(a) is type(b)
            and bool(frame.equals(b))
            and _dtypes(a) == _dtypes(b)
            and a.index.equals(b.index)
            and (not isinstance(a, pd.DataFrame) or a.columns.equals(b.columns))
        )
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
        )
    if isinstance(a, Mapping):
        return (
            isinstance(b, Mapping)
            and list(a.keys()) == list(b.keys())
            and all(_same(a[k], b[k]) for k in a)
        )
    if isinstance(a, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):
        return a is b


def assert_no_mutation(func: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Call ``func(*args, **kwargs)`` and assert it changed none of its arguments
    (compared with deep copies taken before the call: DataFrames value, dtype and
    index; arrays; dicts and lists recursively). Returns what ``func`` returned.

    Example:
        >>> import pandas as pd
        >>> import parindex
        >>> from parindex.testing import assert_no_mutation
        >>> frame = pd.DataFrame({"unit": ["A"], "node": ["1"], "points": [" 5.5 "]})
        >>> sheet = assert_no_mutation(parindex.ScoreSheet.from_frame, frame)
        >>> sheet.entries[0].points, frame.loc[0, "points"]
        (5.5, ' 5.5 ')
        >>> assert_no_mutation(list.append, [], 1)
        Traceback (most recent call last):
        ...
        AssertionError: append changed argument 0: [] became [1]
    """
    import copy

    before = [copy.deepcopy(a) for a in args]
    before_kw = {k: copy.deepcopy(v) for k, v in kwargs.items()}
    result = func(*args, **kwargs)
    name = getattr(func, "__name__", repr(func))
    for i, (old, new) in enumerate(zip(before, args, strict=True)):
        if not _same(old, new):
            raise AssertionError(f"{name} changed argument {i}: {old!r} became {new!r}")
    for key, old in before_kw.items():
        if not _same(old, kwargs[key]):
            raise AssertionError(f"{name} changed argument {key}: {old!r} became {kwargs[key]!r}")
    return result


def assert_scores_equal(a: Scores, b: Scores, *, tolerance: float = 0.0) -> None:
    """Assert two results agree on every unit, node, component and the total.

    Example:
        >>> import parindex
        >>> from parindex.testing import assert_scores_equal
        >>> sheet = parindex.load_sheet("examples/daklak-2017.csv")
        >>> assert_scores_equal(parindex.score("province-2017", sheet), parindex.score("province-2017", sheet))
    """
    if a.units != b.units:
        raise AssertionError(f"different units: {a.units} vs {b.units}")
    for ra, rb in zip(a, b, strict=True):
        pairs = [("total", ra.total, rb.total)]
        pairs += [(k, v, rb.nodes[k]) for k, v in ra.nodes.items()]
        pairs += [(k, v, rb.components[k]) for k, v in ra.components.items()]
        for node, x, y in pairs:
            for field in ("points", "max_points", "index"):
                vx, vy = getattr(x, field), getattr(y, field)
                if (vx is None) != (vy is None) or (
                    vx is not None
                    and vy is not None
                    and not math.isclose(vx, vy, rel_tol=0, abs_tol=tolerance)
                ):
                    raise AssertionError(
                        f"unit {ra.unit!r}, node {node!r}: {field} {vx!r} != {vy!r}"
                    )
            if x.status != y.status:
                raise AssertionError(
                    f"unit {ra.unit!r}, node {node!r}: status {x.status} != {y.status}"
                )


def assert_matches_published(
    scores: Scores, published: Mapping[str, float], *, decimals: int = 2, field: str = "index"
) -> None:
    """Assert each unit's total, rounded half-up as published tables round, equals the
    published figure.

    Example:
        >>> import parindex
        >>> from parindex.testing import assert_matches_published
        >>> scores = parindex.score("province-2017", parindex.load_sheet("examples/daklak-2017.csv"))
        >>> assert_matches_published(scores, {"Đắk Lắk": 75.37})
    """
    for unit, expected in published.items():
        value: Any = getattr(scores.unit(unit).total, field)
        if value is None:
            raise AssertionError(f"unit {unit!r}: {field} is unknown, published {expected}")
        got = round_half_up(value, decimals)
        if got != round_half_up(expected, decimals):
            raise AssertionError(f"unit {unit!r}: {field} {got} != published {expected}")
