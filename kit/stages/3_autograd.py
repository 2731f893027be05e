# Stage autograd: torch records the forward pass and computes the gradients.
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
w1 = torch.tensor(w1, dtype=dtype, requires_grad=True)
w2 = torch.tensor(w2, dtype=dtype, requires_grad=True)

for it in range(iterations):
    # forward: x (N, D_in) -> (N, H) -> y_pred (N, D_out)
    y_pred = x.mm(w1).clamp(min=0).mm(w2)

    # loss: sum of squared errors
    loss = (y_pred - y).pow(2).sum()
    print(it, loss.item())

    # backward: fills w1.grad and w2.grad
    loss.backward()

    # update in place without recording it, then clear the gradients
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
