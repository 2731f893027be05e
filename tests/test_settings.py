"""Validation of run settings and its messages in both languages."""

import dataclasses

import pytest

from kit.i18n import KitError
from kit.settings import MAX_ITERATIONS, MAX_TENSOR_BYTES, Settings

# (keyword arguments, substrings the English message must contain)
INVALID = [
    ({"stage": "numpyy"}, ["'numpyy'", "numpy, tensor, autograd"]),
    ({"bugs": ["no-such-bug"]}, ["'no-such-bug'", "rebind-update"]),
    ({"bugs": ["rebind-param"]}, ["'rebind-param'", "'numpy'", "lr-too-large"]),
    ({"bugs": ["relu-mask", "relu-mask"]}, ["'relu-mask'"]),
    ({"learning_rate": 0}, ["'0'", "greater than 0"]),
    ({"learning_rate": -1e-6}, ["'-1e-06'"]),
    ({"learning_rate": float("nan")}, ["'nan'"]),
    ({"learning_rate": float("inf")}, ["'inf'"]),
    ({"learning_rate": "fast"}, ["'fast'"]),
    ({"learning_rate": True}, ["'True'"]),
    ({"iterations": 0}, ["iterations", "'0'", f"1 to {MAX_ITERATIONS}"]),
    ({"iterations": MAX_ITERATIONS + 1}, [f"'{MAX_ITERATIONS + 1}'"]),
    ({"iterations": 2.5}, ["'2.5'"]),
    ({"seed": -1}, ["seed", "'-1'"]),
    ({"N": 0}, ["N", "'0'", "at least 1"]),
    ({"D_in": -3}, ["D_in", "'-3'"]),
    ({"H": 0}, ["H"]),
    ({"D_out": 0}, ["D_out"]),
    ({"D_in": 10**7}, ["D_in=10000000", "MiB", f"{MAX_TENSOR_BYTES // 2**20} MiB"]),
    ({"optimizer": "Adagrad"}, ["'Adagrad'", "Adam, SGD, RMSprop"]),
    ({"optimizer": "SGD"}, ["'numpy'"]),
    ({"dtype": "float16"}, ["'float16'", "float32, float64"]),
]


@pytest.mark.parametrize(("values", "expected"), INVALID)
def test_invalid_value_raises_one_line(values, expected):
    values = dict(values)
    stage = values.pop("stage", "numpy")
    with pytest.raises(ValueError) as caught:
        Settings.create(stage, **values)
    assert isinstance(caught.value, KitError)
    english = caught.value.message("en")
    chinese = caught.value.message("zh-CN")
    assert "\n" not in english
    assert "\n" not in chinese
    for text in expected:
        assert text in english
    assert english != chinese


def test_defaults_are_lecture_values():
    settings = Settings.create()
    assert (settings.N, settings.D_in, settings.H, settings.D_out) == (64, 1000, 100, 10)
    assert settings.iterations == 500
    assert settings.effective_learning_rate == 1e-6
    assert settings.effective_dtype == "float64"
    assert settings.effective_optimizer is None


def test_torch_stage_defaults_to_float32():
    assert Settings.create("tensor").effective_dtype == "float32"


def test_optimizer_choice_changes_default_lr():
    assert Settings.create("optim").effective_optimizer == "Adam"
    assert Settings.create("optim").effective_learning_rate == 1e-3
    assert Settings.create("optim", optimizer="SGD").effective_learning_rate == 1e-6


def test_explicit_learning_rate_wins():
    assert Settings.create("optim", learning_rate=0.01).effective_learning_rate == 0.01


def test_memory_cap_boundary():
    # N=1, D_out=1, H=1: elements = D_in + 1 + D_in + 1 + 4 + 1 = 2 * D_in + 7
    largest = (MAX_TENSOR_BYTES // 8 - 7) // 2
    Settings.create(N=1, D_in=largest, H=1, D_out=1)
    with pytest.raises(ValueError, match="MiB"):
        Settings.create(N=1, D_in=largest + 1, H=1, D_out=1)


def test_with_changes_validates():
    settings = Settings.create("numpy")
    assert settings.with_changes(iterations=7).iterations == 7
    with pytest.raises(ValueError, match="iterations"):
        settings.with_changes(iterations=0)


def test_settings_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings.create().iterations = 3
