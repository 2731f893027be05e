# Stage dynamic: Python control flow in forward, one layer reused.
import random

import torch
import torch.nn as nn

from kit.data import make_data

# settings
N, D_in, H, D_out = 64, 1000, 100, 10
iterations = 500
learning_rate = 0.0001
seed = 0
dtype = torch.float32


class DynamicNet(nn.Module):
    def __init__(self, D_in, H, D_out, seed):
        super().__init__()
        self.input_linear = nn.Linear(D_in, H, bias=False)
        self.middle_linear = nn.Linear(H, H, bias=False)
        self.output_linear = nn.Linear(H, D_out, bias=False)
        self.rng = random.Random(seed)  # picks how often forward reuses middle_linear

    def forward(self, x):
        # x (N, D_in) -> (N, H), then the same (H, H) layer 0 to 3 times
        h_relu = self.input_linear(x).clamp(min=0)
        for _ in range(self.rng.randint(0, 3)):
            h_relu = self.middle_linear(h_relu).clamp(min=0)
        return self.output_linear(h_relu)


# data and initial weights (the same numbers in every stage)
x, y, w1, w2 = make_data(N, D_in, H, D_out, seed)
x, y = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
model = DynamicNet(D_in, H, D_out, seed).to(dtype)
with torch.no_grad():
    # scaled by 1/sqrt(fan_in): four stacked standard-normal layers overflow
    model.input_linear.weight.copy_(torch.tensor(w1.T) / D_in**0.5)
    model.middle_linear.weight.copy_(torch.eye(H))  # starts as "do nothing"
    model.output_linear.weight.copy_(torch.tensor(w2.T) / H**0.5)
loss_fn = nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)

for it in range(iterations):
    # forward: a different depth at every iteration
    y_pred = model(x)

    # loss: sum of squared errors
    loss = loss_fn(y_pred, y)
    print(it, loss.item())

    # backward: clear old gradients, then fill param.grad
    optimizer.zero_grad()
    loss.backward()

    # update: one optimizer step
    optimizer.step()
