"""The runner: loss streaming, stopping, non-finite losses, errors and global state."""

import random

import matplotlib
import numpy as np
import pytest
import torch

from kit.program import build_program
from kit.runner import FINISHED, NONFINITE, RAISED, STOPPED, run, run_program
from kit.settings import Settings

SMALL = {"N": 8, "D_in": 20, "H": 10, "D_out": 3}


def test_on_loss_sees_every_iteration():
    seen = []
    result = run(
        Settings.create("tensor", iterations=12, **SMALL), on_loss=lambda *a: seen.append(a)
    )
    assert result.status == FINISHED
    assert [iteration for iteration, _ in seen] == list(range(12))
    assert [loss for _, loss in seen] == result.losses
    assert result.final_loss == result.losses[-1]
    assert result.seconds > 0


def test_should_stop_ends_between_iterations():
    calls = []

    def should_stop():
        calls.append(len(calls))
        return len(calls) == 3

    result = run(Settings.create("autograd", iterations=50, **SMALL), should_stop=should_stop)
    assert result.status == STOPPED
    assert len(result.losses) == 3
    assert len(calls) == 3
    assert result.error is None


def test_nonfinite_loss_ends_run():
    result = run(Settings.create("numpy", bugs=["lr-too-large"]))
    assert result.status == NONFINITE
    assert not np.isfinite(result.losses[-1])
    assert np.isfinite(result.losses[:-1]).all()
    assert len(result.losses) < 500


def test_nonfinite_from_source_stops_at_first():
    program = build_program(Settings.create("numpy", **SMALL))
    source = "print(0, 1.0)\nprint(1, float('nan'))\nprint(2, 3.0)\n"
    result = run_program(program, source=source)
    assert result.status == NONFINITE
    assert result.losses[0] == 1.0
    assert len(result.losses) == 2


def test_stage_error_is_result_with_line():
    result = run(Settings.create("autograd", bugs=["rebind-update"]))
    assert result.status == RAISED
    assert len(result.losses) == 1
    assert result.error.type == "AttributeError"
    assert "zero_" in result.error.message
    assert result.error.code == "w1.grad.zero_()"
    lines = result.program.source.splitlines()
    assert lines[result.error.line - 1].strip() == "w1.grad.zero_()"


def test_syntax_error_in_edited_source():
    program = build_program(Settings.create("numpy", **SMALL))
    result = run_program(program, source="x = 1\nfor it in range(3)\n    print(it, 1.0)\n")
    assert result.status == RAISED
    assert result.error.type == "SyntaxError"
    assert result.error.line == 2


def test_system_exit_in_source_is_result():
    program = build_program(Settings.create("numpy", **SMALL))
    result = run_program(program, source="print(0, 2.0)\nraise SystemExit(3)\n")
    assert result.status == RAISED
    assert result.error.line == 2
    assert result.losses == [2.0]


def test_other_prints_pass_through(capsys):
    program = build_program(Settings.create("numpy", **SMALL))
    result = run_program(program, source="print('hello')\nprint(0, 5.0)\n")
    assert capsys.readouterr().out == "hello\n"
    assert result.losses == [5.0]


def test_namespace_is_returned_to_caller():
    namespace = {}
    program = build_program(Settings.create("numpy", iterations=1, **SMALL))
    run_program(program, namespace=namespace)
    assert namespace["grad_w1"].shape == (SMALL["D_in"], SMALL["H"])


GLOBAL_STATE_SOURCE = """
import random
import matplotlib
import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.set_grad_enabled(False)
torch.manual_seed(123)
np.random.seed(123)
random.seed(123)
matplotlib.rcParams["lines.linewidth"] = 9.0
linewidth = matplotlib.rcParams["lines.linewidth"]
inside = (torch.get_default_dtype(), torch.is_grad_enabled(), linewidth)
print(0, 1.0)
"""


def test_global_state_restored():
    before_rc = matplotlib.rcParams["lines.linewidth"]
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    expected = (torch.rand(3), np.random.rand(3), random.random())
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)

    namespace = {}
    program = build_program(Settings.create("tensor", **SMALL))
    result = run_program(program, source=GLOBAL_STATE_SOURCE, namespace=namespace)

    assert result.status == FINISHED
    assert namespace["inside"] == (torch.float64, False, 9.0)
    assert torch.get_default_dtype() == torch.float32
    assert torch.is_grad_enabled()
    assert matplotlib.rcParams["lines.linewidth"] == before_rc
    assert torch.equal(torch.rand(3), expected[0])
    assert np.array_equal(np.random.rand(3), expected[1])
    assert random.random() == expected[2]


def test_state_restored_after_error():
    program = build_program(Settings.create("tensor", **SMALL))
    source = "import torch\ntorch.set_default_dtype(torch.float64)\nraise RuntimeError('boom')\n"
    result = run_program(program, source=source)
    assert result.status == RAISED
    assert torch.get_default_dtype() == torch.float32


def test_facts_for_stale_optimizer_lr():
    correct = run(Settings.create("optim"))
    stale = run(Settings.create("optim", bugs=["lr-after-optimizer"]))
    assert stale.status == FINISHED
    assert len(stale.losses) == 500
    assert stale.facts.optimizer_lr == 1e-6
    assert stale.facts.learning_rate == 1e-3
    assert correct.facts.optimizer_lr == 1e-3
    assert stale.losses[-1] >= 100 * correct.losses[-1]


def test_rebind_param_reports_equal_losses():
    result = run(Settings.create("nn", bugs=["rebind-param"]))
    assert result.status == FINISHED
    assert len(result.losses) == 500
    assert len(set(result.losses)) == 1
    assert result.facts.params_changed is False


def test_rebind_update_reports_one_loss():
    result = run(Settings.create("autograd", bugs=["rebind-update"]))
    assert len(result.losses) == 1
    assert result.error.type == "AttributeError"
    assert "zero_" in result.error.message
    assert result.error.code == "w1.grad.zero_()"


@pytest.mark.parametrize("stage_id", ["numpy", "optim", "dynamic"])
def test_same_seed_same_losses(stage_id):
    settings = Settings.create(stage_id, iterations=5, **SMALL)
    assert run(settings).losses == run(settings).losses
    assert run(settings).losses != run(settings.with_changes(seed=1)).losses


def test_callback_error_reaches_caller():
    settings = Settings.create("numpy", iterations=5, N=4, D_in=6, H=5, D_out=3)

    def on_loss(iteration, loss):
        raise KeyError("display failed")

    with pytest.raises(KeyError, match="display failed"):
        run(settings, on_loss=on_loss)
    assert torch.is_grad_enabled()


def test_print_of_text_is_not_a_loss(capsys):
    settings = Settings.create("numpy", iterations=2, N=4, D_in=6, H=5, D_out=3)
    program = build_program(settings)
    source = program.source.replace("print(it, loss)", 'print("step", it)\n    print(it, loss)')
    result = run_program(program, source=source)
    assert result.status == FINISHED
    assert len(result.losses) == 2
    assert "step 0" in capsys.readouterr().out


def test_base_exception_in_source_is_result():
    settings = Settings.create("numpy", iterations=2, N=4, D_in=6, H=5, D_out=3)
    program = build_program(settings)
    source = "class Custom(BaseException):\n    pass\n\nraise Custom('boom')\n"
    result = run_program(program, source=source)
    assert result.status == RAISED
    assert result.error.type == "Custom"
    assert result.error.line == 4


def test_keyboard_interrupt_in_source_stops():
    settings = Settings.create("numpy", iterations=2, N=4, D_in=6, H=5, D_out=3)
    result = run_program(build_program(settings), source="raise KeyboardInterrupt\n")
    assert result.status == STOPPED
