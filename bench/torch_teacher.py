"""Teacher inference per batch in PyTorch, the counterpart of `Bench teacher` (issue #18).

The network is examples/OnnxTeacher's TinyCnn (imported from train_export.py, one definition) with the weights of
teacher_state.npz, in evaluation mode under torch.no_grad. Each call takes the same raw batch (the first B test images
of FashionMNIST, /255) and does what a Teacher does: normalise ((x - 0.2860) / 0.3530), run the network, return
the logits. After a warm-up (at least W calls and 1 s), S samples of N calls are timed (N chosen in the warm-up so a
sample lasts about 0.25 s); best and median milliseconds per batch go to the CSV.
--optimized is PyTorch's own tuned inference path: torch.jit.optimize_for_inference(torch.jit.script(model)) (folds
each BatchNorm into its convolution, oneDNN layouts); its logits are checked against eager mode's before timing.

usage: torch_teacher.py --state teacher_state.npz [--batch 256] [--samples 7] [--warmup 5] [--threads 2]
                        [--csv FILE] [--label torch] [--optimized]
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "OnnxTeacher"))
from train_export import MEAN, STD, STEMS, TinyCnn, read_idx  # noqa: E402

CSV_HEADER = "impl,batch,calls_per_sample,samples,best_ms,median_ms,threads"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--fashion-mnist", default=os.environ.get("PROBABILISTIC_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--samples", type=int, default=7)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--csv")
    p.add_argument("--label", default="torch")
    p.add_argument("--optimized", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    model = TinyCnn()
    state = np.load(a.state)
    model.load_state_dict({name: torch.from_numpy(state[name]) for name in state.files})
    model.eval()
    stem = STEMS[2]
    path = next(q for q in (os.path.join(a.fashion_mnist, stem + ".gz"), os.path.join(a.fashion_mnist, stem)) if os.path.exists(q))
    raw = torch.from_numpy(read_idx(path)[:a.batch].astype(np.float32)[:, None] / 255)

    net = model
    if a.optimized:
        with torch.no_grad():
            net = torch.jit.optimize_for_inference(torch.jit.script(model))
            gap = (net((raw - MEAN) / STD) - model((raw - MEAN) / STD)).abs().max().item()
        if gap > 1e-3:
            sys.exit(f"torch_teacher.py: the optimised network's logits differ from eager mode's by {gap:.2e}")
        print(f"{a.label}: optimize_for_inference, max |logit difference| to eager mode {gap:.2e}")

    def call():
        with torch.no_grad():
            return net((raw - MEAN) / STD)

    start, calls = time.perf_counter(), 0
    while calls < a.warmup or time.perf_counter() - start < 1.0:
        call()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    n = max(1, int(0.25 / per_call))
    times = []
    for _ in range(a.samples):
        t0 = time.perf_counter()
        for _ in range(n):
            call()
        times.append((time.perf_counter() - t0) / n * 1000)
    best, median = min(times), statistics.median(times)
    print(f"{a.label}: torch {torch.__version__}, threads {torch.get_num_threads()}, batch {a.batch}: "
          f"best {best:.3f} ms, median {median:.3f} ms per batch ({n} calls per sample)")
    if a.csv:
        new = not os.path.exists(a.csv)
        with open(a.csv, "a") as f:
            if new:
                f.write(CSV_HEADER + "\n")
            f.write(f"{a.label},{a.batch},{n},{a.samples},{best:.4f},{median:.4f},{a.threads}\n")


if __name__ == "__main__":
    main()
