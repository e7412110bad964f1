#!/usr/bin/env bash
# CI: the Python wheel and the crates.io package, checked as a user would get them.
#  1. `cargo package --locked`: the crate builds from exactly the files its `include` list ships.
#  2. maturin builds the wheel; it must hold the entramap binary and its metadata, nothing else.
#  3. The wheel is installed from the file into a fresh virtualenv, and the `entramap` found on
#     that virtualenv's PATH prints its version and lints fixtures (exit codes and output checked).
# Builds share the checkout's target folder. The wheel is built with WHEEL_PROFILE (default
# `dev`: a few minutes rather than a quarter of an hour on two cores); the release workflow builds
# with `dist`. On a glibc Linux host it is linked as the release links its manylinux wheels: glibc
# statically (`-C target-feature=+crt-static`, given with an explicit `--target` so that proc
# macros and build scripts stay dynamic), and the installed binary is checked to load no shared
# library.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
MATURIN_VERSION=1.16.0
profile="${WHEEL_PROFILE:-dev}"
version=$(cargo metadata --locked --no-deps --format-version 1 |
    python3 -c 'import json, sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "entramap"))')

fail() { echo "wheel.sh: FAIL: $*" >&2; exit 1; }

echo "== cargo package --locked"
cargo package --locked --quiet
crate="$CARGO_TARGET_DIR/package/entramap-$version.crate"
[ -f "$crate" ] || fail "cargo package did not write $crate"
# Nothing but code (build.rs included), what it compiles in, docs and licences: no tests, benches,
# fixtures or CI.
extra=$(tar -tzf "$crate" | sed "s|^entramap-$version/||" |
    grep -Ev '^(src/.*|grammar/.*|build\.rs|Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|README\.md|LICENSE-(MIT|APACHE)|\.cargo_vcs_info\.json)$' || true)
[ -z "$extra" ] || fail "the crate holds files outside its include list: $extra"
echo "ok: $(tar -tzf "$crate" | wc -l) files in $(basename "$crate")"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

host=$(rustc -vV | sed -n 's/^host: //p')
target_args=()
static=
if [[ $host == *-linux-gnu ]]; then
    static=1
    target_args=(--target "$host")
fi
echo "== maturin build --profile $profile ${target_args[*]}${static:+ (glibc linked statically)}"
python3 -m venv "$work/build"
"$work/build/bin/pip" install --quiet --disable-pip-version-check "maturin==$MATURIN_VERSION"
(
    if [[ -n $static ]]; then export RUSTFLAGS="-C target-feature=+crt-static"; fi
    "$work/build/bin/maturin" build --quiet --locked --profile "$profile" "${target_args[@]}" --out "$work/dist"
)
wheels=("$work"/dist/entramap-"$version"-*.whl)
{ [ ${#wheels[@]} -eq 1 ] && [ -f "${wheels[0]}" ]; } || fail "expected one wheel, got: ${wheels[*]}"
wheel=${wheels[0]}
if [[ -n $static ]]; then
    # maturin tags the wheel from what the binary needs; a static one meets every manylinux policy.
    [[ $(basename "$wheel") == *-manylinux* ]] || fail "the static wheel is not tagged manylinux: $(basename "$wheel")"
fi
python3 - "$wheel" "$version" <<'PY'
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
names = zipfile.ZipFile(wheel).namelist()
meta = f"entramap-{version}.dist-info/"
payload = [n for n in names if not n.startswith(meta)]
expected = [f"entramap-{version}.data/scripts/entramap"]
if payload != expected:
    sys.exit(f"wheel.sh: FAIL: the wheel should hold only the binary, it holds {payload}")
text = zipfile.ZipFile(wheel).read(meta + "METADATA").decode()
fields = {line.split(": ", 1)[0] for line in text.splitlines() if ": " in line and not line.startswith(" ")}
missing = {"Summary", "License-Expression", "Requires-Python", "Project-URL", "Classifier"} - fields
if missing:
    sys.exit(f"wheel.sh: FAIL: the wheel's METADATA lacks {sorted(missing)}")
print(f"ok: {wheel.rsplit('/', 1)[-1]} holds the binary and its metadata only")
PY

echo "== install the wheel into a fresh virtualenv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$wheel"
# Only the virtualenv and the system folders on PATH: the entramap found must be the wheel's.
export PATH="$work/venv/bin:/usr/bin:/bin"
found=$(command -v entramap) || fail "entramap is not on PATH after installing the wheel"
[ "$found" = "$work/venv/bin/entramap" ] || fail "entramap resolves to $found, not the virtualenv's"

passed=5
if [[ -n $static ]]; then
    # No program interpreter (PT_INTERP) and no DT_NEEDED entry: the binary loads no shared
    # library, so it runs on any Linux whatever its glibc version.
    python3 - "$found" <<'PY' || fail "the wheel's binary is not statically linked"
import struct, sys
data = open(sys.argv[1], "rb").read()
if data[:5] != b"\x7fELF\x02":
    sys.exit("not a 64-bit ELF file")
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
needed = 0
for i in range(phnum):
    kind, _, offset, _, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
    if kind == 3:
        sys.exit("it asks for a program interpreter: it is dynamically linked")
    if kind == 2:
        for j in range(0, filesz, 16):
            tag, _ = struct.unpack_from("<qQ", data, offset + j)
            needed += tag == 1
if needed:
    sys.exit(f"it loads {needed} shared libraries")
print("ok: the binary is statically linked (no interpreter, no shared library)")
PY
    passed=6
fi

out=$(entramap --version) || fail "entramap --version exited $?"
[ "$out" = "entramap $version" ] || fail "entramap --version printed '$out', expected 'entramap $version'"
echo "ok: $out"

# A mapping with the Unleash `active` mistake: exit 1 and the finding at its line and column.
set +e
out=$(entramap lint --profile unleash --select active-not-lowercase-boolean --format short \
    fixtures/mappings/unleash-seed.json 2>&1)
code=$?
set -e
[ $code -eq 1 ] || fail "lint of unleash-seed.json exited $code, expected 1: $out"
first=${out%%$'\n'*}
last=${out##*$'\n'}
case "$first" in
"fixtures/mappings/unleash-seed.json:53:32: error[EM103] [*] active-not-lowercase-boolean: "*) ;;
*) fail "unexpected first line of the lint: $first" ;;
esac
printf '%s\n' "$out" | grep -qxF "entramap: 1 error, 0 warnings, 0 infos in 1 file" ||
    fail "no summary line in: $out"
[ "$last" = 'entramap: 1 fixable with `--fix`' ] || fail "unexpected last line: $last"
echo "ok: lint found EM103 at 53:32 (exit 1)"

# The corrected mapping: exit 0, no error or warning; only the unleash profile's legacy-mode
# info recommending ?aadOptscim062020 (scim-flag, EM107).
out=$(entramap lint --profile unleash fixtures/mappings/unleash-correct.json 2>&1) ||
    fail "lint of unleash-correct.json exited $?: $out"
last=$(printf '%s\n' "$out" | tail -n 1)
[ "$last" = "entramap: 0 errors, 0 warnings, 1 info in 1 file" ] ||
    fail "unexpected clean-lint summary: $last"
printf '%s\n' "$out" | grep -q 'scim-flag(EM107)' || fail "no scim-flag info in: $out"
echo "ok: lint of the corrected mapping has no error or warning (exit 0)"
echo "wheel.sh: ${SECONDS}s"
echo "wheel.sh: $passed passed, 0 failed"
