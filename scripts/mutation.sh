#!/usr/bin/env bash
# Mutation testing of the model core with mutmut (`make mutation`).
#
# mutmut names a mutant after its file path, so the path must be the import path: the tests
# import `budgetsim.model.engine`, while the repository keeps it at sim/model/engine.py. The script
# lays a staging copy under build/mutation with the package at budgetsim/ (and the CLI at
# budgetsim/cli/), then runs mutmut there with the settings in pyproject.toml
# ([tool.mutmut]). Extra arguments go to `mutmut run` (mutant names or globs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
stage="$root/build/mutation"
rm -rf "$stage"
mkdir -p "$stage"
cp -r "$root/sim" "$stage/budgetsim"
cp -r "$root/cli" "$stage/budgetsim/cli"
cp -r "$root/tests" "$root/scenarios" "$root/docs" "$root/pyproject.toml" "$stage/"
cd "$stage"
export BUDGETSIM_HYPOTHESIS_PROFILE=mutation
"$root/.venv/bin/mutmut" run "$@" || true
"$root/.venv/bin/python" "$root/scripts/mutation_score.py" "$stage"
