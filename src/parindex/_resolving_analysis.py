"""The facade's analysis functions, loaded on first use (they import pandas): each
looks a methodology key up once (see :mod:`parindex._resolving`), then calls the
layer's function, which takes :class:`~parindex.Methodology` objects only."""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any

from parindex._resolving import resolving
from parindex.analysis import frame_identity as _frame_identity
from parindex.analysis import gap as _gap
from parindex.analysis import simulate as _simulate
from parindex.analysis import survey as _survey
from parindex.analysis import what_if as _what_if
from parindex.io.catalogue import get_methodology
from parindex.io.survey import load_questionnaire, load_responses
from parindex.io.uncertainty import load_uncertainty

if TYPE_CHECKING:
    import pandas as pd

    from parindex.model.methodology import Methodology
    from parindex.model.questionnaire import Questionnaire

__all__ = [
    "aggregate_survey",
    "gap",
    "load_questionnaire",
    "load_responses",
    "load_uncertainty",
    "score_frame",
    "simulate",
    "what_if",
]

score_frame = resolving(_frame_identity.score_frame_units)
what_if = resolving(_what_if.what_if)
gap = resolving(_gap.gap)
simulate = resolving(_simulate.simulate)


@functools.wraps(_survey.aggregate_survey)
def aggregate_survey(
    responses: pd.DataFrame,
    questionnaire: Questionnaire,
    *,
    methodology: Methodology | str | None = None,
    **options: Any,
) -> _survey.SurveyResult:
    if methodology is None:
        methodology = get_methodology(questionnaire.methodology)
    elif isinstance(methodology, str):
        methodology = get_methodology(methodology)
    return _survey.aggregate_survey(responses, questionnaire, methodology=methodology, **options)


def _facade_signature() -> inspect.Signature:
    # help() and the docs follow __wrapped__ to the layer's signature, where
    # ``methodology`` is a required Methodology; here it is optional and may be a key.
    sig = inspect.signature(_survey.aggregate_survey)
    return sig.replace(
        parameters=[
            p.replace(default=None, annotation="Methodology | str | None")
            if p.name == "methodology"
            else p
            for p in sig.parameters.values()
        ]
    )


aggregate_survey.__signature__ = _facade_signature()  # type: ignore[attr-defined]
