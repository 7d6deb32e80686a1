#!/usr/bin/env bash
# Teacher inference benchmark (issue #18): milliseconds per batch of 256 FashionMNIST test images (eval, no gradient)
# of examples/OnnxTeacher's network, Zoo.TinyCnn, through ONNX Runtime (OnnxTeacher), Model.Nn (the same weights
# loaded from the .npz state_dict, ModuleTeacher) and PyTorch (Debian's /usr/bin/python3; eager, and tuned with
# torch.jit.optimize_for_inference), 2 threads each, in one run.
# Usage: bench/run_teacher.sh [--quick] [--batch B] [--threads T]
# The network comes from examples/OnnxTeacher/out when train_export.py has written it there; otherwise the untrained
# network is exported into a temporary folder (train_export.py --epochs 0): the weights do not change the work.
# Writes results/bench/teacher.csv (every measurement) and results/bench/teacher.md (table with ratios).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out="$root/results/bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
batch=256 threads=2 samples=7
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) samples=3; shift;;
    --batch) batch="$2"; shift 2;;
    --threads) threads="$2"; shift 2;;
    *) echo "usage: bench/run_teacher.sh [--quick] [--batch B] [--threads T]" >&2; exit 2;;
  esac
done

if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "== PyTorch is missing: installing it (scripts/setup.sh --bench)"
  bash scripts/setup.sh --bench
fi
models="$root/examples/OnnxTeacher/out"
if [ ! -f "$models/teacher.onnx" ] || [ ! -f "$models/teacher_state.npz" ]; then
  echo "== exporting the untrained network (examples/OnnxTeacher/train_export.py --epochs 0)"
  /usr/bin/python3 examples/OnnxTeacher/train_export.py --epochs 0 --out "$work/model" >/dev/null
  models="$work/model"
fi

echo "== build"
dotnet build bench/Bench -c Release -v q -nologo >/dev/null
echo "== run   ($(uptime | sed 's/.*load average: /load /'))"
load_before=$(cut -d' ' -f1 /proc/loadavg)
dotnet "$root/bench/Bench/bin/Release/net10.0/Bench.dll" teacher --onnx "$models/teacher.onnx" --state "$models/teacher_state.npz" \
  --batch "$batch" --samples "$samples" --threads "$threads" --csv "$work/runs.csv"
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_teacher.py --state "$models/teacher_state.npz" \
  --batch "$batch" --samples "$samples" --threads "$threads" --csv "$work/runs.csv"
OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/torch_teacher.py --state "$models/teacher_state.npz" \
  --batch "$batch" --samples "$samples" --threads "$threads" --csv "$work/runs.csv" --label torch-optimized --optimized
uptime_end=$(uptime)

echo "== report"
cp "$work/runs.csv" "$out/teacher.csv"
/usr/bin/python3 - "$work/runs.csv" "$out/teacher.md" "$load_before" "$uptime_end" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" <<'PY'
import csv, sys
runs, md_path, load_before, uptime_end, cpu = sys.argv[1:6]
rows = {r["impl"]: r for r in csv.DictReader(open(runs))}
best = {k: float(r["best_ms"]) for k, r in rows.items()}
lines = ["| implementation | batch | threads | best ms/batch | median ms/batch | / PyTorch eager | / PyTorch optimized | / ONNX Runtime |",
         "|---|---|---|---|---|---|---|---|"]
for impl in ("onnxruntime", "model.nn", "torch", "torch-optimized"):
    r = rows.get(impl)
    if r is None:
        continue
    ratio = lambda ref: f"{best[impl] / best[ref]:.2f}" if ref in best else "?"
    lines.append(f"| {impl} | {r['batch']} | {r['threads']} | {best[impl]:.3f} | {float(r['median_ms']):.3f} | {ratio('torch')} | {ratio('torch-optimized')} | {ratio('onnxruntime')} |")
notes = ["", "Teacher inference: Zoo.TinyCnn (examples/OnnxTeacher) on the first test images /255, normalised inside the "
         "timed call, evaluation mode, no gradient; ONNX Runtime through OnnxTeacher (intra-op threads), Model.Nn "
         "through ModuleTeacher (Gemm.MaxThreads), PyTorch 1.13 under torch.no_grad (set_num_threads, "
         "OMP_WAIT_POLICY=PASSIVE), eager and through torch.jit.optimize_for_inference (BatchNorm folded into the "
         "convolutions, oneDNN layouts; PyTorch's tuned inference path). Best and median of the timed samples (each about 0.25 s of calls); ratios on the "
         f"best. CPU:{cpu}; load1 before: {load_before}; at the end: {uptime_end.strip()}"]
text = "\n".join(lines + notes) + "\n"
open(md_path, "w").write(text)
print(text)
PY
echo "wrote $out/teacher.csv and $out/teacher.md"
