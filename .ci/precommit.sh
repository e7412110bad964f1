#!/usr/bin/env bash
# The pre-commit hooks, tested with the real tool: installs `pre-commit` from PyPI into a
# temporary virtualenv, then runs both hooks of .pre-commit-hooks.yaml on a scratch git
# repository holding a good mapping, a bad one, a near miss and a package.json, and checks the
# exit codes and the output. `entramap-lint` (language: rust) is built by pre-commit itself
# (cargo install, a release build) into a target folder kept under target/ for the next run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
command -v patch >/dev/null || { apt-get update -qq && apt-get install -y -qq patch >/dev/null; }

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
export PRE_COMMIT_HOME="$work/cache"
export CARGO_TARGET_DIR="$repo/target/precommit"   # reused by cargo install across runs
export NO_COLOR=1

rev="$(git -C "$repo" rev-parse HEAD)"
scratch="$work/scratch"
mkdir -p "$scratch"
cd "$scratch"
git init -q
git config user.email ci@example.invalid
git config user.name ci
cp "$repo/fixtures/mappings/unleash-correct.json" good.json
cp "$repo/fixtures/lint/unknown-function/invalid.yaml" bad.yaml
cp "$repo/fixtures/skip/near-miss/mapings-in-objects.yaml" near-miss.yaml
cp "$repo/fixtures/skip/non-mapping/package.json" package.json
git add good.json bad.yaml near-miss.yaml package.json

# Runs one hook with the given args over the staged files: prints "exit=N" then the output.
run_hook() {
  local id="$1" args="$2" files="${3:-}"
  cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: $id
        args: $args
YAML
  local code=0
  if [ -n "$files" ]; then
    "$work/venv/bin/pre-commit" run "$id" --verbose --files $files > "$work/out.txt" 2>&1 || code=$?
  else
    "$work/venv/bin/pre-commit" run "$id" --verbose --all-files > "$work/out.txt" 2>&1 || code=$?
  fi
  echo "exit=$code"
  cat "$work/out.txt"
}

fail() { echo "precommit.sh: FAILED: $*" >&2; cat "$work/out.txt" >&2; exit 1; }
expect() { # expect CODE PATTERN... : the last run exited CODE and printed every PATTERN
  local code="$1"; shift
  grep -q "^exit=$code\$" "$work/result.txt" || fail "expected exit $code"
  for p in "$@"; do grep -qF -- "$p" "$work/result.txt" || fail "expected output: $p"; done
}
refuse() { for p in "$@"; do if grep -qF -- "$p" "$work/result.txt"; then fail "unexpected output: $p"; fi; done; }

passed=0
# 1. The rust hook on every file: the bad mapping and the near miss fail the commit, the
#    package.json is skipped, and --format from args is honoured.
run_hook entramap-lint "[--format, short]" > "$work/result.txt"
expect 1 "bad.yaml:9:14: error[EM002] unknown-function" "near-miss.yaml:1:1: error[L003] not-a-mapping" "entramap: 2 errors"
refuse "package.json" "good.json:"
passed=$((passed + 1))
# 2. The good mapping and the package.json alone pass.
run_hook entramap-lint "[--format, short]" "good.json package.json" > "$work/result.txt"
expect 0 "entramap: no problems in 1 file"
passed=$((passed + 1))
# 3. The user's --format github: annotations, not the short lines.
run_hook entramap-lint "[--format, github]" > "$work/result.txt"
expect 1 "::error file=bad.yaml,line=9,col=14" "::error file=near-miss.yaml,line=1,col=1"
passed=$((passed + 1))
# 4. The system hook, with the entramap that pre-commit built on PATH.
bin="$(dirname "$(find "$PRE_COMMIT_HOME" -path '*/bin/entramap' -type f | head -n1)")"
[ -x "$bin/entramap" ] || fail "pre-commit did not build entramap"
PATH="$bin:$PATH" run_hook entramap-lint-system "[--format, short]" > "$work/result.txt"
expect 1 "bad.yaml:9:14: error[EM002]" "near-miss.yaml:1:1: error[L003]"
refuse "package.json"
passed=$((passed + 1))
PATH="$bin:$PATH" run_hook entramap-lint-system "[]" "good.json package.json" > "$work/result.txt"
expect 0 "entramap: no problems in 1 file"
passed=$((passed + 1))
echo "pre-commit hooks: $passed passed, 0 failed"
