#!/usr/bin/env python3
"""Independent PyTorch check of the code-compat Bayesian students (paper §5.2, table bayesian-ablation).

Trains one network the way docs/methods.md §2.5 describes the authors' code (written from that description, not
copied): nn.Linear layers with biases and LeakyReLU(0.01), a deterministic forward pass at the weights, q's
log-variance (init 0), a learnable prior N(initial weights, 1), loss alpha*KL - l with l = -MSE_mean/B, Adam(1e-3)
on the weights and q, then Adam(prior_lr) on the prior after recomputing the loss; batch 8; the numpy seed-0
synthetic data (900 train / 124 test). Prints step, test l = -MSE and the KL at the steps the authors' CSVs show.

Usage: /usr/bin/python3 scripts/bayesian_compat_torch.py SEED WIDTHS [STEPS] [PRIOR_LR] [ALPHA]
  e.g. 0 10,10,10,1 (neuron-removal student), 0 10,50,1 (layer-removal student), 0 10,100,50,1 (teacher).
"""
import sys

import numpy as np
import torch


def main():
    seed = int(sys.argv[1])
    widths = [int(v) for v in sys.argv[2].split(",")]
    steps = int(sys.argv[3]) if len(sys.argv) > 3 else 11300
    prior_lr = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-5
    alpha = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0

    np.random.seed(0)
    x = np.random.randn(1024, 10)
    w = np.random.randn(10)
    y = x @ w + 0.1 * np.random.randn(1024)
    x_train, x_test = torch.tensor(x[:900]).float(), torch.tensor(x[900:]).float()
    y_train, y_test = torch.tensor(y[:900]).view(-1, 1).float(), torch.tensor(y[900:]).view(-1, 1).float()

    torch.manual_seed(seed)
    layers = []
    for i in range(1, len(widths)):
        layers.append(torch.nn.Linear(widths[i - 1], widths[i]))
        if i != len(widths) - 1:
            layers.append(torch.nn.LeakyReLU())
    net = torch.nn.Sequential(*layers)

    def flat():
        return torch.cat([p.view(-1) for p in net.parameters()])

    start = flat().detach().clone()
    log_var_q = torch.nn.Parameter(torch.zeros_like(start))
    log_var_p = torch.nn.Parameter(torch.zeros_like(start))
    mean_p = torch.nn.Parameter(start.clone())
    opt_q = torch.optim.Adam([log_var_q] + list(net.parameters()), lr=1e-3)
    opt_p = torch.optim.Adam([log_var_p, mean_p], lr=prior_lr)
    mse = torch.nn.MSELoss()

    def kl():
        m = flat()
        return 0.5 * (torch.exp(log_var_q - log_var_p) + torch.exp(-log_var_p) * (mean_p - m) ** 2
                      + log_var_p - log_var_q - 1).sum()

    def loss(xb, yb):
        return alpha * kl() + mse(net(xb), yb) / len(xb)

    shuffle = torch.Generator()
    shuffle.manual_seed(seed)
    report = {100, 500, 1000, 2000, 5000, 8000, steps}
    step = 0
    while step < steps:
        order = torch.randperm(900, generator=shuffle)
        for k in range(0, 900, 8):
            idx = order[k:k + 8]
            xb, yb = x_train[idx], y_train[idx]
            opt_q.zero_grad()
            loss(xb, yb).backward()
            opt_q.step()
            opt_p.zero_grad()
            loss(xb, yb).backward()
            opt_p.step()
            step += 1
            if step in report:
                with torch.no_grad():
                    print(step, round(-mse(net(x_test), y_test).item(), 4), round(kl().item(), 3), flush=True)
            if step >= steps:
                break


if __name__ == "__main__":
    main()
