"""Classify a finished run and explain it in the user's language.

The diagnosis reads only the run itself: the loss trace, whether the
parameters changed, which gradients are missing, the optimizer's actual
learning rate and the exception. It never looks at which bug was injected,
so it also explains code a student wrote; injected bugs are only named.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from kit.bugs import get_bug
from kit.gradcheck import CHECKED_STAGES, check_gradients
from kit.i18n import KitError, tr
from kit.runner import NONFINITE, RAISED, STOPPED

SYMPTOMS = ("converged", "slow", "flat", "diverged", "oscillating", "raised", "stopped")

# A run has converged when its final loss is below this fraction of the first.
CONVERGED_RATIO = 1e-3
# A run has diverged when its final loss is above this multiple of the first.
DIVERGED_RATIO = 10.0
# Symptoms after which a hand-written backward is checked against finite differences.
GRADIENT_SYMPTOMS = ("slow", "flat", "diverged", "oscillating")
# A run oscillates when its smoothed loss climbs this factor above its lowest point.
REBOUND_RATIO = 2.0

# Substrings of exception messages, in the order they are tried, and the
# explanation each selects. Messages are torch 2.x and numpy 1.x/2.x wording.
_ERROR_PATTERNS = (
    ("none_grad", ("'NoneType' object has no attribute",)),
    ("leaf_inplace", ("leaf Variable that requires grad",)),
    ("backward_twice", ("backward through the graph a second time",)),
    ("dtype", ("same dtype", "expected scalar type", "dtype")),
    ("shape", ("shapes", "not aligned", "size mismatch", "must match the size", "shape")),
)


@dataclass
class Diagnosis:
    """The verdict on a run, its explanation and a fix hint, in one language.

    Attributes
    ----------
    symptom : str
        One of ``SYMPTOMS``.
    title, explanation, hint : str
        Markdown text (inline code in backticks).
    facts : list of str
        Measured facts behind the verdict, one sentence each.
    bug_titles : list of str
        Titles of the injected bugs, empty for a correct run.
    """

    symptom: str
    title: str
    explanation: str
    hint: str
    facts: list = field(default_factory=list)
    bug_titles: list = field(default_factory=list)


def classify(result):
    """Return ``(symptom, variant)`` for a :class:`kit.runner.RunResult`.

    ``variant`` names the explanation within the symptom, for example
    ``"none_grad"`` for an AttributeError on a missing ``.grad``.
    """
    if result.status == RAISED:
        return "raised", _error_variant(result.error)
    if result.status == STOPPED:
        return "stopped", "user"
    losses = result.losses
    if not losses:
        return "flat", "no_loss"
    if result.status == NONFINITE:
        return "diverged", "nonfinite"
    first = losses[0]
    tail = _tail_level(losses)
    spread = max(losses) - min(losses)
    if len(losses) > 1 and spread <= 1e-9 * max(abs(first), 1e-30):
        return "flat", "no_update" if result.facts.params_changed is False else "no_change"
    if tail <= CONVERGED_RATIO * first:
        return "converged", "plain"
    if tail > DIVERGED_RATIO * first:
        return "diverged", "growth"
    if _rebound(losses) > REBOUND_RATIO:
        return "oscillating", "rebound"
    if _stale_lr(result.facts):
        return "slow", "stale_lr"
    return "slow", "plain"


@dataclass
class Analysis:
    """The language-free part of a diagnosis, computed once per run.

    Attributes
    ----------
    result : kit.runner.RunResult
    symptom, variant : str
        As returned by :func:`classify`.
    gradient_error : float or None
        Relative error of a failed gradient check of a hand-written backward,
        or None when the check passed or does not apply.
    """

    result: object
    symptom: str
    variant: str
    gradient_error: float | None = None


def analyze(result):
    """Return the :class:`Analysis` of a run, running the gradient check where it applies."""
    symptom, variant = classify(result)
    check = _failed_gradient_check(result, symptom)
    error = check.max_relative_error if check is not None else None
    return Analysis(result, symptom, variant, error)


def diagnose(result, lang=None):
    """Return the :class:`Diagnosis` of a run in ``lang`` (default: current language)."""
    return explain(analyze(result), lang)


def explain(analysis, lang=None):
    """Return the :class:`Diagnosis` of an :class:`Analysis` in ``lang``."""
    result, symptom, variant = analysis.result, analysis.symptom, analysis.variant
    numbers = _numbers(result)
    prefix = f"diagnosis.{symptom}"
    sentences = [tr(f"{prefix}.{variant}", lang, **numbers)]
    hint = tr(f"{prefix}.hint_{variant}", lang, **numbers)
    facts = _facts(result, lang, numbers)
    if analysis.gradient_error is not None:
        # a wrong hand-written backward explains the symptom better than the learning rate
        error = _fmt(analysis.gradient_error)
        sentences.insert(0, tr("diagnosis.gradient.explanation", lang, error=error))
        hint = tr("diagnosis.gradient.hint", lang)
        facts.append(tr("diagnosis.fact.gradient", lang, error=error))
    settings = result.program.settings
    bug_titles = [get_bug(bug_id).text("title", lang) for bug_id in settings.bugs]
    if bug_titles:
        titles = tr("diagnosis.list_separator", lang).join(bug_titles)
        sentences.append(tr("diagnosis.injected", lang, bugs=titles))
    explanation = tr("diagnosis.sentence_separator", lang).join(sentences)
    return Diagnosis(
        symptom=symptom,
        title=tr(f"{prefix}.title", lang),
        explanation=explanation,
        hint=hint,
        facts=facts,
        bug_titles=bug_titles,
    )


def _failed_gradient_check(result, symptom):
    """Return the failed :class:`kit.gradcheck.GradCheck` of a hand-written backward, or None."""
    settings = result.program.settings
    if symptom not in GRADIENT_SYMPTOMS or settings.stage not in CHECKED_STAGES:
        return None
    try:
        check = check_gradients(settings, source=result.source or None)
    except KitError:
        return None
    if check.ok or check.max_relative_error is None:
        return None
    return check


def _error_variant(error):
    text = f"{error.type}: {error.message}" if error else ""
    for variant, needles in _ERROR_PATTERNS:
        if any(needle in text for needle in needles):
            return variant
    return "other"


def _tail_level(losses):
    """Median of the last 5% of the losses (at least one), robust to one noisy step."""
    count = max(1, len(losses) // 20)
    return float(np.median(losses[-count:]))


def _smooth(losses):
    window = max(1, len(losses) // 25)
    values = np.asarray(losses, dtype=np.float64)
    if window == 1:
        return values
    return np.array([np.median(values[i : i + window]) for i in range(len(values) - window + 1)])


def _rebound(losses):
    """Return how far the smoothed loss climbs after its lowest point, as a ratio."""
    smooth = _smooth(losses)
    lowest = int(np.argmin(smooth))
    low = smooth[lowest]
    if low <= 0:
        return 1.0
    return float(np.max(smooth[lowest:]) / low)


def _stale_lr(facts):
    if facts.optimizer_lr is None or facts.learning_rate is None:
        return False
    return not math.isclose(facts.optimizer_lr, facts.learning_rate, rel_tol=1e-9)


def _fmt(value):
    return "-" if value is None else f"{value:.4g}"


def _numbers(result):
    losses = result.losses
    error = result.error
    numbers = {
        "count": len(losses),
        "first": _fmt(losses[0]) if losses else "-",
        "last": _fmt(losses[-1]) if losses else "-",
        "low": _fmt(min(losses)) if losses else "-",
        "ratio": _fmt(losses[-1] / losses[0]) if losses and losses[0] else "-",
        "optimizer_lr": _fmt(result.facts.optimizer_lr),
        "learning_rate": _fmt(result.facts.learning_rate),
        "error_type": error.type if error else "",
        "error_message": error.message if error else "",
        "line": error.line if error and error.line else "-",
        "code": error.code if error and error.code else "",
    }
    return numbers


def _facts(result, lang, numbers):
    facts = []
    if result.losses:
        facts.append(tr("diagnosis.fact.losses", lang, **numbers))
    if result.error is not None:
        facts.append(tr("diagnosis.fact.error", lang, **numbers))
        if result.error.line:
            facts.append(tr("diagnosis.fact.line", lang, **numbers))
    # a run stopped mid-iteration may not have updated anything yet, so these facts mislead
    finished = result.status != STOPPED
    if finished and result.facts.params_changed is False:
        facts.append(tr("diagnosis.fact.params_unchanged", lang))
    if _stale_lr(result.facts):
        facts.append(tr("diagnosis.fact.stale_lr", lang, **numbers))
    if finished and result.facts.grads_missing and result.status != RAISED:
        names = ", ".join(result.facts.grads_missing)
        facts.append(tr("diagnosis.fact.grads_missing", lang, names=names))
    return facts
