"""Survey conversion policies: how survey answers become a score in [0, 1] per target.

The official rules that turn survey answers (điều tra xã hội học) into PAR points are
**not public**. The library therefore ships the conversion as named, documented
policies (``linear_mean``, ``share_positive``, ``group_weighted_mean``), says on what
evidence an official year may use one, and lets a user register their own with
:func:`register_policy`. A policy sees counts only (:class:`SurveyStats`), never the
responses themselves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from parindex.errors import QuestionnaireError

__all__ = [
    "SURVEY_ID_PATTERN",
    "ConversionPolicy",
    "PolicyFunction",
    "SurveyStats",
    "as_policy",
    "check_survey_id",
    "get_policy",
    "list_policies",
    "ratio",
    "register_policy",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]

SURVEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
"""A well-formed id of a policy, questionnaire, item, scale or respondent group (used
with ``fullmatch``: ``$`` would let a trailing newline through)."""


def check_survey_id(_inst: object, attribute: attrs.Attribute[str], value: str) -> None:
    """attrs validator: ``value`` is a well-formed id (:data:`SURVEY_ID_PATTERN`).

    Example:
        >>> import attrs
        >>> from parindex.rules.conversion import check_survey_id
        >>> @attrs.frozen
        ... class Thing:
        ...     id: str = attrs.field(validator=check_survey_id)
        >>> Thing("Q1").id
        'Q1'
        >>> Thing("no spaces")
        Traceback (most recent call last):
        ...
        parindex.errors.QuestionnaireError: id 'no spaces' is not a well-formed id (letters, digits, '_', '.', '-')
    """
    if not isinstance(value, str) or not SURVEY_ID_PATTERN.fullmatch(value):
        raise QuestionnaireError(
            f"{attribute.name} {value!r} is not a well-formed id (letters, digits, '_', '.', '-')"
        )


@attrs.frozen(eq=False)
class SurveyStats:
    """What a conversion policy sees: for every respondent group and target, the
    number of answers counted (``n``), their sum after rescaling each answer from
    [scale low, scale high] onto [0, 1] (``total``), and the number of positive answers
    (``positive``). Arrays have shape ``(..., groups, targets)``: leading axes hold
    units or bootstrap replicates. ``weights`` are the group weights (shape
    ``(groups,)``).

    A policy returns, for every target, a score in [0, 1] (shape ``(..., targets)``),
    NaN where there is no data; points are that score times the target's maximum (or
    the leaf's rule applied to it as a rate).

    Example:
        >>> import numpy as np
        >>> from parindex.rules.conversion import SurveyStats, get_policy
        >>> stats = SurveyStats(
        ...     n=np.array([[2.0], [3.0]]), total=np.array([[2.0], [0.75]]),
        ...     positive=np.array([[2.0], [0.0]]), weights=np.array([3.0, 1.0]),
        ...     groups=("a", "b"), targets=("7.4",))
        >>> [round(float(get_policy(p)(stats)[0]), 4)
        ...  for p in ("linear_mean", "share_positive", "group_weighted_mean")]
        [0.55, 0.4, 0.8125]
    """

    n: FloatArray
    total: FloatArray
    positive: FloatArray
    weights: FloatArray
    groups: tuple[str, ...]
    targets: tuple[str, ...]


PolicyFunction: TypeAlias = Callable[[SurveyStats], FloatArray]
"""A policy's function: :class:`SurveyStats` -> a score in [0, 1] per target."""


@attrs.frozen
class ConversionPolicy:
    """A named rule (quy tắc quy đổi) that turns survey answers into a score in
    [0, 1] per target.

    ``evidence`` says whether any official year is believed to use it, and why.

    Example:
        >>> from parindex.rules.conversion import get_policy
        >>> p = get_policy("share_positive")
        >>> p.name, p.evidence.startswith("none")
        ('share_positive', True)
    """

    name: str = attrs.field(validator=check_survey_id)
    function: PolicyFunction = attrs.field(repr=False)
    description: str = ""
    evidence: str = "none: a user-supplied policy"

    def __call__(self, stats: SurveyStats) -> FloatArray:
        """Apply the policy, checking its output's shape and range.

        Example:
            >>> import numpy as np
            >>> from parindex.rules.conversion import ConversionPolicy, SurveyStats
            >>> half = ConversionPolicy("half", lambda s: np.full(s.n.shape[-1:], 0.5))
            >>> one = np.ones((1, 1))
            >>> half(SurveyStats(one, one, one, np.ones(1), ("a",), ("7.4",))).tolist()
            [0.5]
        """
        out = np.asarray(self.function(stats), dtype=np.float64)
        want = stats.n.shape[:-2] + stats.n.shape[-1:]
        if out.shape != want:
            raise QuestionnaireError(
                f"conversion policy {self.name!r} returned shape {out.shape}, expected {want}"
            )
        bad = ~np.isnan(out) & ((out < -1e-9) | (out > 1 + 1e-9))
        if bad.any():
            raise QuestionnaireError(
                f"conversion policy {self.name!r} returned {out[bad].flat[0]!r}, outside 0-1"
            )
        return np.clip(out, 0.0, 1.0)


def ratio(num: FloatArray, den: FloatArray) -> FloatArray:
    """``num / den`` element-wise, NaN where ``den`` is not positive (no data).

    Example:
        >>> import numpy as np
        >>> from parindex.rules.conversion import ratio
        >>> ratio(np.array([1.0, 1.0]), np.array([4.0, 0.0])).tolist()
        [0.25, nan]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _linear_mean(s: SurveyStats) -> FloatArray:
    return ratio(s.total.sum(axis=-2), s.n.sum(axis=-2))


def _share_positive(s: SurveyStats) -> FloatArray:
    return ratio(s.positive.sum(axis=-2), s.n.sum(axis=-2))


def _group_weighted_mean(s: SurveyStats) -> FloatArray:
    means = ratio(s.total, s.n)
    w = np.where(s.n > 0, s.weights[:, np.newaxis], 0.0)
    return ratio(np.where(s.n > 0, w * np.nan_to_num(means), 0.0).sum(axis=-2), w.sum(axis=-2))


_NO_EVIDENCE = (
    "none: the official rule that turns survey answers into points is not public; no "
    "official year is known to use this policy"
)
_POLICIES: dict[str, ConversionPolicy] = {
    p.name: p
    for p in (
        ConversionPolicy(
            "linear_mean",
            _linear_mean,
            "mean answer, mapped linearly from [scale low, scale high] onto [0, max points]; "
            "all answers of all groups and items of the target pooled",
            _NO_EVIDENCE,
        ),
        ConversionPolicy(
            "share_positive",
            _share_positive,
            "share of answers at or above the scale's positive_from code (e.g. satisfied "
            "or very satisfied), times max points; all answers pooled",
            _NO_EVIDENCE
            + " (it is the usual reading of a satisfaction rate such as SIPAS; see sipas_points)",
        ),
        ConversionPolicy(
            "group_weighted_mean",
            _group_weighted_mean,
            "mean rescaled answer per respondent group, combined with the group weights "
            "(re-normalised over the groups that answered; unknown when only groups of "
            "weight 0 answered), times max points",
            _NO_EVIDENCE,
        ),
    )
}
_BUILTIN_POLICIES = frozenset(_POLICIES)


def register_policy(policy: ConversionPolicy, *, replace: bool = False) -> None:
    """Register a conversion policy so that questionnaires and the CLI can name it.

    Built-in policies cannot be replaced; another registered name can with
    ``replace=True``.

    Example:
        >>> import numpy as np
        >>> from parindex.rules.conversion import ConversionPolicy, get_policy, register_policy
        >>> def share(s):  # positive answers over counted answers, all groups pooled
        ...     n = s.n.sum(axis=-2)
        ...     return np.where(n > 0, s.positive.sum(axis=-2) / np.maximum(n, 1), np.nan)
        >>> register_policy(ConversionPolicy("my_share", share), replace=True)
        >>> get_policy("my_share").name
        'my_share'
    """
    if policy.name in _BUILTIN_POLICIES:
        raise QuestionnaireError(f"{policy.name!r} is a built-in policy and cannot be replaced")
    if policy.name in _POLICIES and not replace:
        raise QuestionnaireError(
            f"a policy named {policy.name!r} is already registered (pass replace=True)"
        )
    _POLICIES[policy.name] = policy


def get_policy(name: str) -> ConversionPolicy:
    """The registered conversion policy with this name.

    Example:
        >>> from parindex.rules.conversion import get_policy
        >>> get_policy("linear_mean").description.split(",")[0]
        'mean answer'
    """
    try:
        return _POLICIES[name]
    except KeyError:
        raise QuestionnaireError(
            f"no conversion policy {name!r} (known: {', '.join(sorted(_POLICIES))})"
        ) from None


def list_policies() -> list[ConversionPolicy]:
    """Every registered conversion policy, built-in ones first.

    Example:
        >>> from parindex.rules.conversion import list_policies
        >>> [p.name for p in list_policies()][:3]
        ['linear_mean', 'share_positive', 'group_weighted_mean']
    """
    return list(_POLICIES.values())


def as_policy(policy: str | ConversionPolicy | PolicyFunction) -> ConversionPolicy:
    """A policy given as a registered name, a :class:`ConversionPolicy` or a callable
    taking :class:`SurveyStats` (named after the callable when that name is a
    well-formed id, else ``custom``).

    Example:
        >>> from parindex.rules.conversion import as_policy
        >>> as_policy("linear_mean").name, as_policy(lambda s: s.n).name
        ('linear_mean', 'custom')
    """
    if isinstance(policy, ConversionPolicy):
        return policy
    if isinstance(policy, str):
        return get_policy(policy)
    if callable(policy):
        name = getattr(policy, "__name__", "custom")
        return ConversionPolicy(name if SURVEY_ID_PATTERN.fullmatch(name) else "custom", policy)
    raise QuestionnaireError(f"policy must be a name, a ConversionPolicy or a callable: {policy!r}")
