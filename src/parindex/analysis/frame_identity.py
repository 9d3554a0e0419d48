"""Unit identity for DataFrames: :func:`parindex.score_frame` resolves the units of a
tidy or wide frame as :func:`parindex.score` resolves a sheet's, so that one unit
written two ways is one unit or an error there too (loaded with pandas, on first use).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from parindex._text import normalize_key
from parindex.analysis.identity import UnitsPolicy, resolve_names
from parindex.engine.batch import score_frame
from parindex.engine.scores import Scores
from parindex.model.methodology import Methodology, ensure_methodology
from parindex.model.units import Roster

__all__ = ["score_frame_units"]


def score_frame_units(
    methodology: Methodology,
    /,
    frame: pd.DataFrame,
    *,
    wide: bool = False,
    year: int | None = None,
    units: UnitsPolicy = "resolve",
    roster: Roster | str | Path | None = None,
    **options: Any,
) -> Scores:
    """:func:`parindex.engine.batch.score_frame` with the frame's units resolved first
    (:func:`parindex.analysis.identity.resolve_names`); the frame is not modified.

    Example:
        >>> import pandas as pd, parindex
        >>> wide = pd.DataFrame({"unit": ["ĐẮK LẮK", "Gia Lai"], "total": [70.0, 80.0]})
        >>> r = parindex.score_frame("province-2018", wide, wide=True)
        >>> r.units, r.unit_code("Đắk Lắk")
        (('Đắk Lắk', 'Gia Lai'), '66')
    """
    m = ensure_methodology(methodology)
    if not isinstance(roster, Roster) and resolve_names(m, [], year=year, roster=roster) is None:
        # No roster for this level: nothing to resolve, and no name is read one by one.
        return score_frame(m, frame, wide=wide, year=year, **options)
    in_index = wide and "unit" not in frame.columns
    column = frame.index.to_series(index=frame.index) if in_index else frame.get("unit")
    if column is None or not all(isinstance(u, str) for u in column.dropna()):
        # Not names (or none given): the engine refuses them with its own message.
        return score_frame(m, frame, wide=wide, year=year, **options)
    rows = [normalize_key(u) for u in column.dropna()]
    resolution = resolve_names(m, rows, year=year, units=units, roster=roster)
    if resolution is None:
        return score_frame(m, frame, wide=wide, year=year, **options)
    official = resolution.mapping
    renamed = column.map(lambda u: official.get(normalize_key(u), u) if isinstance(u, str) else u)
    fresh = frame.copy(deep=False)  # the caller's frame is left as it is
    if in_index:
        fresh.index = pd.Index(renamed.to_numpy(), name=frame.index.name)
    else:
        fresh["unit"] = renamed.to_numpy()
    scores = score_frame(m, fresh, wide=wide, year=year, **options)
    return attrs.evolve(scores, resolution=resolution)
