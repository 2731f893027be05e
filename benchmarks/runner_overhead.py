"""Measure the runner's overhead over running the same stage code bare.

For each stage, at the lecture size (N=64, D_in=1000, H=100, D_out=10, 500
iterations), it times two ways of running the same code, interleaved:

- bare: ``exec`` of ``Program.standalone()`` with ``print`` bound to a no-op;
- runner: ``kit.runner.run`` with an ``on_loss`` callback that stores the loss.

It prints the median time of each and the median of the per-repetition ratios
runner / bare. Target: ratio <= 1.05.

    python3 benchmarks/runner_overhead.py [--repeats 7] [--stages numpy tensor ...]
"""

import argparse
import statistics
import time

from kit.program import build_program
from kit.runner import run
from kit.settings import Settings

DEFAULT_STAGES = ("numpy", "tensor", "autograd", "nn", "optim")


def _no_print(*args, **kwargs):
    return None


def time_bare(program):
    code = compile(program.standalone(), "<bare-stage>", "exec")
    namespace = {"__name__": "__bare__", "print": _no_print}
    start = time.perf_counter()
    exec(code, namespace)
    return time.perf_counter() - start


def time_runner(settings):
    losses = []
    start = time.perf_counter()
    result = run(settings, on_loss=lambda iteration, loss: losses.append(loss))
    seconds = time.perf_counter() - start
    if result.status != "finished" or len(losses) != settings.iterations:
        raise RuntimeError(f"stage {settings.stage} did not finish: {result.status}")
    return seconds


def measure(stage_id, repeats):
    settings = Settings.create(stage_id)
    program = build_program(settings)
    time_bare(program)  # warm-up: imports, allocator, torch kernels
    time_runner(settings)
    bare, runner, ratios = [], [], []
    for index in range(repeats):
        # alternate which one goes first, so drift in machine load hits both
        if index % 2 == 0:
            bare_seconds = time_bare(program)
            runner_seconds = time_runner(settings)
        else:
            runner_seconds = time_runner(settings)
            bare_seconds = time_bare(program)
        bare.append(bare_seconds)
        runner.append(runner_seconds)
        ratios.append(runner_seconds / bare_seconds)
    return statistics.median(bare), statistics.median(runner), statistics.median(ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="Interleaved pairs per stage.")
    parser.add_argument("--stages", nargs="+", default=DEFAULT_STAGES, help="Stage ids.")
    args = parser.parse_args()

    print(f"| stage | bare median (s) | runner median (s) | median ratio (n={args.repeats}) |")
    print("| --- | --- | --- | --- |")
    for stage_id in args.stages:
        bare, runner, ratio = measure(stage_id, args.repeats)
        print(f"| {stage_id} | {bare:.3f} | {runner:.3f} | {ratio:.3f} |", flush=True)


if __name__ == "__main__":
    main()
