"""Check a stage's hand-written gradients against finite differences.

The numpy and tensor stages compute ``grad_w1`` and ``grad_w2`` by hand, and
the function stage writes the backward of ``MyReLU`` by hand. This module runs
the stage's shown code, bugs included, and compares those gradients with
central finite differences in float64, the standard test for a hand-written
backward pass.
"""

from dataclasses import dataclass, field

import numpy as np
import torch

from kit.data import make_data
from kit.i18n import KitError
from kit.program import apply_settings, build_program
from kit.runner import RAISED, run_program

CHECKED_STAGES = ("numpy", "tensor", "function")
# Tiny sizes: every finite difference is a full forward pass.
CHECK_SIZES = {"N": 8, "D_in": 6, "H": 5, "D_out": 3}
EPSILON = 1e-6
# Central differences of this piecewise-quadratic loss are exact up to rounding,
# so a correct float64 backward stays far below this tolerance.
TOLERANCE = 1e-5


@dataclass
class GradCheck:
    """Result of a gradient check.

    Attributes
    ----------
    ok : bool
        Whether every checked gradient matches within ``TOLERANCE``.
    max_relative_error : float or None
        The largest relative error over the checked gradients, or None when
        the stage code raised before it computed them.
    details : dict
        Relative error per checked gradient, keyed ``"grad_w1"``, ``"grad_w2"``
        or ``"MyReLU.backward"``.
    error : kit.runner.ErrorInfo or None
        The exception the stage code raised, if any.
    """

    ok: bool
    max_relative_error: float | None
    details: dict = field(default_factory=dict)
    error: object = None


def check_gradients(settings, source=None):
    """Check the hand-written gradients of ``settings.stage``, bugs included.

    The stage runs for one iteration at tiny sizes in float64 with the seed of
    ``settings``. The relative error of a gradient is the largest absolute
    difference between the two gradients divided by the largest entry of the
    numerical gradient. ``source`` checks edited code (a student's) in place
    of the program of ``settings``.

    Raises
    ------
    kit.i18n.KitError
        If the stage has no hand-written gradient (only numpy, tensor and
        function have one), or ``source`` lacks one of the settings lines.
    """
    if settings.stage not in CHECKED_STAGES:
        raise KitError(
            "cli.gradcheck.unsupported_stage",
            stage=settings.stage,
            choices=", ".join(CHECKED_STAGES),
        )
    small = settings.with_changes(iterations=1, dtype="float64", **CHECK_SIZES)
    code = None
    if source is not None:
        code = apply_settings(source, small)
        if code is None:
            raise KitError("errors.settings_lines_changed")
    namespace = {}
    result = run_program(build_program(small), namespace=namespace, source=code)
    if result.status == RAISED and settings.stage != "function":
        return GradCheck(False, None, {}, result.error)
    if settings.stage == "function":
        return _check_relu_function(namespace, small, result.error)
    return _check_weight_gradients(namespace, small)


def _check_weight_gradients(namespace, settings):
    x, y, w1, w2 = make_data(settings.N, settings.D_in, settings.H, settings.D_out, settings.seed)

    def loss(w1, w2):
        h_relu = np.maximum(x.dot(w1), 0)
        return np.square(h_relu.dot(w2) - y).sum()

    numerical_w1 = _central_differences(lambda w: loss(w, w2), w1)
    numerical_w2 = _central_differences(lambda w: loss(w1, w), w2)
    details = {
        "grad_w1": _relative_error(_to_numpy(namespace.get("grad_w1")), numerical_w1),
        "grad_w2": _relative_error(_to_numpy(namespace.get("grad_w2")), numerical_w2),
    }
    return _verdict(details)


def _check_relu_function(namespace, settings, error):
    relu = namespace.get("MyReLU")
    if relu is None:
        return GradCheck(False, None, {}, error)
    rng = np.random.default_rng(settings.seed)
    values = rng.standard_normal((settings.N, settings.H))
    # keep every input away from the kink at 0, where ReLU has no derivative
    values += np.where(values >= 0, 0.1, -0.1)
    h = torch.tensor(values, dtype=torch.float64, requires_grad=True)

    ok = torch.autograd.gradcheck(
        relu.apply, (h,), eps=EPSILON, atol=TOLERANCE, rtol=TOLERANCE, raise_exception=False
    )
    # ReLU acts elementwise, so its Jacobian is diagonal and one backward of
    # ones gives the whole diagonal.
    analytical = torch.autograd.grad(relu.apply(h).sum(), h)[0].numpy()
    with torch.no_grad():
        numerical = _central_differences(
            lambda v: float(relu.apply(torch.from_numpy(v)).sum()), values
        )
    details = {"MyReLU.backward": _relative_error(analytical, numerical)}
    check = _verdict(details)
    check.ok = check.ok and bool(ok)
    return check


def _central_differences(function, point):
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + EPSILON
        upper = function(point)
        point[index] = original - EPSILON
        lower = function(point)
        point[index] = original
        gradient[index] = (upper - lower) / (2 * EPSILON)
    return gradient


def _to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64).numpy()
    if value is None:
        return None
    return np.asarray(value, dtype=np.float64)


def _relative_error(analytical, numerical):
    if analytical is None or analytical.shape != numerical.shape:
        return float("inf")
    scale = max(float(np.abs(numerical).max()), np.finfo(np.float64).tiny)
    return float(np.abs(analytical - numerical).max() / scale)


def _verdict(details):
    worst = max(details.values())
    return GradCheck(worst <= TOLERANCE, worst, details)
