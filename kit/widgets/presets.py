"""The lecture as a list of steps, including its three classic mistakes."""

from dataclasses import dataclass

from kit.stages import get_stage


@dataclass(frozen=True)
class Step:
    """One step of the lecture: a stage, the bugs it shows and its learning rate."""

    stage: str
    bugs: tuple = ()
    optimizer: str | None = None

    @property
    def learning_rate(self):
        """The stage's default learning rate for this step's optimizer."""
        return get_stage(self.stage).default_learning_rate(self.optimizer)


# Lecture order. Each mistake follows the stage where students make it.
LECTURE = (
    Step("numpy"),
    Step("tensor"),
    Step("autograd"),
    Step("autograd", ("rebind-update",)),
    Step("function"),
    Step("nn"),
    Step("nn", ("rebind-param",)),
    Step("optim", optimizer="Adam"),
    Step("optim", ("lr-after-optimizer",), optimizer="Adam"),
    Step("module"),
    Step("dynamic"),
)
