"""A methodology compiled for scoring: the tree flattened into index arrays ("slots":
every node in pre-order, then the score components, then the total), once per
methodology object."""

from __future__ import annotations

import math
from typing import TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex.model.methodology import Methodology
from parindex.rules import Rule

__all__ = ["TOTAL", "BoolArray", "Compiled", "FloatArray", "compile_methodology"]

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]

TOTAL = "total"
"""Reserved slot id for points given for the whole index."""


@attrs.frozen(eq=False)
class Compiled:
    """A methodology flattened into arrays for scoring: slots are the nodes in
    pre-order, then the score components (thành phần), then the total.

    Example:
        >>> import parindex
        >>> from parindex.engine.compile import compile_methodology
        >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
        >>> c.slot_ids[c.n_nodes :]
        ('appraisal', 'survey', 'total')
    """

    methodology: Methodology
    slot_ids: tuple[str, ...]
    n_nodes: int
    n_components: int
    parent: npt.NDArray[np.intp]
    children: tuple[tuple[int, ...], ...]
    depth: npt.NDArray[np.intp]
    maxima: FloatArray
    bound: FloatArray
    rules: tuple[Rule | None, ...]
    allow_na: BoolArray
    derivable: BoolArray
    postorder: tuple[int, ...]
    top: tuple[int, ...]
    pos: dict[str, int]

    @property
    def total_slot(self) -> int:
        """Slot of the total.

        Example:
            >>> import parindex
            >>> from parindex.engine.compile import compile_methodology
            >>> c = compile_methodology(parindex.get_methodology("ministry-2022"))
            >>> c.slot_ids[c.total_slot]
            'total'
        """
        return self.n_nodes + self.n_components


def compile_methodology(m: Methodology) -> Compiled:
    """Compile (and cache on a side table keyed by identity) a methodology.

    Example:
        >>> import parindex
        >>> m = parindex.get_methodology("ministry-2022")
        >>> compile_methodology(m) is compile_methodology(m)
        True
    """
    cached = _compiled_cache.get(id(m))
    if cached is not None and cached.methodology is m:
        return cached
    nodes = list(m.nodes())
    pos = {n.id: i for i, n in enumerate(nodes)}
    n_nodes = len(nodes)
    comps = list(m.components)
    for k, c in enumerate(comps):
        pos[c.id] = n_nodes + k
    pos[TOTAL] = n_nodes + len(comps)
    size = n_nodes + len(comps) + 1
    parent = np.full(size, -1, dtype=np.intp)
    depth = np.zeros(size, dtype=np.intp)
    maxima = np.full(size, np.nan)
    children: list[tuple[int, ...]] = [() for _ in range(size)]
    rules: list[Rule | None] = [None] * size
    allow_na = np.zeros(size, dtype=bool)
    derivable = np.zeros(size, dtype=bool)
    for i, n in enumerate(nodes):
        p = m.parent_of(n.id)
        parent[i] = -1 if p is None else pos[p]
        depth[i] = n.id.count(".") + 1
        mx = m.max_points_of(n.id)
        maxima[i] = np.nan if mx is None else mx
        children[i] = tuple(pos[c.id] for c in n.children)
        rules[i] = n.rule
        allow_na[i] = n.allow_na
        derivable[i] = m.children_exhaustive(n.id)
    for k, c in enumerate(comps):
        maxima[n_nodes + k] = np.nan if c.max_points is None else c.max_points
        allow_na[n_nodes + k] = c.allow_na
    total = n_nodes + len(comps)
    # An unknown total maximum stays unknown (NaN): it is never derived from the
    # fields' or components' maxima, so the total's index is unknown too.
    total_max = math.nan if m.total_max is None else m.total_max
    maxima[total] = total_max
    top = tuple(pos[n.id] for n in m.tree)
    children[total] = top
    derivable[total] = m.children_exhaustive(None)
    # The bound for given points: the node's maximum, else the nearest known ancestor's,
    # else none at all (points must still be finite and >= 0).
    top_bound = math.inf if m.total_max is None else m.total_max
    bound = np.full(size, top_bound)
    for i in range(n_nodes):
        up = (
            maxima[i]
            if not math.isnan(maxima[i])
            else bound[parent[i]]
            if parent[i] >= 0
            else top_bound
        )
        bound[i] = up
    for k in range(len(comps)):
        if not math.isnan(maxima[n_nodes + k]):
            bound[n_nodes + k] = maxima[n_nodes + k]
    postorder = tuple(sorted(range(n_nodes), key=lambda i: -depth[i]))
    compiled = Compiled(
        methodology=m,
        slot_ids=tuple(pos),
        n_nodes=n_nodes,
        n_components=len(comps),
        parent=parent,
        children=tuple(children),
        depth=depth,
        maxima=maxima,
        bound=bound,
        rules=tuple(rules),
        allow_na=allow_na,
        derivable=derivable,
        postorder=postorder,
        top=top,
        pos=pos,
    )
    _compiled_cache[id(m)] = compiled
    if len(_compiled_cache) > 256:
        _compiled_cache.pop(next(iter(_compiled_cache)))
    return compiled


_compiled_cache: dict[int, Compiled] = {}
