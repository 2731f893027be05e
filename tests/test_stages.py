"""The eight stages: lecture order, defaults, and convergence at the lecture size."""

import math

import pytest

from kit.runner import FINISHED, run
from kit.settings import Settings
from kit.stages import OPTIMIZERS, STAGE_IDS, STAGES, get_stage


def first_below(losses, fraction):
    """Return the first iteration whose loss is below ``fraction`` of the first loss, or None."""
    for iteration, loss in enumerate(losses):
        if loss < fraction * losses[0]:
            return iteration
    return None


def test_stage_ids_follow_lecture_order():
    assert STAGE_IDS == (
        "numpy",
        "tensor",
        "autograd",
        "function",
        "nn",
        "optim",
        "module",
        "dynamic",
    )


def test_stage_files_have_settings_lines():
    for stage in STAGES:
        source = stage.template
        assert "\nN, D_in, H, D_out = " in source, stage.id
        assert "\nlearning_rate = " in source, stage.id
        assert "print(it, " in source, stage.id


def test_unknown_stage_raises_value_error():
    with pytest.raises(ValueError, match="Valid stages: numpy, tensor"):
        get_stage("numpyy")


def test_numpy_lecture_defaults_converge():
    result = run(Settings.create("numpy"))
    assert result.status == FINISHED
    assert len(result.losses) == 500
    assert result.losses[0] == pytest.approx(31519525.12, rel=1e-9)
    assert first_below(result.losses, 1e-3) is not None


@pytest.mark.parametrize("stage_id", STAGE_IDS)
def test_correct_stage_converges(stage_id):
    result = run(Settings.create(stage_id))
    assert result.status == FINISHED
    assert len(result.losses) == 500
    assert all(math.isfinite(loss) for loss in result.losses)
    assert first_below(result.losses, 1e-3) is not None, result.losses[-1] / result.losses[0]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_optim_converges_with_each_optimizer(optimizer):
    result = run(Settings.create("optim", optimizer=optimizer))
    assert result.facts.optimizer_lr == get_stage("optim").default_learning_rate(optimizer)
    assert first_below(result.losses, 1e-3) is not None, result.losses[-1] / result.losses[0]


def test_float64_stages_share_trajectory():
    trajectories = {}
    for stage_id in ("numpy", "tensor", "autograd", "function", "nn"):
        result = run(Settings.create(stage_id, dtype="float64", seed=3))
        assert result.status == FINISHED, stage_id
        assert len(result.losses) == 500, stage_id
        trajectories[stage_id] = result.losses
    reference = trajectories["numpy"]
    for stage_id, losses in trajectories.items():
        worst = max(abs(a - b) / abs(b) for a, b in zip(losses, reference, strict=True))
        assert worst <= 1e-6, f"{stage_id} differs from numpy by {worst:.2e}"


def test_float32_stages_differ_from_float64():
    # guards the trajectory test above: float32 rounding must be visible at this tolerance
    single = run(Settings.create("tensor", iterations=200)).losses
    double = run(Settings.create("tensor", iterations=200, dtype="float64")).losses
    worst = max(abs(a - b) / abs(b) for a, b in zip(single, double, strict=True))
    assert worst > 1e-6
