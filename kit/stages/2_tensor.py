# Stage tensor: the same network with torch tensors, gradients still by hand.
import torch

from kit.data import make_data

# settings
N, D_in, H, D_out = 64, 1000, 100, 10
iterations = 500
learning_rate = 1e-06
seed = 0
dtype = torch.float32

# data and initial weights (the same numbers in every stage)
x, y, w1, w2 = make_data(N, D_in, H, D_out, seed)
x, y = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
w1, w2 = torch.tensor(w1, dtype=dtype), torch.tensor(w2, dtype=dtype)

for it in range(iterations):
    # forward: x (N, D_in) -> h (N, H) -> y_pred (N, D_out)
    h = x.mm(w1)
    h_relu = h.clamp(min=0)
    y_pred = h_relu.mm(w2)

    # loss: sum of squared errors
    loss = (y_pred - y).pow(2).sum().item()
    print(it, loss)

    # backward: the chain rule, one matrix at a time
    grad_y_pred = 2.0 * (y_pred - y)
    grad_w2 = h_relu.t().mm(grad_y_pred)
    grad_h_relu = grad_y_pred.mm(w2.t())
    grad_h = grad_h_relu.clone()
    grad_h[h < 0] = 0
    grad_w1 = x.t().mm(grad_h)

    # update: gradient descent, in place
    w1 -= learning_rate * grad_w1
    w2 -= learning_rate * grad_w2
