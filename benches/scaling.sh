#!/usr/bin/env bash
# Scaling of loading and linting: the same input shape at 10,000 and 100,000 items, and a 10 MB
# export against a bare serde_json parse of it (floor-parse, ../shared/bench/floor).
#
#   benches/scaling.sh                 # 5 runs of each, alternating
#   RUNS=9 benches/scaling.sh
#
# For each shape (benches/gen_big.py: JSON keys, YAML keys, Graph mappings, YAML mappings, YAML
# suppression comments), `entramap lint FILE` (the default, human report on stdout) runs on the
# 10k and the 100k file, alternately, pinned to one core. Reported: the median of each and the
# growth ratio t(100k) / t(10k): 10 means linear, 100 quadratic.
# Then `entramap lint` on two ~10 MB exports (many object mappings; one object of many mappings,
# one finding each) and `floor-parse` on the same file, alternately: the ratio of the medians.
#
# Needs: cargo, python3, taskset; FLOOR (default $TMPDIR/floor/release/floor-parse) is built
# when missing. Files go to target/scaling/.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/scaling
RUNS=${RUNS:-5}
BIN=$ROOT/target/release/entramap
FLOOR_DIR=${TMPDIR:-/tmp}/floor
FLOOR=${FLOOR:-$FLOOR_DIR/release/floor-parse}
ONE_CORE=(taskset -c 0)

mkdir -p "$OUT"
echo "== building entramap (release)" >&2
cargo build --release --quiet
if [[ ! -x $FLOOR ]]; then
    echo "== building floor-parse in $FLOOR_DIR" >&2
    cargo build --release --quiet --manifest-path "$ROOT/../shared/bench/floor/Cargo.toml" \
        --target-dir "$FLOOR_DIR"
fi

gen() { # KIND N FILE
    [[ -s $3 ]] || python3 benches/gen_big.py "$1" "$2" "$3"
}

# time_ms CMD...: wall time of one run in milliseconds (exit 0 and 1 accepted).
time_ms() {
    local start end code=0
    start=$(date +%s%N)
    "${ONE_CORE[@]}" "$@" >/dev/null 2>&1 || code=$?
    end=$(date +%s%N)
    if ((code > 1 && code != 2)); then
        echo "scaling.sh: exit $code: $*" >&2
        exit 1
    fi
    echo $(((end - start) / 1000000))
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo
echo "entramap $(git rev-parse --short HEAD 2>/dev/null || echo '?'), one core ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), median of $RUNS alternating runs"
echo
echo "| Input | 10,000 | 100,000 | Growth (10 = linear) |"
echo "| --- | --- | --- | --- |"
for kind in json-keys yaml-keys json-mappings yaml-mappings yaml-suppressions; do
    ext=json
    [[ $kind == yaml-* ]] && ext=yaml
    small=$OUT/$kind-10000.$ext
    big=$OUT/$kind-100000.$ext
    gen "$kind" 10000 "$small"
    gen "$kind" 100000 "$big"
    ts=() tb=()
    for ((r = 0; r < RUNS; r++)); do
        ts+=("$(time_ms "$BIN" lint "$small")")
        tb+=("$(time_ms "$BIN" lint "$big")")
    done
    ms=$(median "${ts[@]}")
    mb=$(median "${tb[@]}")
    echo "| $kind ($(du -h "$big" | cut -f1) at 100k) | $ms ms | $mb ms | $(awk -v a="$mb" -v b="$ms" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }') |"
done

echo
echo "| 10 MB export | bytes | entramap lint | floor-parse | Ratio |"
echo "| --- | --- | --- | --- | --- |"
for kind in export-objects export-mappings; do
    file=$OUT/$kind-10.json
    gen "$kind" 10 "$file"
    te=() tf=()
    for ((r = 0; r < RUNS; r++)); do
        te+=("$(time_ms "$BIN" lint "$file")")
        tf+=("$(time_ms "$FLOOR" "$file")")
    done
    me=$(median "${te[@]}")
    mf=$(median "${tf[@]}")
    echo "| $kind | $(stat -c %s "$file") | $me ms | $mf ms | $(awk -v a="$me" -v b="$mf" 'BEGIN { printf "%.1f×", a / (b > 0 ? b : 1) }') |"
done
