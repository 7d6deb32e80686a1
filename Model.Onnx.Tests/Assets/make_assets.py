#!/usr/bin/python3
"""Makes the test assets of Model.Onnx.Tests with Debian's python3-torch (1.13): a tiny CNN, seeded, in eval mode
with non-trivial BatchNorm running statistics, exported as

  tiny.onnx        ONNX opset 13, input "input" [batch, 1, 12, 12] with a dynamic batch axis, output "logits" [batch, 10]
  tiny_state.npz   its state_dict, np.savez of {name: tensor.numpy()} (num_batches_tracked included, int64)

The network mirrors the Model.Nn twin built in OnnxTeacherTests (same layers, same parameter names):
  features   = Sequential(Conv2d(1, 4, 3, padding=2), BatchNorm2d(4), ReLU(), MaxPool2d(2),
                          Conv2d(4, 8, 3), BatchNorm2d(8), ReLU(), MaxPool2d(2))
  classifier = Sequential(Linear(32, 16), ReLU(), Linear(16, 10))
  forward    = classifier(flatten(features(x)))

With --probe it also writes probe_input.npy (a seeded batch of 3) and probe_logits.npy (PyTorch's logits on it), for
the test that compares ONNX Runtime against PyTorch itself. Usage: make_assets.py [OUT_DIR] [--probe]
"""
import os
import sys

import numpy as np
import torch
from torch import nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=2), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def build():
    torch.manual_seed(18)
    model = Tiny()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(1 + 0.3 * torch.randn(c))
                m.bias.copy_(0.2 * torch.randn(c))
                m.running_mean.copy_(0.5 * torch.randn(c))
                m.running_var.copy_(0.5 + torch.rand(c))
                m.num_batches_tracked.fill_(7)
    return model.eval()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    out = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    model = build()
    state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    np.savez(os.path.join(out, "tiny_state.npz"), **state)
    dummy = torch.zeros(2, 1, 12, 12)
    torch.onnx.export(model, dummy, os.path.join(out, "tiny.onnx"), opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    if "--probe" in sys.argv:
        g = torch.Generator().manual_seed(5)
        x = torch.randn(3, 1, 12, 12, generator=g)
        with torch.no_grad():
            logits = model(x)
        np.save(os.path.join(out, "probe_input.npy"), x.numpy())
        np.save(os.path.join(out, "probe_logits.npy"), logits.numpy())


if __name__ == "__main__":
    main()
