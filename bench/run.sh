#!/usr/bin/env bash
# GEMM benchmark, ours against PyTorch/numpy on the system BLAS, in one run.
# Usage: bench/run.sh [--quick] [--rounds N]   (then bench/run_epochs.sh: all epoch workloads, md-teacher/md-student and bdk-step included)
# Writes results/bench/gemm.csv (every measurement) and results/bench/gemm.md (table with ratios and % of peak).
# The machine may be shared: every number is the best of several repetitions, and the whole set (ours, PyTorch
# default, PyTorch tuned) is measured in N interleaved rounds (default 2), keeping each one's best round.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
quick=()
rounds=2
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick); shift;;
    --rounds) rounds=$2; shift 2;;
    *) echo "usage: bench/run.sh [--quick] [--rounds N]" >&2; exit 2;;
  esac
done
out="$root/results/bench"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

echo "== build"
dotnet build bench/Bench -c Release -v q -nologo >/dev/null
bench=(dotnet "$root/bench/Bench/bin/Release/net10.0/Bench.dll")

echo "== machine"
"${bench[@]}" clock --csv "$work/clock.csv"

have_torch=1
if ! /usr/bin/python3 -c 'import torch, numpy' 2>/dev/null; then
  echo "PyTorch is missing: run 'scripts/setup.sh --bench' (Debian package python3-torch); table without peers."
  have_torch=0
else
  case "$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null)" in
    *openblas*) ;;
    *) echo "note: the system BLAS is not OpenBLAS (apt-get install libopenblas0-pthread gives the usual peer)";;
  esac
  # Preset OpenBLAS variables (some machines set OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE): say so; 'default' keeps them.
  env | grep '^OPENBLAS_' | sed 's/^/preset: /' || echo "preset: no OPENBLAS_* variables"
fi
tuned=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE
       MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824)
grep -q avx512f /proc/cpuinfo && tuned+=(OPENBLAS_CORETYPE=SkylakeX)

paired=0
"${bench[@]}" gemm --paired check --threads 1 --quick >/dev/null 2>&1 && paired=1
for round in $(seq 1 "$rounds"); do
  echo "== round $round/$rounds: ours"
  "${bench[@]}" gemm "${quick[@]}" --csv "$work/ours.round$round.csv"
  if [ $paired = 1 ]; then
    # Ours and the system OpenBLAS in one process, alternating batch by batch: the ratio survives machine load.
    echo "== round $round/$rounds: ours and OpenBLAS alternating in one process, default and tuned environment"
    "${bench[@]}" gemm "${quick[@]}" --paired default --csv "$work/paired-default.round$round.csv"
    "${tuned[@]}" "${bench[@]}" gemm "${quick[@]}" --paired tuned --csv "$work/paired-tuned.round$round.csv"
  fi
  [ $have_torch = 1 ] || continue
  echo "== round $round/$rounds: PyTorch/numpy, default environment"
  /usr/bin/python3 bench/torch_gemm.py default "${quick[@]}" --csv "$work/torch-default.round$round.csv"
  echo "== round $round/$rounds: PyTorch/numpy, tuned environment"
  "${tuned[@]}" /usr/bin/python3 bench/torch_gemm.py tuned "${quick[@]}" --csv "$work/torch-tuned.round$round.csv"
done

echo "== report"
uptime | sed 's/^/load: /'
/usr/bin/python3 bench/gemm_report.py "$work" "$out"
echo "wrote $out/gemm.csv and $out/gemm.md"

echo "== training epochs (bench/run_epochs.sh)"
bash "$root/bench/run_epochs.sh" "${quick[@]}"
