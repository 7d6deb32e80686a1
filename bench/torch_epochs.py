"""Seconds per FashionMNIST training epoch and peak RSS in PyTorch, the counterpart of `Bench epochs`.

Same protocol as bench/Bench/EpochsBench.cs: the same networks (PyTorch default init), Adam lr 1e-3,
cross-entropy, the same batch sizes; the data are read from the same idx .gz files into tensors up front (/255),
each step gathers its minibatch from a per-epoch permutation (no DataLoader), reads the loss and counts correct
predictions as our Trainer does. After a warm-up (rounds of W steps, at least 2 s), N (possibly partial, then scaled) epochs are timed; best and
median are reported with the peak RSS (ru_maxrss). Run each model in a fresh process so the peaks don't mix.
A --steps S of at least one epoch times floor(S / steps per epoch) whole epochs per sample and reports their mean.

The multi-domain workloads (issue #13), the loops of MultiDomainTraining.FitTeacher / FitStudent:
- md-teacher: the MLP [784, 256, 128, 64, 64, 10], batch 64, cross-entropy, on a seeded 59,000 of the training
  images (FashionMNIST-Big; copied out, as ours is);
- md-student: the MLP [784, 64, 10], batch 100, on the other 1,000 (FashionMNIST-Small), loss
  CE(labels) + soft CE = -(softmax(t) * log_softmax(s)).sum(1).mean(), t the frozen teacher's logits on x
  (eval mode, torch.no_grad, every step; a freshly initialised teacher, as ours).

bdk-step (issue #15): one iteration of Algorithm 1 (distilled SGLD, the loop of DistilledSgld.Step), written by hand:
the teacher MLP 784-400-400-10 takes an SGLD step on a labelled minibatch of M = 100 from a per-epoch permutation
of all 60,000 images (mean cross-entropy backward, then under torch.no_grad
p += -(eta/2)(lam p + N grad) + N(0, eta), eta = 4e-6 (4e-5 diverges at N = 60,000, see bench/README.md), lam = 1, N = 60,000); then D' = 100 random training rows
+ N(0, 0.001^2), the teacher's softmax on D' (eval, no_grad), and one step of the student 784-400-400-10 on
-(p_teacher * log_softmax(s)).sum(1).mean() with torch.optim.Adam(lr 1e-3, weight_decay 1e-4) (coupled L2: the
decay is added to the gradient, as ours). Both losses are read (.item()) every iteration, as ours checks them.
Its "epoch" is one iteration: --steps S iterations per sample, their mean time.

vid-student (issue #14, item 7): one epoch of the vid experiment's "all" student (VidTraining.Student without its
evaluation): the frozen TinyCnn teacher (16-32-64 conv blocks, FC 128; eval mode, torch.no_grad) and the VeryTinyCnn
student (8-16-32, FC 64), each block Conv 3x3 (padding 2 on the first) -> BatchNorm -> ReLU -> MaxPool 2, both returning
their four features (the pooled blocks and the FC ReLU) with the logits; loss 0.5*CE + 0.5*sum of the 16 Gaussian
connections' NLL (class GaussianConnection: Model.Distill/Vid/GaussianConnection.cs's construction), one
torch.optim.Adam(lr 1e-3) over the student's and the connections' parameters, the first 10,112 training images in file
order, unshuffled batches of 128 (79 steps); the loss is read (.item()) and checked every step, as ours. The teacher is
freshly initialised, as ours. Every row records the number of parameters the optimiser(s) update (the fairness check).

usage: torch_epochs.py [--models logistic,mlp,lenet,cnn,md-teacher,md-student,bdk-step,vid-student] [--epochs N] [--steps S] [--warmup W]
                       [--threads T] [--csv FILE] [--label torch]
"""
import argparse
import gzip
import math
import os
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

DATA_DIR = os.environ.get("PROBABILISTIC_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
CSV_HEADER = "impl,model,batch,steps_timed,steps_per_epoch,epochs,best_s,median_s,peak_rss_mib,threads,params"


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 3, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(3, 9, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(144, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(),
        nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10))


def md_teacher():
    """Seed 002's teacher MLP [784, 256, 128, 64, 64, 10]."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


class TinyFamily(nn.Module):
    """Seed 003's Tiny / VeryTiny CNN (Zoo.TinyCnn / Zoo.VeryTinyCnn) on 1x28x28: per block Conv 3x3 (padding 2 on the
    first) -> BatchNorm -> ReLU -> MaxPool 2, then flatten, FC, ReLU, FC 10. forward returns (logits, [the three pooled
    blocks, the FC ReLU]) - the features at Zoo.TinyFeaturePaths."""

    def __init__(self, channels, hidden):
        super().__init__()
        blocks, c = [], 1
        for b, ch in enumerate(channels):
            blocks.append(nn.Sequential(nn.Conv2d(c, ch, 3, padding=2 if b == 0 else 0), nn.BatchNorm2d(ch),
                                        nn.ReLU(), nn.MaxPool2d(2)))
            c = ch
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(c * 2 * 2, hidden), nn.ReLU())
        self.out = nn.Linear(hidden, 10)

    def forward(self, x):
        features = []
        for block in self.blocks:
            x = block(x)
            features.append(x)
        h = self.fc(x)
        features.append(h)
        return self.out(h), features


def tiny_cnn():
    return TinyFamily([16, 32, 64], 128)


def very_tiny_cnn():
    return TinyFamily([8, 16, 32], 64)


class GaussianConnection(nn.Module):
    """q(t | s) of VID as Model.Distill/Vid/GaussianConnection.cs builds it (default options). Map -> map: the student's
    map adaptive-average-pooled to the smaller size along each axis, then bilinearly upsampled (align_corners=False) to
    the teacher's size where smaller, then 1x1 convs without bias Cs -> Ct -> ReLU -> Ct -> ReLU -> Ct; any pair with a
    vector: flatten the student, Linear to the teacher's element count (reshaped to the teacher's map). Variance
    softplus(alpha) + eps per teacher channel or unit, 5 at initialisation. The NLL is the mean over batch and elements
    of 0.5 [log var + (t - mu)^2 / var] (every channel has the same element count, so the element mean of log var is
    the mean over channels)."""

    def __init__(self, teacher_shape, student_shape, initial_variance=5.0, eps=1e-5):
        super().__init__()
        self.teacher_shape, self.eps = tuple(teacher_shape), eps
        if len(teacher_shape) == 3 and len(student_shape) == 3:
            ct, cs = teacher_shape[0], student_shape[0]
            self.pool = (min(teacher_shape[1], student_shape[1]), min(teacher_shape[2], student_shape[2]))
            self.target = tuple(teacher_shape[1:])
            self.regressor = nn.Sequential(nn.Conv2d(cs, ct, 1, bias=False), nn.ReLU(), nn.Conv2d(ct, ct, 1, bias=False),
                                           nn.ReLU(), nn.Conv2d(ct, ct, 1, bias=False))
            self.linear = None
        else:
            self.linear = nn.Linear(math.prod(student_shape), math.prod(teacher_shape))
        v = initial_variance - eps
        self.alpha = nn.Parameter(torch.full((teacher_shape[0],), math.log(math.expm1(v))))

    def forward(self, t, s):
        if self.linear is not None:
            mu = self.linear(s.flatten(1)).view(t.shape)
        else:
            if tuple(s.shape[2:]) != self.pool:
                s = F.adaptive_avg_pool2d(s, self.pool)
            if tuple(s.shape[2:]) != self.target:
                s = F.interpolate(s, size=self.target, mode="bilinear", align_corners=False)
            mu = self.regressor(s)
        var = F.softplus(self.alpha) + self.eps
        per_channel = var.view(1, -1, 1, 1) if t.dim() == 4 else var.view(1, -1)
        return 0.5 * (((t - mu) ** 2 / per_channel).mean() + var.log().mean())


VID_TRAIN_COUNT, VID_BETA = 10_112, 0.5


class VidStudent:
    """The vid experiment's "all" student loop: frozen teacher (eval, no_grad), 16 connections with lambda = 1,
    0.5*CE + 0.5*sum of the NLLs, one Adam over the student and the connections."""

    def __init__(self, x, y, batch):
        self.x, self.y, self.batch = x[:VID_TRAIN_COUNT].view(-1, 1, 28, 28), y[:VID_TRAIN_COUNT], batch
        self.per_epoch = (VID_TRAIN_COUNT + batch - 1) // batch
        self.teacher, self.student = tiny_cnn(), very_tiny_cnn()
        self.teacher.eval()
        for p in self.teacher.parameters():
            p.requires_grad_(False)
        with torch.no_grad():
            probe = torch.zeros(1, 1, 28, 28)
            self.student.eval()
            t_shapes = [f.shape[1:] for f in self.teacher(probe)[1]]
            s_shapes = [f.shape[1:] for f in self.student(probe)[1]]
        self.connections = nn.ModuleList(GaussianConnection(ts, ss) for ts in t_shapes for ss in s_shapes)
        self.pairs = [(i, j) for i in range(len(t_shapes)) for j in range(len(s_shapes))]
        self.params = list(self.student.parameters()) + list(self.connections.parameters())
        self.optimizer = torch.optim.Adam(self.params, lr=LEARNING_RATE)

    def epoch(self, steps):
        """The first `steps` batches of an epoch; returns (seconds, last loss)."""
        start = time.perf_counter()
        self.student.train()
        value = float("nan")
        for k in range(steps):
            xb, yb = self.x[k * self.batch:(k + 1) * self.batch], self.y[k * self.batch:(k + 1) * self.batch]
            with torch.no_grad():
                _, t_features = self.teacher(xb)
            self.optimizer.zero_grad()
            logits, s_features = self.student(xb)
            info = sum(c(t_features[i], s_features[j]) for c, (i, j) in zip(self.connections, self.pairs))
            loss = VID_BETA * F.cross_entropy(logits, yb) + (1 - VID_BETA) * info
            value = loss.item()
            if not math.isfinite(value):
                raise RuntimeError(f"vid-student: the loss is {value}")
            loss.backward()
            self.optimizer.step()
        return time.perf_counter() - start, value


def time_vid_student(x, y, batch, a):
    """Timed as EpochsBench.TimeVidStudent: warm-up rounds of --warmup steps (at least WARMUP_SECONDS), then --epochs
    samples of timed_steps steps (the first steps of an epoch, scaled, or whole epochs)."""
    run = VidStudent(x, y, batch)
    steps, block = timed_steps(a.steps, run.per_epoch)
    warmup_start = time.perf_counter()
    while a.warmup > 0 and time.perf_counter() - warmup_start < WARMUP_SECONDS:
        run.epoch(min(a.warmup, run.per_epoch))
    seconds, loss = [], float("nan")
    for _ in range(a.epochs):
        total = 0.0
        for _ in range(block):
            t, loss = run.epoch(min(steps, run.per_epoch))
            total += t
        seconds.append(total * run.per_epoch / steps)
    return seconds, steps, run.per_epoch, block, loss, count(run.params)


def count(parameters):
    return sum(p.numel() for p in parameters)


# name -> (batch size, takes [N,1,28,28] images, factory); the same table as EpochsBench.Settings.
SETTINGS = {
    "logistic": (64, False, lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 10))),
    "mlp": (128, False, lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 800), nn.ReLU(),
                                              nn.Linear(800, 50), nn.ReLU(), nn.Linear(50, 10))),
    "lenet": (64, True, lenet),
    "cnn": (64, True, cnn),
    "md-teacher": (64, False, md_teacher),
    "md-student": (100, False, lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))),
    "bdk-step": (100, False, lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 400), nn.ReLU(),
                                                   nn.Linear(400, 400), nn.ReLU(), nn.Linear(400, 10))),
    "vid-student": (128, True, very_tiny_cnn),
}
# bdk-step: methods.md section 5.4's MNIST settings with an Adam student (EpochsBench.DarkKnowledge)
BDK_ETA, BDK_PRIOR, BDK_SIGMA, BDK_STUDENT_LR, BDK_GAMMA = 4e-6, 1.0, 0.001, 1e-3, 1e-4
SMALL_COUNT = 1000  # FashionMNIST-Small; the other 59,000 training images are Big
BIG_SMALL_SEED = 1234
LEARNING_RATE = 1e-3
WARMUP_SECONDS = 2.0


def read_idx(stem):
    """An idx file (gzipped or not) as a numpy array of its item shape."""
    path = os.path.join(DATA_DIR, stem)
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz", "rb") as f:
            raw = f.read()
    else:
        with open(path, "rb") as f:
            raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load():
    """Train and test sets (both, as our FashionMnist.Load does), pixels / 255 as float32."""
    sets = []
    for split in ("train", "t10k"):
        # in-place division: no second float copy of the images inflating the peak RSS (same values as x / 255)
        x = torch.from_numpy(read_idx(f"{split}-images-idx3-ubyte").astype(np.float32)).div_(255)
        y = torch.from_numpy(read_idx(f"{split}-labels-idx1-ubyte").astype(np.int64))
        sets.append((x, y))
    return sets


def multi_domain_loss(teacher):
    """CE(labels) + soft CE against the frozen teacher's softmax on phi(x) = x (weights 1 + 1, T = 1)."""
    def loss(out, xb, yb):
        with torch.no_grad():
            t = teacher(xb)
        return F.cross_entropy(out, yb) - (F.softmax(t, dim=1) * F.log_softmax(out, dim=1)).sum(1).mean()
    return loss


def timed_steps(steps, per_epoch):
    """(steps timed per sample, epochs per sample) for --steps: the same rule as EpochsBench.TimedSteps."""
    if steps == 0:
        return per_epoch, 1
    if steps < per_epoch:
        return steps, 1
    return steps // per_epoch * per_epoch, steps // per_epoch


def run_epoch(model, optimizer, x, y, batch, steps, generator, loss_fn=None):
    """One (partial) epoch of `steps` minibatches; returns (seconds, mean loss). loss_fn(out, xb, yb), default CE."""
    if loss_fn is None:
        ce = nn.CrossEntropyLoss()
        loss_fn = lambda out, xb, yb: ce(out, yb)  # noqa: E731
    start = time.perf_counter()
    order = torch.randperm(x.shape[0], generator=generator)
    total, correct = 0.0, 0
    for s in range(steps):
        idx = order[s * batch:(s + 1) * batch]
        xb, yb = x[idx], y[idx]
        optimizer.zero_grad()
        out = model(xb)
        loss = loss_fn(out, xb, yb)
        total += loss.item()
        loss.backward()
        optimizer.step()
        correct += (out.argmax(1) == yb).sum().item()
    return time.perf_counter() - start, total / steps


class DistilledSgld:
    """Algorithm 1 by hand: an SGLD teacher step on a labelled minibatch, then one student step on D'."""

    def __init__(self, factory, x, y, batch):
        self.teacher, self.student = factory(), factory()
        self.teacher_params = list(self.teacher.parameters())
        self.optimizer = torch.optim.Adam(self.student.parameters(), lr=BDK_STUDENT_LR, weight_decay=BDK_GAMMA)
        self.x, self.y, self.batch = x.reshape(x.shape[0], -1), y, batch  # rows of 784, as D' is drawn
        self.n = x.shape[0]
        self.per_epoch = self.n // batch  # a short last batch is dropped, as DistilledSgld.Run does
        self.generator = torch.Generator().manual_seed(1)
        self.order, self.t = None, 0
        self.noise_std = math.sqrt(BDK_ETA)

    def step(self):
        """One iteration; returns (teacher loss, student loss)."""
        k = self.t % self.per_epoch
        if k == 0:
            self.order = torch.randperm(self.n, generator=self.generator)
        idx = self.order[k * self.batch:(k + 1) * self.batch]
        self.t += 1
        # teacher: SGLD on the minibatch mean NLL
        self.teacher.train()
        for p in self.teacher_params:
            p.grad = None
        loss = F.cross_entropy(self.teacher(self.x[idx]), self.y[idx])
        teacher_loss = loss.item()
        loss.backward()
        with torch.no_grad():
            for p in self.teacher_params:
                p.add_(-(BDK_ETA / 2) * (BDK_PRIOR * p + self.n * p.grad))
                p.add_(torch.randn_like(p) * self.noise_std)
        # D' = training rows + N(0, sigma^2); the current teacher sample's predictive on it
        rows = torch.randint(self.n, (self.batch,), generator=self.generator)
        d = self.x[rows] + torch.randn(self.batch, self.x.shape[1]) * BDK_SIGMA
        self.teacher.eval()
        with torch.no_grad():
            target = F.softmax(self.teacher(d), dim=1)
        # student: soft cross-entropy, Adam with coupled L2
        self.optimizer.zero_grad()
        student_loss = -(target * F.log_softmax(self.student(d), dim=1)).sum(1).mean()
        value = student_loss.item()
        student_loss.backward()
        self.optimizer.step()
        return teacher_loss, value


def time_distilled_sgld(factory, x, y, batch, a):
    """Warm-up (rounds of --warmup iterations, at least WARMUP_SECONDS), then --epochs samples of --steps iterations;
    seconds per iteration, as EpochsBench.TimeDistilledSgld."""
    run = DistilledSgld(factory, x, y, batch)
    iterations = max(1, a.steps)
    warmup_start = time.perf_counter()
    while a.warmup > 0 and time.perf_counter() - warmup_start < WARMUP_SECONDS:
        for _ in range(a.warmup):
            run.step()
    seconds, loss = [], float("nan")
    for _ in range(a.epochs):
        start = time.perf_counter()
        for _ in range(iterations):
            _, loss = run.step()
        seconds.append((time.perf_counter() - start) / iterations)
    return seconds, iterations, loss, run.teacher_params + list(run.student.parameters())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default=",".join(SETTINGS))
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--steps", type=int, default=0, help="timed steps per epoch (0: full epoch), time scaled up")
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--csv")
    p.add_argument("--label", default="torch", help="impl column, e.g. torch-default or torch-tuned")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    (x, y), _test = load()
    rows = []
    print(f"{a.label}: torch {torch.__version__}, threads {torch.get_num_threads()}")
    for name in a.models.split(","):
        batch, images, factory = SETTINGS[name]
        if name == "bdk-step":
            seconds, iterations, loss, run_params = time_distilled_sgld(factory, x, y, batch, a)
            seconds.sort()
            best, median = seconds[0], statistics.median(seconds)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{name:<9} batch {batch:3d}: best {best:.5f} s/iteration, median {median:.5f} (mean of {iterations} "
                  f"iterations per sample), last loss {loss:.3f}, peak RSS {peak:.0f} MiB")
            rows.append(",".join(str(v) for v in (a.label, name, batch, iterations, 1, a.epochs,
                                                  f"{best:.6f}", f"{median:.6f}", f"{peak:.4f}", a.threads,
                                                  count(run_params))))
            continue
        if name == "vid-student":
            seconds, steps, per_epoch, block, loss, params = time_vid_student(x, y, batch, a)
            seconds.sort()
            best, median = seconds[0], statistics.median(seconds)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            scaled = (f" (scaled from {steps} of {per_epoch} steps)" if steps < per_epoch else
                      f" (mean of {block} epochs of {per_epoch} steps per sample)" if block > 1 else "")
            print(f"{name:<9} batch {batch:3d}: best {best:.3f} s/epoch, median {median:.3f}{scaled}, last loss {loss:.3f}, "
                  f"peak RSS {peak:.0f} MiB, trained parameters {params}")
            rows.append(",".join(str(v) for v in (a.label, name, batch, steps, per_epoch, a.epochs,
                                                  f"{best:.4f}", f"{median:.4f}", f"{peak:.4f}", a.threads, params)))
            continue
        xs, ys, loss_fn = (x.view(-1, 1, 28, 28) if images else x), y, None
        if name.startswith("md-"):
            # Big/Small: a seeded split, both parts copied out of the training set (as FashionMnist.BigSmall does)
            order = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(BIG_SMALL_SEED))
            part = order[SMALL_COUNT:] if name == "md-teacher" else order[:SMALL_COUNT]
            xs, ys = x[part], y[part]
        model = factory()
        if name == "md-student":
            teacher = md_teacher()
            teacher.eval()
            loss_fn = multi_domain_loss(teacher)
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        per_epoch = (xs.shape[0] + batch - 1) // batch
        steps, block = timed_steps(a.steps, per_epoch)
        per_run = min(steps, per_epoch)
        generator = torch.Generator().manual_seed(1)
        warmup_start = time.perf_counter()  # rounds of --warmup steps for at least WARMUP_SECONDS, as ours
        while a.warmup > 0 and time.perf_counter() - warmup_start < WARMUP_SECONDS:
            run_epoch(model, optimizer, xs, ys, batch, min(a.warmup, per_epoch), generator, loss_fn)
        seconds, loss = [], float("nan")
        for _ in range(a.epochs):
            total = 0.0
            for _ in range(block):
                t, loss = run_epoch(model, optimizer, xs, ys, batch, per_run, generator, loss_fn)
                total += t
            seconds.append(total * per_epoch / steps)
        seconds.sort()
        best, median = seconds[0], statistics.median(seconds)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        scaled = (f" (scaled from {steps} of {per_epoch} steps)" if steps < per_epoch else
                  f" (mean of {block} epochs of {per_epoch} steps per sample)" if block > 1 else "")
        print(f"{name:<9} batch {batch:3d}: best {best:.3f} s/epoch, median {median:.3f}{scaled}, "
              f"last loss {loss:.3f}, peak RSS {peak:.0f} MiB, trained parameters {count(model.parameters())}")
        rows.append(",".join(str(v) for v in (a.label, name, batch, steps, per_epoch, a.epochs,
                                              f"{best:.4f}", f"{median:.4f}", f"{peak:.4f}", a.threads,
                                              count(model.parameters()))))
    if a.csv:
        header = not os.path.exists(a.csv) or os.path.getsize(a.csv) == 0
        with open(a.csv, "a") as f:
            if header:
                f.write(CSV_HEADER + "\n")
            f.write("".join(r + "\n" for r in rows))


if __name__ == "__main__":
    main()
