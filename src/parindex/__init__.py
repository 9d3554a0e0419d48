"""parindex: exact, versioned computation of Vietnam's administrative-reform index
(PAR INDEX, Chỉ số cải cách hành chính).

Data flows one way: methodology files -> validated model objects -> pure scoring ->
ranking and analysis -> presentation.

Example:
    >>> import parindex
    >>> sheet = parindex.ScoreSheet.read("examples/daklak-2017.csv")
    >>> result = parindex.score("province-2017", sheet)
    >>> parindex.round_half_up(result.unit("Đắk Lắk").total.index)
    75.37
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from parindex._io import (
    dump_methodology,
    load_methodology,
    methodology_from_dict,
    methodology_to_dict,
)
from parindex._model import (
    COMPONENT_IDS,
    AdministrativeUnit,
    Band,
    Decision,
    Methodology,
    Node,
    RankingPolicy,
    ScoreComponent,
    Source,
)
from parindex._numbers import round_half_up
from parindex._ranking import Ranking, assign_band, rank, rank_change, rank_values
from parindex._registry import Registry, default_registry, get_methodology, list_methodologies
from parindex._scoring import TOTAL, NodeScore, Scores, UnitResult, score
from parindex._sheet import SHEET_COLUMNS, ScoreEntry, ScoreSheet
from parindex.errors import (
    AmbiguousInputError,
    ConflictError,
    DuplicateEntryError,
    InputFormatError,
    MethodologyError,
    MissingDataError,
    NotApplicableError,
    OverlapError,
    ParIndexError,
    PointsOutOfRangeError,
    ScoreSheetError,
    ScoreSheetErrors,
    UnknownMethodologyError,
    UnknownNodeError,
    UnknownUnitError,
)

if TYPE_CHECKING:
    from parindex._batch import score_frame, wide_to_tidy
    from parindex._scenarios import Gap, PlanStep, WhatIf, gap, what_if
    from parindex._simulate import Simulation, UncertainInput, Uncertainty, simulate

# Analysis features load on first use, keeping ``import parindex`` fast.
_LAZY = {
    "score_frame": "parindex._batch",
    "wide_to_tidy": "parindex._batch",
    "Gap": "parindex._scenarios",
    "PlanStep": "parindex._scenarios",
    "WhatIf": "parindex._scenarios",
    "gap": "parindex._scenarios",
    "what_if": "parindex._scenarios",
    "Simulation": "parindex._simulate",
    "UncertainInput": "parindex._simulate",
    "Uncertainty": "parindex._simulate",
    "simulate": "parindex._simulate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'parindex' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "COMPONENT_IDS",
    "SHEET_COLUMNS",
    "TOTAL",
    "AdministrativeUnit",
    "AmbiguousInputError",
    "Band",
    "ConflictError",
    "Decision",
    "DuplicateEntryError",
    "Gap",
    "InputFormatError",
    "Methodology",
    "MethodologyError",
    "MissingDataError",
    "Node",
    "NodeScore",
    "NotApplicableError",
    "OverlapError",
    "ParIndexError",
    "PlanStep",
    "PointsOutOfRangeError",
    "Ranking",
    "RankingPolicy",
    "Registry",
    "ScoreComponent",
    "ScoreEntry",
    "ScoreSheet",
    "ScoreSheetError",
    "ScoreSheetErrors",
    "Scores",
    "Simulation",
    "Source",
    "UncertainInput",
    "Uncertainty",
    "UnitResult",
    "UnknownMethodologyError",
    "UnknownNodeError",
    "UnknownUnitError",
    "WhatIf",
    "__version__",
    "assign_band",
    "default_registry",
    "dump_methodology",
    "gap",
    "get_methodology",
    "list_methodologies",
    "load_methodology",
    "methodology_from_dict",
    "methodology_to_dict",
    "rank",
    "rank_change",
    "rank_values",
    "round_half_up",
    "score",
    "score_frame",
    "simulate",
    "what_if",
    "wide_to_tidy",
]
