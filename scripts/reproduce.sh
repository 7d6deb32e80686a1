#!/usr/bin/env bash
# The main job: lists and runs the reproduction experiments (examples/Reproduce).
#   scripts/reproduce.sh list
#   scripts/reproduce.sh run NAME|all [--quick] [--seeds N] [--out DIR] [--fashion-mnist DIR] [--mnist DIR]
# Before a run it installs missing data sets with scripts/setup.sh (which only checks when they are present).
# With no arguments it shows the help. Tables go to stdout; status lines go to stderr.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fmnist_dir=${PROBABILISTIC_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
mnist_dir=${PROBABILISTIC_MNIST:-$root/data/mnist}

data_present() { # the same checks as scripts/setup.sh
  local f d
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$fmnist_dir/$f.gz" ] || [ -f "$fmnist_dir/$f" ] || return 1
  done
  for d in 0 1 2 3 4 5 6 7 8 9; do [ -s "$mnist_dir/digits/$d.json" ] || return 1; done
}

if [ "${1:-}" = run ] && ! data_present; then
  echo "reproduce: a data set is missing; running scripts/setup.sh first" >&2
  bash "$root/scripts/setup.sh" >&2
fi
[ $# -eq 0 ] && set -- --help
exec dotnet run --project "$root/examples/Reproduce" -c Release -- "$@"
