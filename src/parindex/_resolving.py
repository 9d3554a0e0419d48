"""Methodology keys looked up at the edge.

The engine and the analysis functions take :class:`~parindex.Methodology` objects only;
the facade's functions of the same names (``parindex.score``, ``parindex.what_if``, ...)
also take a key such as ``"province-2023"`` (an id, alias, decision number or
``level-year`` key), look it up once here, and pass a ``level-year`` key's year on as
the evaluation year.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from parindex.io.catalogue import resolve_methodology
from parindex.model.methodology import Methodology

__all__ = ["resolving", "resolving_both"]

P = ParamSpec("P")
R = TypeVar("R")


def resolving(
    func: Callable[Concatenate[Methodology, P], R],
) -> Callable[Concatenate[Methodology | str, P], R]:
    """``func`` taking a methodology key as well as a :class:`Methodology` as its first
    argument. A ``level-year`` key names the evaluation year, passed as ``year=``
    (``func`` must then take ``year``)."""

    @functools.wraps(func)
    def wrapper(methodology: Methodology | str, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if isinstance(methodology, str):
            given = kwargs.get("year")
            methodology, year = resolve_methodology(
                methodology, given if isinstance(given, int) else None
            )
            if year is not None:
                kwargs["year"] = year
        return func(methodology, *args, **kwargs)

    return wrapper


def resolving_both(
    func: Callable[[Methodology, Methodology], R],
) -> Callable[[Methodology | str, Methodology | str], R]:
    """``func`` of two methodologies, each given as a key or a :class:`Methodology`."""

    @functools.wraps(func)
    def wrapper(a: Methodology | str, b: Methodology | str, /) -> R:
        return func(
            resolve_methodology(a, None)[0] if isinstance(a, str) else a,
            resolve_methodology(b, None)[0] if isinstance(b, str) else b,
        )

    return wrapper
