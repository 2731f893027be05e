"""The lecture's random data and initial weights, shared by every stage."""

import numpy as np


def make_data(N, D_in, H, D_out, seed):
    """Draw inputs, targets and both weight matrices from one seeded generator.

    Every stage calls this with the same arguments, so every stage starts from
    the same numbers and their loss curves can be compared point by point.

    Returns
    -------
    x : ndarray, shape (N, D_in)
    y : ndarray, shape (N, D_out)
    w1 : ndarray, shape (D_in, H)
    w2 : ndarray, shape (H, D_out)
        All float64, standard normal.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, D_in))
    y = rng.standard_normal((N, D_out))
    w1 = rng.standard_normal((D_in, H))
    w2 = rng.standard_normal((H, D_out))
    return x, y, w1, w2
