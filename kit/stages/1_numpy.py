# Stage numpy: forward and backward by hand with numpy arrays.
import numpy as np

from kit.data import make_data

# settings
N, D_in, H, D_out = 64, 1000, 100, 10
iterations = 500
learning_rate = 1e-06
seed = 0
dtype = np.float64

# data and initial weights (the same numbers in every stage)
x, y, w1, w2 = make_data(N, D_in, H, D_out, seed)
x, y, w1, w2 = x.astype(dtype), y.astype(dtype), w1.astype(dtype), w2.astype(dtype)

for it in range(iterations):
    # forward: x (N, D_in) -> h (N, H) -> y_pred (N, D_out)
    h = x.dot(w1)
    h_relu = np.maximum(h, 0)
    y_pred = h_relu.dot(w2)

    # loss: sum of squared errors
    loss = np.square(y_pred - y).sum()
    print(it, loss)

    # backward: the chain rule, one matrix at a time
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.T.dot(grad_y_pred)
    grad_h_relu = grad_y_pred.dot(w2.T)
    grad_h = grad_h_relu.copy()
    grad_h[h < 0] = 0
    grad_w1 = x.T.dot(grad_h)

    # update: gradient descent, in place
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
