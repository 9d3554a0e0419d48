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

__version__ = "0.1.0"

from parindex._complete import (
    Disagreement,
    compare_with_skeleton,
    complete_methodology,
    parse_rule,
    read_methodology_table,
)
from parindex._diff import MethodologyChange, MethodologyDiff, diff_methodologies
from parindex._display import to_html
from parindex._excel import read_excel_sheet, write_excel_template
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
from parindex._names import UnitNames, match_unit
from parindex._numbers import round_half_up
from parindex._plot import plot_profile, plot_rank_movement, plot_ranking
from parindex._ranking import Ranking, assign_band, rank, rank_change, rank_values
from parindex._registry import Registry, default_registry, get_methodology, list_methodologies
from parindex._schema import json_schema
from parindex._scoring import TOTAL, NodeScore, Scores, UnitResult, score
from parindex._sheet import SHEET_COLUMNS, ScoreEntry, ScoreSheet
from parindex._units import (
    MinistryRoster,
    assessed_ministries,
    province_predecessors,
    province_successor,
    provinces,
)
from parindex._validate import Finding, check_methodology, check_methodology_file
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

__all__ = [
    "COMPONENT_IDS",
    "SHEET_COLUMNS",
    "TOTAL",
    "AdministrativeUnit",
    "AmbiguousInputError",
    "Band",
    "ConflictError",
    "Decision",
    "Disagreement",
    "DuplicateEntryError",
    "Finding",
    "InputFormatError",
    "Methodology",
    "MethodologyChange",
    "MethodologyDiff",
    "MethodologyError",
    "MinistryRoster",
    "MissingDataError",
    "Node",
    "NodeScore",
    "NotApplicableError",
    "OverlapError",
    "ParIndexError",
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
    "Source",
    "UnitNames",
    "UnitResult",
    "UnknownMethodologyError",
    "UnknownNodeError",
    "UnknownUnitError",
    "__version__",
    "assessed_ministries",
    "assign_band",
    "check_methodology",
    "check_methodology_file",
    "compare_with_skeleton",
    "complete_methodology",
    "default_registry",
    "diff_methodologies",
    "dump_methodology",
    "get_methodology",
    "json_schema",
    "list_methodologies",
    "load_methodology",
    "match_unit",
    "methodology_from_dict",
    "methodology_to_dict",
    "parse_rule",
    "plot_profile",
    "plot_rank_movement",
    "plot_ranking",
    "province_predecessors",
    "province_successor",
    "provinces",
    "rank",
    "rank_change",
    "rank_values",
    "read_excel_sheet",
    "read_methodology_table",
    "round_half_up",
    "score",
    "to_html",
    "write_excel_template",
]
