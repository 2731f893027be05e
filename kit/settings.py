"""Validated settings of one run: stage, bugs and hyper-parameters."""

import math
from dataclasses import dataclass, replace

from kit.i18n import KitError
from kit.stages import OPTIMIZERS, get_stage

MAX_ITERATIONS = 100_000
MAX_SEED = 2**32 - 1
# Cap on the bytes of the float64 data, weights and activations of one run
# (x, y, w1, w2, four (N, H) activations and an (H, H) middle layer). It is an
# estimate of what a teaching laptop trains at a few steps per second.
MAX_TENSOR_BYTES = 512 * 2**20
DTYPES = ("float32", "float64")


@dataclass(frozen=True)
class Settings:
    """Everything that decides what a run computes.

    ``None`` for ``learning_rate``, ``optimizer`` or ``dtype`` means the
    stage's own default. Build with :meth:`create` to get validation.
    """

    stage: str = "numpy"
    bugs: tuple = ()
    learning_rate: float | None = None
    iterations: int = 500
    seed: int = 0
    N: int = 64
    D_in: int = 1000
    H: int = 100
    D_out: int = 10
    optimizer: str | None = None
    dtype: str | None = None

    @classmethod
    def create(cls, stage="numpy", bugs=(), **values):
        """Return validated settings.

        Raises
        ------
        kit.i18n.KitError
            A ``ValueError`` naming the invalid value and the valid choices.
        """
        settings = cls(stage=stage, bugs=tuple(bugs), **values)
        settings.validate()
        return settings

    def with_changes(self, **values):
        """Return a validated copy with some fields changed."""
        changed = replace(self, **values)
        changed.validate()
        return changed

    @property
    def stage_info(self):
        """The :class:`kit.stages.Stage` these settings run."""
        return get_stage(self.stage)

    @property
    def effective_optimizer(self):
        """The optimizer name the run uses, or None for a hand-written update."""
        stage = self.stage_info
        if stage.selectable_optimizer and self.optimizer:
            return self.optimizer
        return stage.default_optimizer

    @property
    def effective_learning_rate(self):
        """The learning rate the run uses."""
        if self.learning_rate is not None:
            return float(self.learning_rate)
        return self.stage_info.default_learning_rate(self.effective_optimizer)

    @property
    def effective_dtype(self):
        """``"float32"`` or ``"float64"``."""
        if self.dtype:
            return self.dtype
        return "float64" if self.stage_info.library == "numpy" else "float32"

    def validate(self):
        """Raise :class:`kit.i18n.KitError` on the first invalid value."""
        from kit.bugs import check_bugs

        stage = get_stage(self.stage)
        check_bugs(self.stage, self.bugs)
        self._validate_learning_rate()
        _check_int("iterations", self.iterations, 1, MAX_ITERATIONS)
        _check_int("seed", self.seed, 0, MAX_SEED)
        for name in ("N", "D_in", "H", "D_out"):
            _check_int(name, getattr(self, name), 1, None)
        self._validate_memory()
        if self.optimizer is not None:
            if self.optimizer not in OPTIMIZERS:
                raise KitError(
                    "errors.unknown_optimizer", value=self.optimizer, choices=", ".join(OPTIMIZERS)
                )
            if not stage.selectable_optimizer and self.optimizer != stage.default_optimizer:
                raise KitError("errors.optimizer_fixed", stage=self.stage)
        if self.dtype is not None and self.dtype not in DTYPES:
            raise KitError("errors.unknown_dtype", value=self.dtype, choices=", ".join(DTYPES))

    def _validate_learning_rate(self):
        if self.learning_rate is None:
            return
        try:
            value = float(self.learning_rate)
        except (TypeError, ValueError):
            raise KitError("errors.bad_learning_rate", value=self.learning_rate) from None
        if isinstance(self.learning_rate, bool) or not math.isfinite(value) or value <= 0:
            raise KitError("errors.bad_learning_rate", value=self.learning_rate)

    def _validate_memory(self):
        n, d_in, h, d_out = self.N, self.D_in, self.H, self.D_out
        elements = n * d_in + n * d_out + d_in * h + h * d_out + 4 * n * h + h * h
        if elements * 8 > MAX_TENSOR_BYTES:
            raise KitError(
                "errors.too_large",
                sizes=f"N={n}, D_in={d_in}, H={h}, D_out={d_out}",
                mebibytes=elements * 8 // 2**20,
                cap=MAX_TENSOR_BYTES // 2**20,
            )


def _check_int(name, value, low, high):
    valid = isinstance(value, int) and not isinstance(value, bool)
    if valid and value >= low and (high is None or value <= high):
        return
    if high is None:
        raise KitError("errors.int_at_least", name=name, value=value, low=low)
    raise KitError("errors.int_range", name=name, value=value, low=low, high=high)
