"""The eight implementation stages of the two-layer network lecture.

Each stage is a Python source file in this folder: lecture material that a
student reads and that the runner executes as it is shown, after the
settings lines are rewritten with the chosen values. The files are never
imported, so their names start with their place in the lecture.
"""

import functools
from dataclasses import dataclass
from importlib import resources

OPTIMIZERS = ("Adam", "SGD", "RMSprop")


@dataclass(frozen=True)
class Stage:
    """One implementation of the training job.

    Attributes
    ----------
    id : str
        Fixed identifier used by tests, the command line and the dashboard.
    filename : str
        Source file in ``kit/stages``.
    library : str
        ``"numpy"`` or ``"torch"``: the dtype names the stage accepts.
    learning_rates : dict
        Default learning rate for each optimizer the stage can use. A stage
        with a hand-written update has the single key ``None``.
    default_optimizer : str or None
        The optimizer in the file, or None for a hand-written update.
    selectable_optimizer : bool
        Whether the optimizer can be switched among ``OPTIMIZERS``.
    """

    id: str
    filename: str
    library: str
    learning_rates: dict
    default_optimizer: str | None = None
    selectable_optimizer: bool = False

    @property
    def template(self):
        """The stage's source file, before any setting is applied."""
        return _read_template(self.filename)

    def default_learning_rate(self, optimizer=None):
        """Return the learning rate at which the correct stage converges in 500 steps."""
        key = optimizer if self.selectable_optimizer else self.default_optimizer
        key = key or self.default_optimizer
        return self.learning_rates[key]


# Default learning rates were measured with the lecture sizes and seed 0:
# each correct stage falls below 1e-3 of its first loss within 500 iterations.
# RMSprop at 1e-3 climbs again after about 200 steps, so it gets 5e-4.
_OPTIMIZER_LRS = {"Adam": 1e-3, "SGD": 1e-6, "RMSprop": 5e-4}

STAGES = (
    Stage("numpy", "1_numpy.py", "numpy", {None: 1e-6}),
    Stage("tensor", "2_tensor.py", "torch", {None: 1e-6}),
    Stage("autograd", "3_autograd.py", "torch", {None: 1e-6}),
    Stage("function", "4_function.py", "torch", {None: 1e-6}),
    Stage("nn", "5_nn.py", "torch", {None: 1e-6}),
    Stage("optim", "6_optim.py", "torch", _OPTIMIZER_LRS, "Adam", True),
    Stage("module", "7_module.py", "torch", _OPTIMIZER_LRS, "SGD", True),
    Stage("dynamic", "8_dynamic.py", "torch", {"SGD": 1e-4}, "SGD"),
)
STAGE_IDS = tuple(stage.id for stage in STAGES)
_BY_ID = {stage.id: stage for stage in STAGES}


@functools.cache
def _read_template(filename):
    # read once: the dashboard renders the code again on every change of a control
    return (resources.files("kit") / "stages" / filename).read_text(encoding="utf-8")


def get_stage(stage_id):
    """Return the stage with this id.

    Raises
    ------
    kit.i18n.KitError
        If no stage has this id.
    """
    from kit.i18n import KitError

    if stage_id not in _BY_ID:
        raise KitError("errors.unknown_stage", value=stage_id, choices=", ".join(STAGE_IDS))
    return _BY_ID[stage_id]
