#!/usr/bin/env bash
# Builds entramap with a Cargo profile (default `dist`) the way it ships, and prints the binary's
# path on standard output (cargo's own output goes to standard error). Used by compare.sh and
# startup.sh, so that both time the binary users get.
#
# On glibc Linux the shipped binary (the manylinux wheels, .github/workflows/release.yml, built
# the same way by .ci/wheel.sh) links glibc statically, as a static-pie executable: no dynamic
# loader, no shared library to find, map and relocate at each start. The flag needs an explicit
# --target, which keeps it away from proc macros and build scripts (they cannot be linked
# statically), and puts the binary under target/<host>/<profile>/. STATIC=0 builds the
# dynamically linked binary a plain `cargo build` gives.
#   benches/build.sh            # target/x86_64-unknown-linux-gnu/dist/entramap on glibc Linux
#   STATIC=0 benches/build.sh release
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-dist}
dir=$profile
[[ $profile == dev ]] && dir=debug
target=${CARGO_TARGET_DIR:-$PWD/target}
host=$(rustc -vV | sed -n 's/^host: //p')
if [[ ${STATIC:-1} == 1 && $host == *-linux-gnu ]]; then
    RUSTFLAGS="-C target-feature=+crt-static" \
        cargo build --locked --quiet --profile "$profile" --target "$host" >&2
    echo "$target/$host/$dir/entramap"
else
    cargo build --locked --quiet --profile "$profile" >&2
    echo "$target/$dir/entramap"
fi
