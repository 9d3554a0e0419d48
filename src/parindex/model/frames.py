"""Methodologies as pandas tables (pandas is imported only when a table is asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from parindex.model.methodology import Methodology

__all__ = ["methodology_frame"]


def methodology_frame(m: Methodology, *, wide: bool = False) -> pd.DataFrame:
    """One row per node in decision order: ``node, parent, depth, name_vi, name_en,
    max_points, method, rule, allow_na`` (``max_points`` is NaN where unknown).
    ``wide=True``: one row per leaf with its path as columns ``level_1, level_2, ...``
    (ids, from the field down) and the leaf's names, maximum, method and rule.

    Example:
        >>> import parindex
        >>> from parindex.model.frames import methodology_frame
        >>> m = parindex.get_methodology("illustrative-district")
        >>> methodology_frame(m)[["node", "parent", "max_points"]].iloc[1].to_dict()
        {'node': '1.1', 'parent': '1', 'max_points': 4.0}
        >>> list(methodology_frame(m, wide=True).columns[:3])
        ['level_1', 'level_2', 'level_3']
    """
    if wide:
        return _methodology_wide(m)
    rows = [
        {
            "node": n.id,
            "parent": m.parent_of(n.id),
            "depth": n.id.count("."),
            "name_vi": n.name_vi,
            "name_en": n.name_en,
            "max_points": m.max_points_of(n.id),
            "method": n.method,
            "rule": None if n.rule is None else n.rule.describe(),
            "allow_na": n.allow_na,
        }
        for n in m.nodes()
    ]
    columns = ["node", "parent", "depth", "name_vi", "name_en", "max_points", "method", "rule"]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=[*columns, "allow_na"])
    frame["max_points"] = frame["max_points"].astype("float64")
    return frame


def _methodology_wide(m: Methodology) -> pd.DataFrame:
    leaves = [n for n in m.nodes() if n.is_leaf]
    depth = max((n.id.count(".") + 1 for n in leaves), default=0)
    rows = []
    for n in leaves:
        parts = n.id.split(".")
        path: dict[str, object] = {
            f"level_{i + 1}": ".".join(parts[: i + 1]) for i in range(len(parts))
        }
        rows.append(
            path
            | {
                "name_vi": n.name_vi,
                "name_en": n.name_en,
                "max_points": m.max_points_of(n.id),
                "method": n.method,
                "rule": None if n.rule is None else n.rule.describe(),
            }
        )
    columns = [f"level_{i + 1}" for i in range(depth)]
    columns += ["name_vi", "name_en", "max_points", "method", "rule"]
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    frame["max_points"] = frame["max_points"].astype("float64")
    return frame
