# Stage nn: layers from torch.nn, the update still by hand.
import torch
import torch.nn as nn

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
model = nn.Sequential(
    nn.Linear(D_in, H, bias=False),
    nn.ReLU(),
    nn.Linear(H, D_out, bias=False),
).to(dtype)
with torch.no_grad():
    model[0].weight.copy_(torch.tensor(w1.T))  # Linear stores (out, in)
    model[2].weight.copy_(torch.tensor(w2.T))
loss_fn = nn.MSELoss(reduction="sum")

for it in range(iterations):
    # forward: x (N, D_in) -> y_pred (N, D_out)
    y_pred = model(x)

    # loss: sum of squared errors
    loss = loss_fn(y_pred, y)
    print(it, loss.item())

    # backward: clear old gradients, then fill param.grad
    model.zero_grad()
    loss.backward()

    # update every parameter in place without recording it
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
