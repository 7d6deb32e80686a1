#!/usr/bin/env bash
# The test command: installs missing data (scripts/setup.sh), builds, runs every test project,
# and prints one closing line "Tests: N passed, N failed, N skipped".
# Exits non-zero on a build error, a failing test, or when no test ran.
set -u -o pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

bash scripts/setup.sh

log=$(mktemp)
dotnet test Probabilistic.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one summary line per test assembly: "Passed!  - Failed: 0, Passed: 5, Skipped: 0, Total: 5, ...".
read -r passed failed skipped < <(sed -nE 's/.*Failed:[[:space:]]*([0-9]+),[[:space:]]*Passed:[[:space:]]*([0-9]+),[[:space:]]*Skipped:[[:space:]]*([0-9]+).*/\2 \1 \3/p' "$log" \
  | awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"

if [ "$status" -eq 0 ] && [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
  echo "test.sh: no test ran" >&2
  status=1
fi
[ "$failed" -gt 0 ] && [ "$status" -eq 0 ] && status=1
echo "Tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
