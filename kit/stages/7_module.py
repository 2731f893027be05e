# Stage module: our own nn.Module subclass, trained by an optimizer.
import torch
import torch.nn as nn

from kit.data import make_data

# settings
N, D_in, H, D_out = 64, 1000, 100, 10
iterations = 500
learning_rate = 1e-06
seed = 0
dtype = torch.float32


class TwoLayerNet(nn.Module):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.linear1 = nn.Linear(D_in, H, bias=False)
        self.linear2 = nn.Linear(H, D_out, bias=False)

    def forward(self, x):
        # x (N, D_in) -> (N, H) -> (N, D_out)
        return self.linear2(self.linear1(x).clamp(min=0))


# data and initial weights (the same numbers in every stage)
x, y, w1, w2 = make_data(N, D_in, H, D_out, seed)
x, y = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
model = TwoLayerNet(D_in, H, D_out).to(dtype)
with torch.no_grad():
    model.linear1.weight.copy_(torch.tensor(w1.T))  # Linear stores (out, in)
    model.linear2.weight.copy_(torch.tensor(w2.T))
loss_fn = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

for it in range(iterations):
    # forward
    y_pred = model(x)

    # loss: sum of squared errors
    loss = loss_fn(y_pred, y)
    print(it, loss.item())

    # backward: clear old gradients, then fill param.grad
    optimizer.zero_grad()
    loss.backward()

    # update: one optimizer step
    optimizer.step()
