# Stage function: our own ReLU as a torch.autograd.Function.
import torch

from kit.data import make_data

# settings
N, D_in, H, D_out = 64, 1000, 100, 10
iterations = 500
learning_rate = 1e-06
seed = 0
dtype = torch.float32


class MyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, h):
        ctx.save_for_backward(h)
        return h.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (h,) = ctx.saved_tensors
        grad_h = grad_output.clone()
        grad_h[h < 0] = 0
        return grad_h


# data and initial weights (the same numbers in every stage)
x, y, w1, w2 = make_data(N, D_in, H, D_out, seed)
x, y = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
w1 = torch.tensor(w1, dtype=dtype, requires_grad=True)
w2 = torch.tensor(w2, dtype=dtype, requires_grad=True)

for it in range(iterations):
    # forward: x (N, D_in) -> (N, H) -> y_pred (N, D_out)
    y_pred = MyReLU.apply(x.mm(w1)).mm(w2)

    # loss: sum of squared errors
    loss = (y_pred - y).pow(2).sum()
    print(it, loss.item())

    # backward: calls MyReLU.backward on the way
    loss.backward()

    # update in place without recording it, then clear the gradients
    with torch.no_grad():
        w1 -= learning_rate * w1.grad
        w2 -= learning_rate * w2.grad
        w1.grad.zero_()
        w2.grad.zero_()
