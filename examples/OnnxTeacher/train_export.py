"""Trains the teacher of examples/OnnxTeacher in PyTorch and exports it for the C# side.

The network is Model.Nn's Zoo.TinyCnn on 1x28x28 inputs, written here with the same module tree, so its state_dict
has the names Model.Nn uses (features.0.weight, features.1.running_mean, ..., classifier.2.bias):
  features:   [conv 3x3 (padding 2 on the first) -> BatchNorm -> ReLU -> maxpool 2] with 16, 32, 64 channels
  classifier: Linear 256 -> 128, ReLU, Linear 128 -> 10
It trains on FashionMNIST (Adam 1e-3, batch 128, fixed seed) with inputs normalised as (x/255 - 0.2860) / 0.3530
(the training set's mean and std), so the C# teacher declares that normalisation; the exported graph takes normalised
[B, 1, 28, 28] inputs (dynamic batch) and returns logits [B, 10].

Writes into OUT (default examples/OnnxTeacher/out):
  teacher.onnx        the network in evaluation mode (input 'input', output 'logits', opset 13)
  teacher_state.npz   np.savez of the state_dict as float32/int64 arrays, one per name
  teacher.json        the normalisation and PyTorch's test accuracy, for the C# side to compare

Run with Debian's torch: /usr/bin/python3 examples/OnnxTeacher/train_export.py [--out DIR] [--epochs N (2)]
  [--fashion-mnist DIR] [--seed S] [--threads T].  --epochs 0 exports the untrained network (used by bench/).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # idle OpenMP threads sleep: much faster on a shared machine
import torch  # noqa: E402
from torch import nn  # noqa: E402

MEAN, STD = 0.2860, 0.3530
HERE = os.path.dirname(os.path.abspath(__file__))
STEMS = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


class TinyCnn(nn.Module):
    """Zoo.TinyCnn (Model.Nn/Models/Zoo.cs): features -> flatten -> classifier, the same parameter names."""

    def __init__(self, channels=(16, 32, 64), hidden=128, classes=10):
        super().__init__()
        layers, c = [], 1
        for b, out in enumerate(channels):
            layers += [nn.Conv2d(c, out, 3, padding=2 if b == 0 else 0), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(2)]
            c = out
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Linear(c * 2 * 2, hidden), nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def read_idx(path):
    """An idx file (raw or .gz) as a numpy array: magic (0, 0, dtype 0x08, rank), big-endian sizes, uint8 data."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        sys.exit(f"train_export.py: {path} is not an unsigned-byte idx file")
    rank = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank)
    if data.size != int(np.prod(shape)):
        sys.exit(f"train_export.py: {path} holds {data.size} bytes for shape {shape}")
    return data.reshape(shape)


def load_fashion_mnist(folder):
    """(train images, train labels, test images, test labels); images normalised float32 [N, 1, 28, 28]."""
    arrays = []
    for stem in STEMS:
        path = next((p for p in (os.path.join(folder, stem + ".gz"), os.path.join(folder, stem)) if os.path.exists(p)), None)
        if path is None:
            sys.exit(f"train_export.py: {stem}[.gz] is missing in {folder} (install dataset-fashion-mnist, or pass "
                     "--fashion-mnist DIR / set PROBABILISTIC_FASHION_MNIST)")
        arrays.append(read_idx(path))
    normalise = lambda images: torch.from_numpy(((images.astype(np.float32) / 255 - MEAN) / STD)[:, None].copy())
    return normalise(arrays[0]), torch.from_numpy(arrays[1].astype(np.int64)), normalise(arrays[2]), torch.from_numpy(arrays[3].astype(np.int64))


@torch.no_grad()
def accuracy(model, images, labels, batch=1000):
    model.eval()
    correct = sum(int((model(images[i:i + batch]).argmax(1) == labels[i:i + batch]).sum()) for i in range(0, len(labels), batch))
    return correct / len(labels)


def main():
    parser = argparse.ArgumentParser(description="Train the FashionMNIST teacher in PyTorch; export ONNX and an .npz state_dict.")
    parser.add_argument("--out", default=os.path.join(HERE, "out"))
    parser.add_argument("--fashion-mnist", default=os.environ.get("PROBABILISTIC_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    model = TinyCnn()
    test_accuracy = None
    if args.epochs > 0:
        x_train, y_train, x_test, y_test = load_fashion_mnist(args.fashion_mnist)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        order_rng = np.random.default_rng(args.seed)
        for epoch in range(1, args.epochs + 1):
            model.train()
            start, total, seen = time.time(), 0.0, 0
            order = torch.from_numpy(order_rng.permutation(len(y_train)))
            for i in range(0, len(order), args.batch):
                idx = order[i:i + args.batch]
                loss = nn.functional.cross_entropy(model(x_train[idx]), y_train[idx])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += float(loss) * len(idx)
                seen += len(idx)
            test_accuracy = accuracy(model, x_test, y_test)
            print(f"epoch {epoch}: train loss {total / seen:.4f}, test accuracy {test_accuracy:.4f} ({time.time() - start:.0f} s)")
    model.eval()

    onnx_path = os.path.join(args.out, "teacher.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
    state_path = os.path.join(args.out, "teacher_state.npz")
    np.savez(state_path, **{name: value.detach().cpu().numpy() for name, value in model.state_dict().items()})
    with open(os.path.join(args.out, "teacher.json"), "w") as f:
        json.dump({"network": "Zoo.TinyCnn", "mean": MEAN, "std": STD, "epochs": args.epochs, "seed": args.seed,
                   "torch": torch.__version__, "test_accuracy": test_accuracy}, f, indent=2)
    if test_accuracy is not None:
        print(f"PyTorch teacher test accuracy: {test_accuracy:.4f}")
    print(f"wrote {onnx_path}, {state_path} and teacher.json")


if __name__ == "__main__":
    main()
