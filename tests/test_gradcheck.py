"""Finite-difference checks of the hand-written gradients."""

import pytest

from kit.gradcheck import TOLERANCE, check_gradients
from kit.settings import Settings


@pytest.mark.parametrize("stage_id", ["numpy", "tensor", "function"])
def test_correct_stage_passes(stage_id):
    check = check_gradients(Settings.create(stage_id))
    assert check.ok
    assert check.max_relative_error <= TOLERANCE
    assert check.error is None
    assert check.details


@pytest.mark.parametrize("stage_id", ["numpy", "tensor", "function"])
def test_relu_mask_fails(stage_id):
    check = check_gradients(Settings.create(stage_id, bugs=["relu-mask"]))
    assert not check.ok
    assert check.max_relative_error > 0.1


def test_relu_mask_breaks_only_grad_w1():
    check = check_gradients(Settings.create("numpy", bugs=["relu-mask"]))
    assert check.details["grad_w1"] > 0.1
    assert check.details["grad_w2"] <= TOLERANCE


def test_raising_stage_fails_with_error():
    check = check_gradients(Settings.create("numpy", bugs=["wrong-transpose"]))
    assert not check.ok
    assert check.max_relative_error is None
    assert check.error.type == "ValueError"


def test_bug_outside_gradient_passes():
    # a large learning rate does not change the gradient at the initial weights
    assert check_gradients(Settings.create("tensor", bugs=["lr-too-large"])).ok


@pytest.mark.parametrize("seed", [1, 2])
def test_other_seeds_pass(seed):
    assert check_gradients(Settings.create("numpy", seed=seed)).ok


def test_torch_stage_without_hand_gradient_rejected():
    with pytest.raises(ValueError, match="numpy, tensor, function"):
        check_gradients(Settings.create("nn"))
