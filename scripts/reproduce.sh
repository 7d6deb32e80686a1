#!/usr/bin/env bash
# The main job: lists and runs the reproduction experiments (examples/Reproduce).
#   scripts/reproduce.sh list
#   scripts/reproduce.sh methods
#   scripts/reproduce.sh run NAME|all [--quick] [--seeds N] [--jobs N] [--rerun] [--out DIR] [--fashion-mnist DIR] [--mnist DIR]
#   scripts/reproduce.sh sweep EXPERIMENT --grid NAME=v1,v2,... [--grid ...] [--random NAME=lo:hi --trials N] [--seeds N]
#                              [--metric M] [--quick] [--jobs N] [--rerun] [--out DIR] [--fashion-mnist DIR]
#   (run and sweep take --cluster redis://HOST:PORT to send their runs to the workers of a cluster)
#   scripts/reproduce.sh worker --cluster redis://HOST:PORT [--jobs N] [--name NAME]   (take a cluster's runs until Ctrl+C)
#   scripts/reproduce.sh paper [--results DIR] [--out DIR] [--html]   (paper/README.md from paper/template/paper.md and the results; --html: paper.html by pandoc)
# Before a run it installs missing data sets with scripts/setup.sh.
# With no arguments it shows the help. Tables go to stdout; status lines go to stderr.
# Exit codes: 0 ok; 1 an experiment failed (the results written so far stay); 2 a usage error, found before
# anything runs (a bad option value, an unknown experiment, an unwritable --out, a missing or corrupt data folder
# given with --fashion-mnist/--mnist), said in one line on stderr; 130 cancelled.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# set-up is idempotent and silent when everything is present, so it only does work the first time
case "${1:-}" in run|sweep) bash "$root/scripts/setup.sh" >&2 ;; esac
[ $# -eq 0 ] && set -- --help
exec dotnet run --project "$root/examples/Reproduce" -c Release -- "$@"
