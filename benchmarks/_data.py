"""Synthetic data for the benchmarks: a ~100-leaf methodology and random sheets."""

from __future__ import annotations

import numpy as np
import pandas as pd

from parindex import Methodology, Node
from parindex.model.methodology import Decision, RankingPolicy
from parindex.rules import Deduction, PercentTiers, Proportional, Tier, YesNo


def _rule(k: int) -> object:
    kind = k % 4
    if kind == 0:
        return PercentTiers(
            (Tier(1.0, lower=100, upper=None), Tier(0.5, lower=80, upper=100), Tier(0.0, upper=80))
        )
    if kind == 1:
        return Proportional()
    if kind == 2:
        return Deduction(per_occurrence=0.25)
    return YesNo()


def methodology(fields: int = 5, criteria: int = 4, leaves: int = 5) -> Methodology:
    """fields x criteria x leaves leaves of 1 point each, every leaf with a rule."""
    tree = []
    k = 0
    for f in range(1, fields + 1):
        crits = []
        for c in range(1, criteria + 1):
            kids = []
            for s in range(1, leaves + 1):
                kids.append(
                    Node(
                        f"{f}.{c}.{s}",
                        name_vi=f"Tiêu chí thành phần {f}.{c}.{s}",
                        max_points=1.0,
                        rule=_rule(k),  # type: ignore[arg-type]
                        allow_na=s == leaves,
                    )
                )
                k += 1
            crits.append(
                Node(
                    f"{f}.{c}",
                    name_vi=f"Tiêu chí {f}.{c}",
                    max_points=float(leaves),
                    children=tuple(kids),
                )
            )
        tree.append(
            Node(
                str(f),
                name_vi=f"Lĩnh vực {f}",
                max_points=float(criteria * leaves),
                children=tuple(crits),
            )
        )
    return Methodology(
        id="bench",
        name_vi="Bộ chỉ số thử tốc độ",
        name_en="Benchmark methodology",
        level="district",
        decision=Decision(None),
        evaluation_years=(2024,),
        total_max=float(fields * criteria * leaves),
        tree=tuple(tree),
        complete=True,
        official=False,
        ranking=RankingPolicy(ties="min"),
    )


def wide_values(m: Methodology, n_units: int, seed: int = 0) -> pd.DataFrame:
    """Raw values for every leaf (rates in percent, counts, yes/no as 0/1)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {"unit": [f"Đơn vị {i:05d}" for i in range(n_units)]}
    for k, leaf in enumerate(n for n in m.nodes() if n.is_leaf):
        kind = k % 4
        if kind in (0, 1):
            cols[leaf.id] = np.round(rng.uniform(60, 100, n_units), 2)
        elif kind == 2:
            cols[leaf.id] = rng.integers(0, 5, n_units).astype(float)
        else:
            cols[leaf.id] = rng.integers(0, 2, n_units).astype(float)
    return pd.DataFrame(cols)


def flat_methodology(criteria: int = 100) -> Methodology:
    """``criteria`` leaves straight under the total (points entered directly)."""
    tree = tuple(
        Node(str(i), name_vi=f"Tiêu chí {i}", max_points=float(1 + i % 4))
        for i in range(1, criteria + 1)
    )
    return Methodology(
        id="flat",
        name_vi="Bộ chỉ số phẳng",
        name_en="Flat benchmark methodology",
        level="district",
        decision=Decision(None),
        evaluation_years=(2024,),
        total_max=float(sum(n.max_points or 0.0 for n in tree)),
        tree=tree,
        complete=True,
        official=False,
        ranking=RankingPolicy(ties="first"),
    )
