"""Debugging exercises: a hidden bug in a stage, a diagnosis to pick, a fix to submit.

An exercise is one (stage, bug) pair from the catalogue. The student reads the
buggy code without any diff marking, picks the diagnosis among four bug titles,
then submits fixed code. :func:`check_fix` runs the submitted code with the
exercise's settings and accepts it only if it trains as the correct code does:

1. it compiles and runs to the end without an exception or a non-finite loss;
2. the final loss is at most ``FINAL_LOSS_FACTOR`` times the reference run's
   final loss, and below ``CONVERGED_FRACTION`` of the first loss whenever the
   reference run itself gets there;
3. it prints one loss per iteration, starting from the reference first loss
   (same data, same initial weights);
4. the settings (sizes, iterations, seed, learning rate, dtype, optimizer)
   end with the exercise's values;
5. the final weights left in the namespace really give that loss: the loss is
   recomputed here, in float64, from ``w1``/``w2`` or the model's
   ``nn.Linear`` layers on the data from :func:`kit.data.make_data`, and must lie
   within a factor ``HONEST_LOSS_FACTOR`` of the last printed loss.

A teacher hides the answer in a token from :func:`make_token`. The token is
obfuscated against reading the notebook source, not encrypted: anyone who runs
:func:`read_token` on it gets the bug id.
"""

import base64
import datetime
import functools
import hashlib
import json
import math
import random
import zlib
from dataclasses import dataclass, field

import numpy as np
import torch

from kit import __version__
from kit.bugs import all_bugs, bugs_for_stage, get_bug
from kit.data import make_data
from kit.diagnosis import classify
from kit.i18n import KitError, get_language, normalize_language, tr
from kit.program import build_program
from kit.runner import FINISHED, NONFINITE, RAISED, STOPPED, run_program
from kit.settings import Settings
from kit.stages import STAGE_IDS

# The dynamic stage draws a random depth in every forward pass, so the loss of
# a set of final weights is not one number and the weights cannot be checked.
EXERCISE_STAGES = tuple(stage for stage in STAGE_IDS if stage != "dynamic")

# The exercise set picked from by seed: every bug once, at the stage where the
# lecture meets it or where its symptom is clearest.
EXERCISE_SET = (
    ("autograd", "rebind-update"),
    ("nn", "rebind-param"),
    ("optim", "lr-after-optimizer"),
    ("autograd", "zero-grad-before-backward"),
    ("nn", "no-zero-grad"),
    ("function", "update-outside-no-grad"),
    ("numpy", "lr-too-large"),
    ("tensor", "relu-mask"),
    ("numpy", "wrong-transpose"),
    ("module", "backward-twice"),
    ("tensor", "double-float"),
)

CHOICE_COUNT = 4
HINT_AFTER = 3
FINAL_LOSS_FACTOR = 10.0
CONVERGED_FRACTION = 1e-3
# The printed loss is computed before the last update, the recomputed one
# after it, and float32 rounding adds a few percent at losses near 1e-5:
# measured ratios for the correct stages lie between 0.94 and 1.03.
HONEST_LOSS_FACTOR = 2.0
FIRST_LOSS_RTOL = 1e-4

# Names of the checks of check_fix, in the order they run; each has ok, fail
# and next texts under exercises.check.<name> in the catalogs.
CHECK_NAMES = (
    "syntax",
    "runs",
    "finite",
    "stopped",
    "count",
    "first",
    "falls",
    "settings",
    "weights",
    "honest",
)

PROGRESS_SCHEMA = "kit-exercise-progress"
PROGRESS_VERSION = 1

_TOKEN_PREFIX = "kx1-"
_TOKEN_KEY = b"kit exercise token: obfuscation against reading, not a secret"
SETTING_NAMES = ("N", "D_in", "H", "D_out", "iterations", "seed", "learning_rate", "dtype")


# ---------------------------------------------------------------- tokens


def exercise_pairs():
    """Return every (stage, bug) pair an exercise can use, in lecture and picker order."""
    return [(stage, bug.id) for stage in EXERCISE_STAGES for bug in bugs_for_stage(stage)]


def _check_pair(stage, bug):
    get_bug(bug)
    if (stage, bug) not in exercise_pairs():
        choices = ", ".join(f"{s}/{b}" for s, b in EXERCISE_SET)
        raise KitError("exercises.bad_pair", stage=stage, bug=bug, choices=choices)


def _keystream(length):
    stream = b""
    counter = 0
    while len(stream) < length:
        stream += hashlib.sha256(_TOKEN_KEY + counter.to_bytes(4, "big")).digest()
        counter += 1
    return stream[:length]


def make_token(stage, bug, seed=0):
    """Encode an exercise as a token that does not show the bug id.

    Parameters
    ----------
    stage, bug : str
        The stage and the catalogue bug injected into it.
    seed : int
        Seed of the order of the diagnosis choices.

    Returns
    -------
    str
        ``"kx1-"`` and URL-safe base64 text. This is obfuscation against
        reading the notebook, not encryption: :func:`read_token` decodes it.
    """
    _check_pair(stage, bug)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise KitError("exercises.bad_seed", value=seed)
    payload = json.dumps({"stage": stage, "bug": bug, "seed": seed}, separators=(",", ":"))
    data = payload.encode("utf-8")
    data += zlib.crc32(data).to_bytes(4, "big")
    mixed = bytes(a ^ b for a, b in zip(data, _keystream(len(data)), strict=True))
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(mixed).decode("ascii").rstrip("=")


def read_token(token):
    """Decode a token from :func:`make_token` into ``(stage, bug, seed)``.

    Raises
    ------
    kit.i18n.KitError
        If the token is mistyped, truncated or names an unknown exercise.
    """
    text = str(token).strip()
    if not text.startswith(_TOKEN_PREFIX):
        raise KitError("exercises.bad_token", value=text[:40])
    body = text[len(_TOKEN_PREFIX) :]
    try:
        mixed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise KitError("exercises.bad_token", value=text[:40]) from None
    data = bytes(a ^ b for a, b in zip(mixed, _keystream(len(mixed)), strict=True))
    payload, checksum = data[:-4], data[-4:]
    if len(data) < 5 or zlib.crc32(payload).to_bytes(4, "big") != checksum:
        raise KitError("exercises.bad_token", value=text[:40])
    fields = json.loads(payload.decode("utf-8"))
    _check_pair(fields["stage"], fields["bug"])
    return fields["stage"], fields["bug"], int(fields["seed"])


def pick_exercise(seed):
    """Return the (stage, bug) pair of ``EXERCISE_SET`` that ``seed`` picks."""
    return random.Random(f"kit-exercise-{seed}").choice(EXERCISE_SET)


# ---------------------------------------------------------------- the exercise


@dataclass(frozen=True)
class ExerciseSpec:
    """One exercise: which bug is hidden where, and the settings it runs with.

    Attributes
    ----------
    stage, bug : str
    seed : int
        Seed of the choice order (and of the pick, for seed-picked exercises).
    settings : kit.settings.Settings
        The buggy run's settings. The reference run uses them without the bug.
    """

    stage: str
    bug: str
    seed: int
    settings: Settings

    @classmethod
    def create(cls, token=None, stage=None, bug=None, seed=None, **settings):
        """Build an exercise from a token, from a stage and bug, or from a seed alone.

        Extra keyword arguments (``iterations``, ``N`` ...) go to
        :meth:`kit.settings.Settings.create`; the data seed stays the stage's.
        """
        if token is not None:
            if stage is not None or bug is not None:
                raise KitError("exercises.token_and_pair")
            stage, bug, token_seed = read_token(token)
            seed = token_seed if seed is None else seed
        elif stage is None and bug is None:
            seed = 0 if seed is None else seed
            stage, bug = pick_exercise(seed)
        elif stage is None or bug is None:
            raise KitError("exercises.need_stage_and_bug")
        seed = 0 if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise KitError("exercises.bad_seed", value=seed)
        _check_pair(stage, bug)
        return cls(stage, bug, seed, Settings.create(stage, bugs=(bug,), **settings))

    @property
    def token(self):
        """The token that reproduces this exercise."""
        return make_token(self.stage, self.bug, self.seed)

    @property
    def program(self):
        """The buggy :class:`kit.program.Program` the student debugs."""
        return build_program(self.settings)

    @property
    def reference_settings(self):
        """The same settings without the bug."""
        return self.settings.with_changes(bugs=())

    def choices(self):
        """Return the ids of the four candidate bugs, in the order shown to the student.

        The correct bug and three others (bugs of the same stage first), shuffled
        deterministically by the seed.
        """
        rng = random.Random(f"kit-choices-{self.seed}-{self.stage}-{self.bug}")
        same = [b.id for b in bugs_for_stage(self.stage) if b.id != self.bug]
        other = [b.id for b in all_bugs() if b.id != self.bug and b.id not in same]
        rng.shuffle(same)
        rng.shuffle(other)
        picked = [self.bug, *(same + other)[: CHOICE_COUNT - 1]]
        rng.shuffle(picked)
        return picked


def reference_run(spec):
    """Return the :class:`kit.runner.RunResult` of the correct code, cached per settings."""
    return _reference_result(spec.reference_settings)


# A result keeps its namespace (data and weights), so the cache is bounded.
@functools.lru_cache(maxsize=16)
def _reference_result(settings):
    result = run_program(build_program(settings))
    if result.status != FINISHED:
        raise RuntimeError(f"the correct {settings.stage} code did not finish: {result.status}")
    return result


# ---------------------------------------------------------------- checking a fix


@dataclass
class Check:
    """One step of :func:`check_fix`: a key of the catalogue and its fields."""

    key: str
    passed: bool
    fields: dict = field(default_factory=dict)


@dataclass
class FixReport:
    """The outcome of checking one submitted fix.

    Attributes
    ----------
    accepted : bool
    checks : list of Check
        The checks made, in order; the first failed one ends the list.
    result : kit.runner.RunResult or None
        The run of the submitted code (None if it did not compile).
    recomputed_loss : float or None
        The loss recomputed from the final weights, when it got that far.
    lang : str or None
        Language of the notebook display (``_repr_markdown_``).
    """

    accepted: bool
    checks: list
    result: object = None
    recomputed_loss: float | None = None
    lang: str | None = None

    def _repr_markdown_(self):
        return self.feedback(self.lang)

    @property
    def failed_check(self):
        """The key of the failed check, or None when the fix is accepted."""
        for check in self.checks:
            if not check.passed:
                return check.key
        return None

    def feedback(self, lang=None):
        """Return Markdown feedback: what passed, what failed, and what to look at next."""
        paragraphs = []
        for check in self.checks:
            key = f"exercises.check.{check.key}"
            if check.passed:
                paragraphs.append("✅ " + tr(f"{key}.ok", lang, **check.fields))
            else:
                paragraphs.append("❌ " + tr(f"{key}.fail", lang, **check.fields))
                paragraphs.append(tr(f"{key}.next", lang, **check.fields))
        if self.accepted:
            paragraphs.append(tr("exercises.fix.accepted", lang))
        return "\n\n".join(paragraphs)


def check_fix(spec, source, on_loss=None, should_stop=None):
    """Run a submitted ``source`` for ``spec`` and return a :class:`FixReport`.

    The code runs in this process, with the exercise's settings, through
    :func:`kit.runner.run_program`; call this only in the student's own kernel.
    ``on_loss(iteration, loss)`` receives each printed loss, for a live plot,
    and ``should_stop()`` can end the run early (the report then fails with
    the ``stopped`` check).
    """
    reference = reference_run(spec)
    program = spec.program
    checks = []

    def report(check, result=None, recomputed=None):
        # every path ends here: a failed check, or the last check passed
        checks.append(check)
        return FixReport(check.passed, checks, result, recomputed)

    try:
        compile(source, "<submitted fix>", "exec")
    except SyntaxError as exc:
        return report(Check("syntax", False, {"line": exc.lineno or 0, "message": exc.msg}))
    # NOTE: code that loops forever without printing a loss cannot be stopped
    # here; the student interrupts their own kernel.
    result = run_program(program, on_loss, should_stop, source=source)
    failed = _run_status_check(result)
    if failed is not None:
        return report(failed, result)
    checks.append(Check("runs", True))

    losses = result.losses
    expected = spec.settings.iterations
    if len(losses) != expected:
        return report(Check("count", False, {"count": len(losses), "expected": expected}), result)
    first, ref_first = losses[0], reference.losses[0]
    if not math.isclose(first, ref_first, rel_tol=FIRST_LOSS_RTOL):
        fields = {"first": _fmt(first), "expected": _fmt(ref_first)}
        return report(Check("first", False, fields), result)
    checks.append(Check("count", True, {"count": expected, "first": _fmt(first)}))

    final, ref_final = losses[-1], reference.losses[-1]
    bound = FINAL_LOSS_FACTOR * ref_final
    if ref_final < CONVERGED_FRACTION * ref_first:
        bound = min(bound, CONVERGED_FRACTION * first)
    fields = {"final": _fmt(final), "reference": _fmt(ref_final), "bound": _fmt(bound)}
    if not final <= bound:
        return report(Check("falls", False, fields), result)
    checks.append(Check("falls", True, fields))

    # Settings before the recomputed loss: a real run with another learning
    # rate can end far from its own last printed loss (Adam does), and the
    # changed setting is the message that helps.
    changed = changed_settings(result, reference)
    if changed:
        name, value, expected_value = changed[0]
        fields = {"name": name, "value": value, "expected": expected_value}
        return report(Check("settings", False, fields), result)
    checks.append(Check("settings", True))

    recomputed = recompute_loss(result.namespace, spec.settings)
    if recomputed is None:
        return report(Check("weights", False), result)
    fields = {"recomputed": _fmt(recomputed), "final": _fmt(final)}
    ratio = recomputed / final if final > 0 else math.inf
    if not (1 / HONEST_LOSS_FACTOR <= ratio <= HONEST_LOSS_FACTOR):
        return report(Check("honest", False, fields), result, recomputed)
    return report(Check("honest", True, fields), result, recomputed)


def _run_status_check(result):
    if result.status == RAISED:
        error = result.error
        return Check(
            "runs",
            False,
            {
                "type": error.type,
                "message": error.message,
                "line": error.line if error.line is not None else "?",
                "code": error.code or "",
            },
        )
    if result.status == NONFINITE:
        return Check("finite", False, {"iteration": len(result.losses) - 1})
    if result.status == STOPPED:
        return Check("stopped", False, {"count": len(result.losses)})
    if result.status != FINISHED:
        return Check("runs", False, {"type": result.status, "message": "", "line": "?", "code": ""})
    if not result.losses:
        return Check("count", False, {"count": 0, "expected": result.program.settings.iterations})
    return None


def _fmt(value):
    return f"{value:.4g}"


def changed_settings(result, reference):
    """Return ``(name, value, expected)`` for each setting that differs from the reference run.

    Compares the values left in both namespaces at the end of the runs and,
    where the code has an optimizer, its class and its learning rate.
    """
    changed = []
    for name in SETTING_NAMES:
        expected = reference.namespace.get(name)
        value = result.namespace.get(name)
        if not _same_value(value, expected):
            changed.append((name, _show(value), _show(expected)))
    ref_optimizer = _optimizer(reference.namespace)
    if ref_optimizer is not None:
        optimizer = _optimizer(result.namespace)
        name = type(optimizer).__name__ if optimizer is not None else "-"
        if name != type(ref_optimizer).__name__:
            changed.append(("optimizer", name, type(ref_optimizer).__name__))
        elif not math.isclose(result.facts.optimizer_lr, reference.facts.optimizer_lr):
            changed.append(
                (
                    "optimizer lr",
                    _show(result.facts.optimizer_lr),
                    _show(reference.facts.optimizer_lr),
                )
            )
    return changed


def _same_value(value, expected):
    if isinstance(expected, float) and isinstance(value, (int, float)):
        return math.isclose(value, expected, rel_tol=1e-9)
    return type(value) is type(expected) and value == expected


def _show(value):
    if isinstance(value, float):
        return repr(value)
    if value is None:
        return "-"
    return str(value)


def _optimizer(namespace):
    for value in namespace.values():
        if isinstance(value, torch.optim.Optimizer):
            return value
    return None


# ---------------------------------------------------------------- recomputing the loss


def final_layers(namespace):
    """Return the final weights as float64 ``[(weight (in, out), bias or None), ...]``.

    Reads ``w1`` and ``w2`` (numpy arrays or tensors) or, failing that, the
    ``nn.Linear`` layers of ``model`` or of the first ``nn.Module`` in the
    namespace that has any, in registration order. Returns None when neither is there.
    """
    module = namespace.get("model")
    if not _has_linear(module):
        # any name will do, but not a module without weights such as the loss function
        module = next((value for value in namespace.values() if _has_linear(value)), None)
    if module is None:
        weights = [namespace.get("w1"), namespace.get("w2")]
        if all(isinstance(w, (np.ndarray, torch.Tensor)) for w in weights):
            return [(_as_float64(w), None) for w in weights]
        return None
    layers = []
    for layer in module.modules():
        if isinstance(layer, torch.nn.Linear):
            bias = None if layer.bias is None else _as_float64(layer.bias)
            layers.append((_as_float64(layer.weight).T, bias))
    return layers or None


def _has_linear(value):
    if not isinstance(value, torch.nn.Module):
        return False
    return any(isinstance(layer, torch.nn.Linear) for layer in value.modules())


def _as_float64(value):
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64)


def recompute_loss(namespace, settings):
    """Return the sum-of-squares loss of the final weights on the exercise's data.

    The forward pass is the lecture's network written here, independent of the
    student's code: linear layers with ReLU between them. Returns None when the
    weights are missing or their shapes do not fit the data.
    """
    layers = final_layers(namespace)
    if layers is None:
        return None
    x, y, _, _ = make_data(settings.N, settings.D_in, settings.H, settings.D_out, settings.seed)
    activation = x
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            for index, (weight, bias) in enumerate(layers):
                activation = activation @ weight
                if bias is not None:
                    activation = activation + bias
                if index < len(layers) - 1:
                    activation = np.maximum(activation, 0)
    except ValueError:
        return None
    if activation.shape != y.shape:
        return None
    return float(np.square(activation - y).sum())


# ---------------------------------------------------------------- a student's session


def _now():
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class ExerciseSession:
    """The state of one student working on one exercise, apart from any widget.

    Parameters
    ----------
    spec : ExerciseSpec
    hint_after : int
        Failed tries (diagnosis and fix together) after which the bug's hint is shown.
    student : str
        Name or id the student enters; stored in the progress file.
    """

    def __init__(self, spec, hint_after=HINT_AFTER, student=""):
        if isinstance(hint_after, bool) or not isinstance(hint_after, int) or hint_after < 1:
            raise KitError("exercises.bad_hint_after", value=hint_after)
        self.spec = spec
        self.hint_after = hint_after
        self.student = str(student)
        self.started_at = _now()
        self.attempts = []
        self.diagnosis_passed_at = None
        self.fix_passed_at = None
        self.last_report = None

    @property
    def diagnosis_passed(self):
        """Whether the student picked the right diagnosis."""
        return self.diagnosis_passed_at is not None

    @property
    def fix_passed(self):
        """Whether a submitted fix was accepted."""
        return self.fix_passed_at is not None

    @property
    def passed(self):
        """Whether both steps are done."""
        return self.diagnosis_passed and self.fix_passed

    @property
    def failed_tries(self):
        """The number of wrong diagnoses and rejected fixes so far."""
        return sum(1 for attempt in self.attempts if not attempt["correct"])

    @property
    def hint_due(self):
        """Whether the bug's hint is shown: after ``hint_after`` failed tries, until passed."""
        return self.failed_tries >= self.hint_after and not self.passed

    def answer(self, bug_id):
        """Record a diagnosis and return whether it names the hidden bug."""
        if bug_id not in self.spec.choices():
            raise KitError("exercises.bad_choice", value=bug_id)
        correct = bug_id == self.spec.bug
        self.attempts.append(
            {"step": "diagnosis", "at": _now(), "answer": bug_id, "correct": correct}
        )
        if correct and self.diagnosis_passed_at is None:
            self.diagnosis_passed_at = self.attempts[-1]["at"]
        return correct

    def diagnosis_feedback(self, correct, lang=None, result=None):
        """Return Markdown feedback on a diagnosis, with the hint when it is due.

        ``result``, a run of the buggy code, adds its symptom class to a wrong
        answer. Only the class is named: :func:`kit.diagnosis.diagnose` would
        also name the injected bug.
        """
        if correct:
            text = tr("exercises.diagnosis.right", lang)
            if not self.fix_passed:
                text += "\n\n" + tr("exercises.diagnosis.now_fix", lang)
            return text
        text = tr("exercises.diagnosis.wrong", lang)
        if result is not None:
            symptom, _ = classify(result)
            title = tr(f"diagnosis.{symptom}.title", lang)
            text += "\n\n" + tr("exercises.diagnosis.look", lang, symptom=title)
        return self._with_hint(text, lang)

    def submit(self, source, on_loss=None, should_stop=None):
        """Check a fix, record the attempt and return the :class:`FixReport`.

        A run stopped through ``should_stop`` is not recorded as a try.
        """
        report = check_fix(self.spec, str(source), on_loss, should_stop)
        if report.failed_check == "stopped":
            self.last_report = report
            return report
        attempt = {
            "step": "fix",
            "at": _now(),
            "correct": report.accepted,
            "failed_check": report.failed_check,
            "final_loss": report.result.final_loss if report.result else None,
            "source_sha256": hashlib.sha256(str(source).encode("utf-8")).hexdigest(),
        }
        if report.accepted:
            attempt["source"] = str(source)
            if self.fix_passed_at is None:
                self.fix_passed_at = attempt["at"]
        self.attempts.append(attempt)
        self.last_report = report
        return report

    def fix_feedback(self, report, lang=None):
        """Return Markdown feedback on a fix, with the next step or the hint."""
        text = report.feedback(lang)
        if report.accepted:
            if not self.diagnosis_passed:
                text += "\n\n" + tr("exercises.fix.now_diagnose", lang)
            return text
        return self._with_hint(text, lang)

    def _with_hint(self, text, lang):
        if self.hint_due:
            hint = get_bug(self.spec.bug).text("hint", lang)
            return text + "\n\n" + tr("exercises.hint", lang, hint=hint)
        left = self.hint_after - self.failed_tries
        if left > 0 and not self.passed:
            return text + "\n\n" + tr("exercises.hint_in", lang, count=left)
        return text

    def progress(self, lang=None):
        """Return the progress record (see docs/exercises.md) as a JSON-ready dict."""
        lang = normalize_language(lang) if lang else get_language()
        steps = {"diagnosis": self.diagnosis_passed_at, "fix": self.fix_passed_at}
        return {
            "schema": PROGRESS_SCHEMA,
            "version": PROGRESS_VERSION,
            "kit_version": __version__,
            "token": self.spec.token,
            "stage": self.spec.stage,
            "student": self.student,
            "lang": lang,
            "started_at": self.started_at,
            "exported_at": _now(),
            "passed": self.passed,
            "hint_shown": self.failed_tries >= self.hint_after,
            "steps": {
                name: {
                    "passed": passed_at is not None,
                    "tries": sum(1 for a in self.attempts if a["step"] == name),
                    "passed_at": passed_at,
                }
                for name, passed_at in steps.items()
            },
            "attempts": list(self.attempts),
        }

    def export_progress(self, path, lang=None):
        """Write the progress record to ``path`` as UTF-8 JSON and return the path."""
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.progress(lang), handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        return path


def load_progress(path):
    """Read a progress file and return its dict, for a teacher collecting them.

    Raises
    ------
    kit.i18n.KitError
        If the file is not a progress record of a version this kit reads.
    """
    with open(path, encoding="utf-8") as handle:
        try:
            record = json.load(handle)
        except json.JSONDecodeError:
            raise KitError("exercises.bad_progress", path=str(path)) from None
    valid = isinstance(record, dict) and record.get("schema") == PROGRESS_SCHEMA
    if not valid or record.get("version") != PROGRESS_VERSION:
        raise KitError("exercises.bad_progress", path=str(path))
    return record


def summarize_progress(paths):
    """Return one row per progress file: student, stage, bug, passed and tries.

    The bug comes from decoding the token, so the summary reveals the answer key to the teacher.
    """
    rows = []
    for path in paths:
        record = load_progress(path)
        _, bug, _ = read_token(record["token"])
        rows.append(
            {
                "file": str(path),
                "student": record["student"],
                "stage": record["stage"],
                "bug": bug,
                "passed": record["passed"],
                "diagnosis_tries": record["steps"]["diagnosis"]["tries"],
                "fix_tries": record["steps"]["fix"]["tries"],
                "hint_shown": record["hint_shown"],
            }
        )
    return rows
