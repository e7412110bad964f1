#!/usr/bin/env bash
# entramap against the jq programs people write by hand, timed in the same run and alternately.
#
#   benches/compare.sh            # 100,000 and 1,000,000 users, 5 runs each (21 for lint)
#   RUNS=7 LINT_RUNS=31 SIZES="100000" benches/compare.sh
#
# 1. simulate: `entramap simulate --output resources` with fixtures/mappings/unleash-correct.json
#    (on 1 thread and on THREADS threads, default all cores) against `jq -c -f
#    benches/unleash-resources.jq`, on generated Graph-shaped JSON Lines users. Both outputs are
#    first checked to be byte-identical (cmp); the script stops if they are not.
# 2. lint: `entramap lint` on the 100 KB export, and on 50 copies of it in one process, against
#    `jq . FILE... >/dev/null` on the same file(s) (the floor of reading the JSON at all).
#
# Each round runs every contender once, one after the other (entramap, jq, entramap, jq, …), so a
# change in the machine's load hits all of them alike. Reported: the median wall time of the
# runs, the ratio of the medians, throughput, and the peak resident memory (/usr/bin/time -v).
# When hyperfine is installed, the lint pairs are also cross-checked with it.
#
# Needs: cargo, jq, GNU time (/usr/bin/time); hyperfine is optional.
# Files go to target/compare/ (the 1M-user file is about 680 MB).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/target/compare
RUNS=${RUNS:-5}
LINT_RUNS=${LINT_RUNS:-21}
SIZES=${SIZES:-"100000 1000000"}
THREADS=${THREADS:-$(nproc)}
NOW=2025-01-01T00:00:00Z
MAPPING=fixtures/mappings/unleash-correct.json
JQPROG=benches/unleash-resources.jq
EXPORT=fixtures/mappings/scim-default-user-100k.json
BIN=$ROOT/target/release/entramap

for tool in jq /usr/bin/time; do
    if ! command -v "$tool" >/dev/null; then
        echo "compare.sh: $tool is missing; install it first: apt-get install jq hyperfine time" >&2
        exit 2
    fi
done
if (( RUNS < 5 )); then
    echo "compare.sh: RUNS must be at least 5" >&2
    exit 2
fi

mkdir -p "$OUT"
echo "== building (release)" >&2
cargo build --release --quiet

for n in $SIZES; do
    if [[ ! -s $OUT/users-$n.jsonl ]]; then
        echo "== generating $n users" >&2
        cargo bench --quiet --bench gen_users -- "$n" "$OUT/users-$n.jsonl" 42 >&2
    fi
done
mkdir -p "$OUT/lint50"
for i in $(seq -w 1 50); do
    cp "$EXPORT" "$OUT/lint50/export-$i.json"
done

# ---------------------------------------------------------------------------- measuring

TIMEFILE=$(mktemp)
trap 'rm -f "$TIMEFILE"' EXIT

# run NAME CMD...: runs the command once (stdout to /dev/null), appends its wall time (seconds)
# to $OUT/NAME.times and its peak RSS (KB) to $OUT/NAME.rss. Exit codes 0 and 1 (lint findings)
# are accepted.
run() {
    local name=$1
    shift
    local start end code=0
    start=$(date +%s%N)
    /usr/bin/time -v -o "$TIMEFILE" "$@" >/dev/null 2>>"$OUT/$name.stderr" || code=$?
    end=$(date +%s%N)
    if (( code > 1 )); then
        echo "compare.sh: $name failed (exit $code): $*" >&2
        tail -5 "$OUT/$name.stderr" >&2
        exit 1
    fi
    echo "scale=6; ($end - $start) / 1000000000" | bc >>"$OUT/$name.times"
    awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMEFILE" >>"$OUT/$name.rss"
}

median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
maxof() { sort -g "$1" | tail -1; }

reset() { for name in "$@"; do rm -f "$OUT/$name".{times,rss,stderr}; done; }

# alternate ROUNDS NAME1 'CMD1' NAME2 'CMD2' ...: ROUNDS rounds, each running every command once.
alternate() {
    local rounds=$1
    shift
    local -a names=() cmds=()
    while (( $# )); do
        names+=("$1")
        cmds+=("$2")
        shift 2
    done
    reset "${names[@]}"
    for ((r = 1; r <= rounds; r++)); do
        printf '   round %d/%d\r' "$r" "$rounds" >&2
        for i in "${!names[@]}"; do
            # shellcheck disable=SC2086
            run "${names[$i]}" ${cmds[$i]}
        done
    done
    echo >&2
}

fmt_s() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.1f ms", s * 1000; else printf "%.2f s", s }'; }
fmt_mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }' | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", b / s / 1000000 }'; }

ROWS=()
row() { ROWS+=("| $(IFS='|'; echo "$*" | sed 's/|/ | /g') |"); }

# ---------------------------------------------------------------------------- simulate

SIM="$BIN simulate --output resources --mapping $MAPPING --now $NOW"
for n in $SIZES; do
    users=$OUT/users-$n.jsonl
    bytes=$(stat -c %s "$users")
    echo "== simulate, $n users ($((bytes / 1000000)) MB): checking both outputs are identical" >&2
    $SIM --threads 1 --users "$users" >"$OUT/entramap-$n.out" 2>/dev/null
    jq -c -f "$JQPROG" "$users" >"$OUT/jq-$n.out"
    if ! cmp "$OUT/entramap-$n.out" "$OUT/jq-$n.out"; then
        echo "compare.sh: entramap and $JQPROG differ on $users; not timing" >&2
        exit 1
    fi
    $SIM --threads "$THREADS" --users "$users" 2>/dev/null | cmp - "$OUT/entramap-$n.out"
    echo "   identical: $(wc -l <"$OUT/jq-$n.out") resources; $THREADS threads identical too" >&2
    rm -f "$OUT/entramap-$n.out" "$OUT/jq-$n.out"

    echo "== simulate, $n users: $RUNS rounds of entramap (1 thread), entramap ($THREADS threads), jq" >&2
    alternate "$RUNS" \
        "sim1-$n" "$SIM --threads 1 --users $users" \
        "simN-$n" "$SIM --threads $THREADS --users $users" \
        "jq-$n" "jq -c -f $JQPROG $users"
    t1=$(median "$OUT/sim1-$n.times")
    tn=$(median "$OUT/simN-$n.times")
    tj=$(median "$OUT/jq-$n.times")
    row "simulate $n users, 1 thread" "$(fmt_s "$t1")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$t1")×**" \
        "$(rate "$n" "$t1") users/s, $(mbps "$bytes" "$t1")" "$(rate "$n" "$tj") users/s, $(mbps "$bytes" "$tj")" \
        "$(fmt_mb "$(maxof "$OUT/sim1-$n.rss")")" "$(fmt_mb "$(maxof "$OUT/jq-$n.rss")")"
    row "simulate $n users, $THREADS threads" "$(fmt_s "$tn")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$tn")×** ($(ratio "$t1" "$tn")× 1 thread)" \
        "$(rate "$n" "$tn") users/s, $(mbps "$bytes" "$tn")" "" \
        "$(fmt_mb "$(maxof "$OUT/simN-$n.rss")")" ""
done

# ---------------------------------------------------------------------------- lint

export_bytes=$(stat -c %s "$EXPORT")
echo "== lint: $LINT_RUNS rounds of entramap lint and jq . on the 100 KB export" >&2
alternate "$LINT_RUNS" "lint1" "$BIN lint $EXPORT" "jqlint1" "jq . $EXPORT"
echo "== lint: $LINT_RUNS rounds of entramap lint and jq . on 50 copies" >&2
alternate "$LINT_RUNS" "lint50" "$BIN lint $(echo "$OUT"/lint50/*.json)" \
    "jqlint50" "jq . $(echo "$OUT"/lint50/*.json)"
for k in 1 50; do
    te=$(median "$OUT/lint$k.times")
    tj=$(median "$OUT/jqlint$k.times")
    total=$((export_bytes * k))
    what="lint the 100 KB export"
    (( k == 50 )) && what="lint 50 copies (one process)"
    row "$what" "$(fmt_s "$te")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$te")×**" \
        "$(mbps "$total" "$te")" "$(mbps "$total" "$tj")" \
        "$(fmt_mb "$(maxof "$OUT/lint$k.rss")")" "$(fmt_mb "$(maxof "$OUT/jqlint$k.rss")")"
done

# ---------------------------------------------------------------------------- report

echo
echo "entramap $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(jq --version);"
echo "median of $RUNS runs (simulate) and $LINT_RUNS runs (lint), alternating; ratio = jq time / entramap time (above 1: entramap is faster)."
echo
echo "| Task | entramap | jq | Ratio | entramap throughput | jq throughput | entramap peak RSS | jq peak RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"

if command -v hyperfine >/dev/null; then
    echo
    echo "hyperfine cross-check of the lint pairs (median of $LINT_RUNS runs after 3 warm-ups):"
    hyperfine --style none --warmup 3 --runs "$LINT_RUNS" -N -i --export-json "$OUT/hyperfine.json" \
        "$BIN lint $EXPORT" "jq . $EXPORT" \
        "$BIN lint $(echo "$OUT"/lint50/*.json)" "jq . $(echo "$OUT"/lint50/*.json)" >/dev/null 2>&1
    jq -r '.results[] | "  \(.median * 1000 | . * 10 | round / 10) ms  \(.command | gsub("[^ ]*/"; "") | .[0:60])"' \
        "$OUT/hyperfine.json"
fi
