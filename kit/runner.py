"""Execute a stage's code, stream its losses and record what happened.

The stage code reports each step with ``print(it, loss)``, as the lecture
does. The runner executes the code unchanged with its own ``print`` in the
module namespace. That ``print`` records the loss and forwards it to a
callback. It ends the run between iterations when asked to stop or when the
loss is not finite.
"""

import builtins
import math
import numbers
import random
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch

from kit.program import PROGRAM_FILENAME, build_program

FINISHED = "finished"
STOPPED = "stopped"
NONFINITE = "nonfinite"
RAISED = "raised"


class _EndRun(BaseException):
    """Ends the stage code between iterations; student ``except Exception`` cannot catch it."""


class _StopRequested(_EndRun):
    pass


class _NonFiniteLoss(_EndRun):
    pass


class _CallbackFailed(_EndRun):
    """Carries an exception raised by ``on_loss`` or ``should_stop`` out of the stage code."""

    def __init__(self, error):
        super().__init__(error)
        self.error = error


@dataclass
class ErrorInfo:
    """An exception raised by the stage code.

    ``line`` is the 1-based line in the displayed source, or None when the
    error did not pass through the stage code.
    """

    type: str
    message: str
    line: int | None
    code: str | None


@dataclass
class RunFacts:
    """Facts read from the namespace after a run ended.

    Attributes
    ----------
    learning_rate : float or None
        The value of the ``learning_rate`` variable at the end.
    optimizer_lr : float or None
        The lr the optimizer actually used (first parameter group).
    params_changed : bool or None
        Whether any parameter differs between the first report and the end.
    grads_missing : list of str
        Names of parameters whose ``.grad`` is None at the end.
    """

    learning_rate: float | None = None
    optimizer_lr: float | None = None
    params_changed: bool | None = None
    grads_missing: list = field(default_factory=list)


@dataclass
class RunResult:
    """The outcome of one run: losses in order, how it ended, and facts."""

    program: object
    losses: list
    status: str
    error: ErrorInfo | None = None
    facts: RunFacts = field(default_factory=RunFacts)
    seconds: float = 0.0
    # The module namespace the code ran in, for checks that read the final
    # weights (gradient check, exercise grading). Not part of the repr.
    namespace: dict = field(default_factory=dict, repr=False, compare=False)
    # The code that ran: the program's source, or the edit passed to run_program.
    source: str = field(default="", repr=False, compare=False)

    @property
    def final_loss(self):
        """The last reported loss, or None if there was none."""
        return self.losses[-1] if self.losses else None


def run(settings, on_loss=None, should_stop=None):
    """Run ``settings`` (a :class:`kit.settings.Settings`) and return a :class:`RunResult`.

    Parameters
    ----------
    on_loss : callable, optional
        Called as ``on_loss(iteration, loss)`` after every reported loss.
    should_stop : callable, optional
        Polled after every loss; when it returns True the run ends there.
    """
    return run_program(build_program(settings), on_loss, should_stop)


def run_program(program, on_loss=None, should_stop=None, source=None, namespace=None):
    """Run a :class:`kit.program.Program`, or ``source`` in its place.

    ``source`` lets a student's edited code run with the program's settings.
    ``namespace`` is an optional dict to run the code in, so that the caller
    can read the code's variables after the run (the gradient check does).
    Global state the code might change (torch default dtype, grad mode, the
    random generators of Python, numpy and torch, matplotlib rcParams) is
    restored afterwards.
    """
    code_text = program.source if source is None else source
    reporter = _Reporter(on_loss, should_stop)
    if namespace is None:
        namespace = {}
    namespace.update({"__name__": "__kit_stage__", "__builtins__": builtins, "print": reporter})
    reporter.namespace = namespace
    saved = _save_global_state()
    start = time.perf_counter()
    status, error, callback_error = FINISHED, None, None
    try:
        code = compile(code_text, PROGRAM_FILENAME, "exec")
        # overflow shows up as a non-finite loss, so numpy need not warn about it
        with np.errstate(over="ignore", invalid="ignore"):
            exec(code, namespace)
    except _StopRequested:
        status = STOPPED
    except _NonFiniteLoss:
        status = NONFINITE
    except _CallbackFailed as failure:
        # the caller's callback failed, not the stage code: re-raise it unchanged
        callback_error = failure.error
    except KeyboardInterrupt:
        # an interrupted kernel or terminal ends the run as if Stop was pressed
        status = STOPPED
    except BaseException as exc:  # noqa: BLE001 -- anything the stage code raises is a result
        status, error = RAISED, _error_info(exc, code_text)
    finally:
        seconds = time.perf_counter() - start
        facts = _read_facts(namespace, reporter.start_checksum)
        _restore_global_state(saved)
    if callback_error is not None:
        raise callback_error
    return RunResult(program, reporter.losses, status, error, facts, seconds, namespace, code_text)


class _Reporter:
    """The ``print`` in the stage code's namespace."""

    def __init__(self, on_loss, should_stop):
        self.on_loss = on_loss
        self.should_stop = should_stop
        self.losses = []
        self.namespace = None
        self.start_checksum = None

    def __call__(self, *args, **kwargs):
        value = self._loss_value(args, kwargs)
        if value is None:
            builtins.print(*args, **kwargs)
            return
        if not self.losses:
            self.start_checksum = _checksum(self.namespace)
        self.losses.append(value)
        try:
            if self.on_loss is not None:
                self.on_loss(int(args[0]), value)
            stop = self.should_stop is not None and self.should_stop()
        except Exception as exc:  # noqa: BLE001 -- re-raised by run_program
            raise _CallbackFailed(exc) from exc
        if not math.isfinite(value):
            raise _NonFiniteLoss()
        if stop:
            raise _StopRequested()

    @staticmethod
    def _loss_value(args, kwargs):
        """Return the loss of a ``print(iteration, loss)`` call, or None for any other print."""
        if len(args) != 2 or kwargs or not isinstance(args[0], numbers.Integral):
            return None
        try:
            return float(args[1])
        except (TypeError, ValueError, RuntimeError):
            return None


def _parameters(namespace):
    """Yield ``(name, array)`` for every trainable value at the top of the namespace."""
    for name, value in list(namespace.items()):
        if isinstance(value, torch.nn.Module):
            for param_name, param in value.named_parameters():
                yield f"{name}.{param_name}", param
        elif isinstance(value, torch.Tensor) and (value.is_leaf or name.startswith("w")):
            if value.requires_grad or name.startswith("w"):
                yield name, value
        elif isinstance(value, np.ndarray) and name.startswith("w"):
            yield name, value


def _checksum(namespace):
    total = []
    for name, value in _parameters(namespace):
        if isinstance(value, torch.Tensor):
            total.append((name, value.detach().double().sum().item()))
        else:
            total.append((name, float(np.asarray(value, dtype=np.float64).sum())))
    return tuple(total)


def _read_facts(namespace, start_checksum):
    facts = RunFacts()
    lr = namespace.get("learning_rate")
    if isinstance(lr, (int, float)) and not isinstance(lr, bool):
        facts.learning_rate = float(lr)
    for value in namespace.values():
        if isinstance(value, torch.optim.Optimizer):
            facts.optimizer_lr = float(value.param_groups[0]["lr"])
            break
    if start_checksum is not None:
        facts.params_changed = _checksum(namespace) != start_checksum
    for name, value in _parameters(namespace):
        if isinstance(value, torch.Tensor) and value.is_leaf and value.requires_grad:
            if value.grad is None:
                facts.grads_missing.append(name)
    return facts


def _error_info(exc, code_text):
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == PROGRAM_FILENAME:
        line = exc.lineno
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == PROGRAM_FILENAME:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    lines = code_text.splitlines()
    code = lines[line - 1].strip() if line and 0 < line <= len(lines) else None
    message = str(exc) if not isinstance(exc, SystemExit) else f"exit({exc.code!r})"
    return ErrorInfo(type(exc).__name__, message, line, code)


def _save_global_state():
    state = {
        "dtype": torch.get_default_dtype(),
        "grad": torch.is_grad_enabled(),
        "torch_rng": torch.random.get_rng_state(),
        "numpy_rng": np.random.get_state(),
        "python_rng": random.getstate(),
    }
    if "matplotlib" in sys.modules:
        import matplotlib

        state["rc"] = matplotlib.rcParams.copy()
    return state


def _restore_global_state(state):
    torch.set_default_dtype(state["dtype"])
    torch.set_grad_enabled(state["grad"])
    torch.random.set_rng_state(state["torch_rng"])
    np.random.set_state(state["numpy_rng"])
    random.setstate(state["python_rng"])
    if "rc" in state:
        import matplotlib

        # dict.update skips rcParams validation, which would warn about deprecated keys
        dict.update(matplotlib.rcParams, state["rc"])
