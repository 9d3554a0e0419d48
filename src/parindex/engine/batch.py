"""Batch scoring straight from a DataFrame (chấm điểm hàng loạt).

:func:`score_frame` builds the engine's columns directly from a tidy or wide DataFrame
with vectorised checks, instead of one :class:`~parindex.ScoreEntry` per cell. The
numbers are those of :func:`parindex.score` bit for bit (the same engine does the
arithmetic). When a vectorised check finds anything wrong, the frame is handed to
:meth:`parindex.ScoreSheet.from_frame`, so every error and message is exactly the
one the unit-by-unit path gives.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from parindex._numbers import TOLERANCE
from parindex._text import normalize_key, spelling_clash
from parindex.engine.aggregate import score_columns, score_dense
from parindex.engine.arrays import DenseSheet, MissingPolicy, SheetColumns
from parindex.engine.checks import outside_bound
from parindex.engine.compile import BoolArray, compile_methodology
from parindex.engine.names import Fallback, normal_keys, unit_keys
from parindex.engine.scores import Scores, object_array, sheet_columns
from parindex.errors import InputFormatError, UnknownNodeError
from parindex.limits import MAX_SHEET_ROWS
from parindex.model.entries import forbidden_character
from parindex.model.methodology import Methodology, check_year, ensure_methodology
from parindex.model.sheet import ScoreSheet, check_columns, check_rows
from parindex.rules import RateScale

__all__ = ["score_frame"]

Cells = Literal["points", "values"]


def _keys(col: pd.Series) -> npt.NDArray[np.object_]:
    """Normalised non-blank text keys (unit, node), or fall back."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    if (codes < 0).any():
        raise Fallback
    return object_array(normal_keys(uniques.tolist()))[codes]


def _floats(frame: pd.DataFrame, name: str) -> npt.NDArray[np.float64]:
    """A numeric column as float64 (NaN = not given), finite and >= 0, or fall back."""
    n = len(frame)
    if name not in frame.columns:
        return np.full(n, np.nan)
    col = frame[name]
    if col.isna().all():
        return np.full(n, np.nan)
    if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
        raise Fallback
    arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
    given = ~np.isnan(arr)
    if not np.all(np.isfinite(arr[given])) or np.any(arr[given] < 0):
        raise Fallback
    return arr


def _opt_keys(col: pd.Series) -> npt.NDArray[np.object_]:
    """Group keys: normalised text, ``None`` for blank or non-text (as the sheet reads)."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    if any(isinstance(u, str) and forbidden_character(u) for u in uniques):
        raise Fallback  # the sheet path names the character
    table = np.array(
        [normalize_key(u) if isinstance(u, str) and u.strip() else None for u in uniques] + [None],
        dtype=object,
    )
    return table[codes]  # code -1 (missing) picks the trailing None


def _tidy_columns(frame: pd.DataFrame) -> SheetColumns:
    """Columns from a tidy frame with vectorised checks (raises Fallback on doubt)."""
    check_columns(list(map(str, frame.columns)), "frame")
    n = len(frame)
    if n == 0:
        raise Fallback
    unit = _keys(frame["unit"])
    node = _keys(frame["node"])
    points = _floats(frame, "points")
    self_points = _floats(frame, "self_points")
    appraised = _floats(frame, "appraised_points")

    values = np.full(n, None, dtype=object)
    if "value" in frame.columns:
        col = frame["value"]
        raw = col.tolist()
        for i in np.flatnonzero(col.notna().to_numpy()):
            v = raw[i]
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, str):
                if forbidden_character(v):
                    raise Fallback
                v = v.strip() or None
            elif isinstance(v, float) and not math.isfinite(v):
                raise Fallback
            values[i] = v
    has_value = np.array([v is not None for v in values], dtype=bool)

    na = np.zeros(n, dtype=bool)
    if "status" in frame.columns:
        codes, uniques = pd.factorize(frame["status"], use_na_sentinel=True)
        kinds = []
        for s in uniques:
            key = s.strip().casefold() if isinstance(s, str) else s
            if key not in ("", "na"):
                raise Fallback
            kinds.append(key == "na")
        na = np.append(np.array(kinds, dtype=bool), False)[codes]

    if np.any((~np.isnan(points)).astype(int) + has_value + na != 1):
        raise Fallback
    keys = pd.DataFrame({"u": unit, "n": node})
    if keys.duplicated().any():
        raise Fallback
    group = _opt_keys(frame["group"]) if "group" in frame.columns else np.full(n, None)
    unit_codes, units = pd.factorize(unit)
    if spelling_clash(units.tolist()) is not None:
        raise Fallback  # one unit spelled two ways: the sheet path names both
    unit_groups: list[str | None] = [None] * len(units)
    with_group = pd.DataFrame({"u": unit_codes, "g": group}).dropna()
    if len(with_group):
        if with_group.drop_duplicates().duplicated("u").any():
            raise Fallback
        for u, g in with_group.drop_duplicates("u").itertuples(index=False, name=None):
            unit_groups[int(u)] = str(g)
    return SheetColumns(
        units=tuple(units),
        groups=tuple(unit_groups),
        unit_idx=unit_codes.astype(np.intp),
        node=node,
        points=points,
        values=values,
        has_value=has_value,
        na=na,
        self_points=self_points,
        appraised_points=appraised,
    )


def _wide_parts(
    frame: pd.DataFrame, m: Methodology
) -> tuple[pd.Series, pd.Series | None, list[tuple[str, int, int]]]:
    """Units, groups and node columns (id, slot, column position) of a wide frame;
    unknown columns are refused."""
    c = compile_methodology(m)
    if "unit" in frame.columns:
        units = frame["unit"]
    elif _holds_names(frame.index):
        units = frame.index.to_series()
    else:
        # A default RangeIndex would make units 0, 1, 2...: say the column is missing.
        raise InputFormatError(
            "wide frame: needs a 'unit' column with the units' names (or the names as its "
            f"index, which holds {frame.index.dtype} values); its columns: "
            f"{_shown_columns(frame.columns)}"
        )
    groups = frame["group"] if "group" in frame.columns else None
    columns = []
    unknown = []
    for position, name in enumerate(frame.columns):
        if name in ("unit", "group"):
            continue
        # Slot ids are in normal form (the model's id patterns allow no spaces), so a
        # column named exactly as one needs no normalising.
        key = str(name) if isinstance(name, str) and name in c.pos else normalize_key(str(name))
        if key not in c.pos:
            unknown.append(str(name))
            continue
        columns.append((key, c.pos[key], position))
    if unknown:
        raise UnknownNodeError(
            f"wide frame: columns {unknown} are not nodes or score components of {m.id} "
            f"(a wide frame has a 'unit' column, an optional 'group' column and one column "
            f"per node id)",
            node=unknown[0],
            value=unknown[0],
        )
    if not columns:
        raise InputFormatError("wide frame: no node columns")
    if not _default_index(frame.index):
        units = units.reset_index(drop=True)
        groups = None if groups is None else groups.reset_index(drop=True)
    return units, groups, columns


def _default_index(index: pd.Index) -> bool:
    """Whether ``index`` is 0, 1, 2, ... already (what ``reset_index`` would make)."""
    return (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    )


def _holds_names(index: pd.Index) -> bool:
    """Whether an index can hold unit names (text), not row numbers or dates."""
    dtype = index.dtype
    return isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype)


def _shown_columns(columns: pd.Index, first: int = 10, width: int = 40) -> str:
    """Column names for a message: each escaped (repr) and cut to ``width`` characters,
    at most ``first`` of them (a frame may have thousands of columns, any name)."""
    names = [str(c) for c in columns[:first]]
    shown = [repr(n if len(n) <= width else n[: width - 3] + "...") for n in names]
    more = f", ... ({len(columns)} in all)" if len(columns) > first else ""
    return f"[{', '.join(shown)}{more}]"


def _columns(slots: npt.NDArray[np.intp]) -> slice | npt.NDArray[np.intp]:
    """``slots`` as a slice when they are consecutive (a plain copy, not a gather)."""
    if slots.size and np.array_equal(slots, np.arange(slots[0], slots[0] + slots.size)):
        return slice(int(slots[0]), int(slots[0]) + slots.size)
    return slots


def _float_block(
    frame: pd.DataFrame, positions: list[int], dtypes: list[object]
) -> npt.NDArray[np.float64]:
    """The numeric columns at ``positions`` as one ``units x columns`` float array: a
    read-only view of the frame's own block when they are adjacent float64 columns
    (no copy of the whole input), else a converted copy (NaN: missing)."""
    first = positions[0]
    if positions == list(range(first, first + len(positions))) and all(
        dtypes[p] == np.float64 for p in positions
    ):
        return frame.iloc[:, first : first + len(positions)].to_numpy()
    return frame.iloc[:, positions].to_numpy(dtype=np.float64, na_value=np.nan)


def _within(x: npt.NDArray[np.float64], bound: float) -> bool:
    """Whether points (none missing) are finite and within 0..bound (two passes in C;
    :func:`outside_bound` decides the rare doubtful case)."""
    if not x.size:
        return True
    low, high = float(x.min()), float(x.max())
    if low >= 0 and high <= bound + TOLERANCE and math.isfinite(high):
        return True
    return not bool(outside_bound(x, bound).any())


def _wide_dense(
    m: Methodology,
    frame: pd.DataFrame,
    cells: Cells,
    rate_scale: RateScale | None,
) -> tuple[Sequence[str], tuple[str | None, ...], DenseSheet]:
    """Dense arrays from an all-numeric wide frame (raises Fallback on doubt)."""
    c = compile_methodology(m)
    unit_col, group_col, columns = _wide_parts(frame, m)
    if len(unit_col) == 0 or len({slot for _, slot, _ in columns}) != len(columns):
        raise Fallback  # two columns for one node: the tidy path reports the duplicate
    units = unit_keys(unit_col)
    groups = (None,) * len(units) if group_col is None else tuple(_opt_keys(group_col))
    n_units, size = len(units), len(c.slot_ids)
    dtypes = frame.dtypes.tolist()
    numeric = []
    for _, s, position in columns:
        dtype = dtypes[position]
        if getattr(dtype, "kind", "O") in "iuf":
            numeric.append((s, position))
        elif not frame.iloc[:, position].isna().all():
            raise Fallback  # text or booleans: the tidy path reads or refuses them
    given = np.empty((n_units, size), order="F")
    # Which slots are given: one row for every unit while no cell is missing.
    given_row = np.zeros(size, dtype=bool)
    present: BoolArray | None = None
    if numeric:
        slots = np.array([s for s, _ in numeric], dtype=np.intp)
        given_row[slots] = True
        block = _float_block(frame, [p for _, p in numeric], dtypes)
        # Column minima: NaN exactly where a column has a missing cell (one pass, and
        # the lower bound's check below when none is).
        with np.errstate(invalid="ignore"):
            lows = block.min(axis=0)
        gaps: list[bool] = np.isnan(lows).tolist()
        mask = ~np.isnan(block) if any(gaps) else None
        if mask is not None:
            present = np.zeros((n_units, size), dtype=bool, order="F")
            present[:, slots] = mask
        ruled = (
            [k for k, s in enumerate(slots) if s < c.n_nodes and c.rules[s] is not None]
            if cells == "values"
            else []
        )
        plain = np.setdiff1d(np.arange(slots.size), ruled, assume_unique=True)
        # Points: NaN is "not given"; anything else must be finite and within 0..bound.
        if plain.size:
            sub = block[:, plain] if len(ruled) else block
            bound = c.bound[slots[plain]]
            if mask is None:
                # Column minima (those read above) and maxima: no units x leaves
                # temporaries. An infinite maximum is refused even where the bound is
                # infinite (none known).
                highs = sub.max(axis=0)
                if not (
                    bool((lows[plain] >= 0).all())
                    and bool((highs <= bound + TOLERANCE).all())
                    and bool(np.isfinite(highs).all())
                ):
                    raise Fallback
            elif outside_bound(sub, bound).any():
                raise Fallback
            given[:, _columns(slots[plain])] = sub
        for k in ruled:
            s = int(slots[k])
            col_mask: slice | BoolArray = slice(None)
            if gaps[k]:
                assert mask is not None
                col_mask = mask[:, k]
                given[:, s] = np.nan  # rows not given stay unknown
                if not col_mask.any():
                    continue
            x = block[col_mask, k]
            rule = c.rules[s]
            assert rule is not None
            mx = float(c.maxima[s])
            max_points = None if np.isnan(mx) else mx
            measures = rule.measures(x, max_points=max_points, rate_scale=rate_scale)
            if np.isnan(measures).any():
                raise Fallback
            points = rule.points(measures, 0.0 if max_points is None else max_points)
            if not _within(points, float(c.bound[s])):
                raise Fallback  # above the inherited bound: the tidy path names the cell
            given[col_mask, s] = points
    given[:, ~given_row] = np.nan
    dense = DenseSheet(
        given=given,
        # A broadcast of one row while nothing is missing: no units x slots matrix.
        present=np.broadcast_to(given_row, (n_units, size)) if present is None else present,
        na_given=np.broadcast_to(np.False_, (n_units, size)),  # no "na" on this path
        self_given=np.broadcast_to(np.float64(np.nan), (n_units, size)),  # none: no memory
        appr_given=np.broadcast_to(np.float64(np.nan), (n_units, size)),
    )
    return units, groups, dense


def wide_to_tidy(
    frame: pd.DataFrame, methodology: Methodology, *, cells: Cells = "points"
) -> pd.DataFrame:
    """A wide frame (one row per unit, one column per node id) as a tidy sheet frame.

    Cells: a number is points (with ``cells="values"``, a raw value for the node's rule
    when it has one); ``"na"`` marks the node not applicable; other text is a value for
    the rule; blank / NaN is not given.

    Example:
        >>> import pandas as pd
        >>> import parindex
        >>> from parindex.engine.batch import wide_to_tidy
        >>> wide = pd.DataFrame({"unit": ["A"], "appraisal": [60.0], "survey": ["na"]})
        >>> wide_to_tidy(wide, parindex.get_methodology("ministry-2022"))[["unit", "node", "points", "status"]].to_dict("records")
        [{'unit': 'A', 'node': 'appraisal', 'points': 60.0, 'status': nan}, {'unit': 'A', 'node': 'survey', 'points': nan, 'status': 'na'}]
    """
    m = ensure_methodology(methodology)
    c = compile_methodology(m)
    unit_col, group_col, columns = _wide_parts(frame, m)
    records: list[dict[str, object]] = []
    cols = [
        (node, s, frame.iloc[:, p].tolist(), frame.iloc[:, p].isna().to_numpy())
        for node, s, p in columns
    ]
    units = unit_col.tolist()
    groups = None if group_col is None else group_col.tolist()
    for i, unit in enumerate(units):
        group = None if groups is None else groups[i]
        for node, s, raw, missing in cols:
            if missing[i]:
                continue
            v = raw[i]
            if isinstance(v, np.generic):
                v = v.item()
            rec: dict[str, object] = {"unit": unit, "node": node, "points": None}
            rec.update(value=None, status=None, group=group)
            if isinstance(v, str) and v.strip().casefold() == "na":
                rec["status"] = "na"
            elif isinstance(v, str | bool) or (
                cells == "values" and s < c.n_nodes and c.rules[s] is not None
            ):
                rec["value"] = v
            else:
                rec["points"] = v
            records.append(rec)
    out = pd.DataFrame(records, columns=["unit", "node", "points", "value", "status", "group"])
    out["points"] = pd.to_numeric(out["points"], errors="raise").astype("float64")
    out["value"] = out["value"].astype(object)
    return out


def score_frame(
    methodology: Methodology,
    frame: pd.DataFrame,
    *,
    year: int | None = None,
    wide: bool = False,
    cells: Cells = "points",
    missing: MissingPolicy = "error",
    rate_scale: RateScale | None = None,
    collect_all: bool = False,
    max_rows: int = MAX_SHEET_ROWS,
) -> Scores:
    """Score many units (or many scenarios of one unit) in one vectorised call.

    ``frame`` is tidy (the :data:`~parindex.model.sheet.SHEET_COLUMNS` columns: ``unit, node``
    and ``points``, ``value`` or ``status``; ``group`` optional) or, with
    ``wide=True``, one row per unit (a ``unit`` column, else the index), one column
    per node id and an optional ``group`` column; NaN means not given, ``"na"`` not
    applicable, and ``cells="values"`` reads numbers in the columns of leaves with a
    rule as raw values (e.g. rates with ``rate_scale="percent"``). The frame is not
    modified. The results equal :func:`parindex.score` unit by unit, bit for bit;
    bad input raises the same errors with the same messages (for a wide frame the
    rows named are those of its tidy form, :func:`wide_to_tidy`). More than
    ``max_rows`` cells (tidy rows; units x nodes for a wide frame) raise
    :class:`~parindex.errors.LimitExceededError`.

    Example:
        >>> import pandas as pd
        >>> import parindex
        >>> wide = pd.DataFrame({"unit": ["A", "B"], "appraisal": [60.0, 50.0],
        ...                      "survey": [30.1, 20.0]})
        >>> parindex.score_frame("ministry-2022", wide, wide=True).totals()[["unit", "par_index"]].to_dict("records")
        [{'unit': 'A', 'par_index': 90.1}, {'unit': 'B', 'par_index': 70.0}]
    """
    m = ensure_methodology(methodology)
    year = check_year(year)
    c = compile_methodology(m)
    check_rows(len(frame) * max(1, frame.shape[1] - 1) if wide else len(frame), max_rows)
    if wide:
        try:
            units, groups, dense = _wide_dense(m, frame, cells, rate_scale)
        except Fallback:
            tidy = score_frame(
                m,
                wide_to_tidy(frame, m, cells=cells),
                missing=missing,
                rate_scale=rate_scale,
                collect_all=collect_all,
                max_rows=max_rows,
            )
            return attrs.evolve(tidy, year=year)
        batch = score_dense(
            c,
            units,
            groups,
            dense,
            missing=missing,
            collect_all=collect_all,
            inplace=True,
        )
        return Scores(methodology=m, batch=batch, year=year)
    try:
        cols = _tidy_columns(frame)
    except Fallback:
        cols = sheet_columns(
            ScoreSheet.from_frame(frame, collect_all=collect_all, max_rows=max_rows)
        )
    batch = score_columns(c, cols, missing=missing, rate_scale=rate_scale, collect_all=collect_all)
    return Scores(methodology=m, batch=batch, year=year)
