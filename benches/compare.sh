#!/usr/bin/env bash
# entramap against the floor (hand-written serde programs doing the same work with no engine,
# ../shared/bench/floor) and against the jq programs people write by hand, timed in one run,
# alternately.
#
#   benches/compare.sh            # 100,000 and 1,000,000 users, 5 runs each (21 for lint)
#   RUNS=7 LINT_RUNS=31 SIZES="100000" benches/compare.sh
#   FLOOR=/path/to/floor benches/compare.sh   # where the floor's Cargo.toml is
#   PROFILE=release benches/compare.sh        # time the everyday build instead of the shipped one
#   STATIC=0 benches/compare.sh               # on glibc Linux: time the dynamically linked
#                                             # binary `cargo build` gives, not the shipped one
#   QUIET=1 benches/compare.sh                # on a shared machine: start each round only once
#                                             # both cores were idle (>= 95 %) for a second
#
# 0. The floor programs are built outside the tree (cargo --release, into $TMPDIR/entramap-floor).
# 1. simulate: `entramap simulate --output resources` with fixtures/mappings/unleash-correct.json
#    (on 1 thread and on THREADS threads, default all cores) against `floor-project` (the same
#    projection written directly with serde) and `jq -c -f benches/unleash-resources.jq`, on
#    generated Graph-shaped JSON Lines users of which every one is enabled and assigned (the floor
#    writes every user; tests/floor.rs checks that both write the same users). Before timing, the
#    outputs are checked: entramap's and jq's byte-identical (cmp), and entramap's without its
#    `meta` member byte-identical to the floor's; the script stops if not.
# 2. lint: `entramap lint` against `floor-parse` (a bare serde_json parse) and `jq .` on the 67 KB
#    export (unleash-seed.json) and on the largest fixture (the 100 KB export); and on 50 copies
#    of the 100 KB export in one process against `jq . FILE...`.
#
# Each round runs every contender once, one after the other (entramap, floor, jq, entramap, …),
# so a change in the machine's load hits all of them alike. Reported: the median wall time and
# user CPU time of the runs, the ratios of the medians and the median of each round's own ratio
# against the floor, throughput, and the peak resident memory
# (/usr/bin/time -v). Lint runs take milliseconds, so when hyperfine is installed each lint round is
# one hyperfine call (no shell or /usr/bin/time in between) and the round medians are reported.
#
# Needs: cargo, jq, GNU time (/usr/bin/time), bc; hyperfine is optional.
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
SMALL=fixtures/mappings/unleash-seed.json
# The floor is built with fat LTO and one codegen unit; so is the `dist` profile, the build that
# ships (wheels, release binaries). `release` (four codegen units, no LTO) is 10-20 % slower.
PROFILE=${PROFILE:-dist}
FLOOR=${FLOOR:-$ROOT/../shared/bench/floor}
FLOOR_TARGET=${TMPDIR:-/tmp}/entramap-floor

for tool in jq /usr/bin/time bc; do
    if ! command -v "$tool" >/dev/null; then
        echo "compare.sh: $tool is missing; install it first: apt-get install jq hyperfine time" >&2
        exit 2
    fi
done
if (( RUNS < 5 )); then
    echo "compare.sh: RUNS must be at least 5" >&2
    exit 2
fi

if [[ ! -f $FLOOR/Cargo.toml ]]; then
    echo "compare.sh: no floor programs at $FLOOR (no Cargo.toml there); set FLOOR to their folder" >&2
    exit 2
fi

mkdir -p "$OUT"
echo "== building (profile $PROFILE, as it ships: benches/build.sh)" >&2
# On glibc Linux the shipped binary links glibc statically (build.sh says how; STATIC=0: not).
# The floor programs stay as their Cargo.toml builds them.
BIN=$(benches/build.sh "$PROFILE")
LINKING=
if [[ $BIN == */*-linux-gnu/*/entramap ]]; then LINKING=", glibc linked statically"; fi
echo "== building the floor programs (release, into $FLOOR_TARGET)" >&2
cargo build --release --quiet --manifest-path "$FLOOR/Cargo.toml" --target-dir "$FLOOR_TARGET"
PROJECT=$FLOOR_TARGET/release/floor-project
PARSE=$FLOOR_TARGET/release/floor-parse

for n in $SIZES; do
    if [[ ! -s $OUT/users-enabled-$n.jsonl ]]; then
        echo "== generating $n users, every one enabled and assigned" >&2
        cargo bench --quiet --bench gen_users -- "$n" "$OUT/users-enabled-$n.jsonl" 42 all-enabled >&2
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
# to $OUT/NAME.times, its user CPU time (seconds) to $OUT/NAME.user and its peak RSS (KB) to
# $OUT/NAME.rss. Exit codes 0 and 1 (lint findings) are accepted.
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
    awk -F': ' '/User time \(seconds\)/ {print $2}' "$TIMEFILE" >>"$OUT/$name.user"
}

# With QUIET set, waits (up to 10 minutes) until the CPUs were at least 95 % idle for a second, so
# that a round is not shared with another process; counts the rounds that had to start anyway.
QUIET_MISSED=0
idle_percent() {
    local a b c d e f g t1 i1
    read -r _ a b c d e f g _ </proc/stat
    t1=$((a + b + c + d + e + f + g)) i1=$d
    sleep 1
    read -r _ a b c d e f g _ </proc/stat
    echo $((100 * (d - i1) / (a + b + c + d + e + f + g - t1)))
}
wait_quiet() {
    [[ -n ${QUIET:-} ]] || return 0
    local try
    for ((try = 0; try < 600; try++)); do
        (( $(idle_percent) >= 95 )) && return 0
    done
    QUIET_MISSED=$((QUIET_MISSED + 1))
}

median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
maxof() { sort -g "$1" | tail -1; }

reset() { for name in "$@"; do rm -f "$OUT/$name".{times,user,rss,stderr}; done; }

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
        wait_quiet
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
# round_ratio A B: the median over rounds of A's wall time over B's in the same round (line i of
# each .times file is round i). Alternating rounds exist so that both sides of a round share the
# machine's state; on a host whose speed drifts between rounds this follows the pairs, where the
# ratio of the two medians can pair a slow round of one with a fast round of the other.
round_ratio() {
    paste "$OUT/$1.times" "$OUT/$2.times" | awk '{ print $1 / $2 }' >"$OUT/round-ratio.tmp"
    ratio "$(median "$OUT/round-ratio.tmp")" 1
    rm -f "$OUT/round-ratio.tmp"
}
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }' | sed -e ':a' -e 's/\B[0-9]\{3\}\>/,&/' -e 'ta'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MB/s", b / s / 1000000 }'; }

ROWS=()
row() { ROWS+=("| $(IFS='|'; echo "$*" | sed 's/|/ | /g') |"); }

FLOOR_ROWS=()
floor_row() { FLOOR_ROWS+=("| $(IFS='|'; echo "$*" | sed 's/|/ | /g') |"); }
cpu_s() { median "$OUT/$1.user"; }


# ---------------------------------------------------------------------------- simulate

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

SIM="$BIN simulate --output resources --mapping $MAPPING --now $NOW"
for n in $SIZES; do
    users=$OUT/users-enabled-$n.jsonl
    bytes=$(stat -c %s "$users")
    echo "== simulate, $n users ($((bytes / 1000000)) MB): checking the outputs agree" >&2
    $SIM --threads 1 --users "$users" >"$OUT/entramap-$n.out" 2>/dev/null
    jq -c -f "$JQPROG" "$users" >"$OUT/jq-$n.out"
    if ! cmp "$OUT/entramap-$n.out" "$OUT/jq-$n.out"; then
        echo "compare.sh: entramap and $JQPROG differ on $users; not timing" >&2
        exit 1
    fi
    rm -f "$OUT/jq-$n.out"
    $SIM --threads "$THREADS" --users "$users" 2>/dev/null | cmp - "$OUT/entramap-$n.out"
    # floor-project writes no `meta` member; everything else must be byte-identical.
    "$PROJECT" "$users" >"$OUT/floor-$n.out"
    if ! jq -c 'del(.meta)' "$OUT/entramap-$n.out" | cmp - "$OUT/floor-$n.out"; then
        echo "compare.sh: entramap (without meta) and floor-project differ on $users; not timing" >&2
        exit 1
    fi
    echo "   agree: $(wc -l <"$OUT/floor-$n.out") resources; jq identical, $THREADS threads identical, floor identical but for meta" >&2
    rm -f "$OUT/entramap-$n.out" "$OUT/floor-$n.out"

    echo "== simulate, $n users: $RUNS rounds of entramap (1 thread), entramap ($THREADS threads), floor-project, jq" >&2
    alternate "$RUNS" \
        "sim1-$n" "$SIM --threads 1 --users $users" \
        "simN-$n" "$SIM --threads $THREADS --users $users" \
        "floor-$n" "$PROJECT $users" \
        "jq-$n" "jq -c -f $JQPROG $users"
    t1=$(median "$OUT/sim1-$n.times")
    tn=$(median "$OUT/simN-$n.times")
    tf=$(median "$OUT/floor-$n.times")
    tj=$(median "$OUT/jq-$n.times")
    floor_row "simulate $n users, 1 thread" "$(fmt_s "$t1")" "$(fmt_s "$tf")" "**$(ratio "$t1" "$tf")×**" \
        "$(round_ratio "sim1-$n" "floor-$n")×" \
        "$(ratio "$(cpu_s "sim1-$n")" "$(cpu_s "floor-$n")")×" \
        "$(fmt_mb "$(maxof "$OUT/sim1-$n.rss")")" "$(fmt_mb "$(maxof "$OUT/floor-$n.rss")")"
    floor_row "simulate $n users, $THREADS threads" "$(fmt_s "$tn")" "$(fmt_s "$tf")" "**$(ratio "$tn" "$tf")×**" \
        "$(round_ratio "simN-$n" "floor-$n")×" \
        "$(ratio "$(cpu_s "simN-$n")" "$(cpu_s "floor-$n")")× (all threads)" \
        "$(fmt_mb "$(maxof "$OUT/simN-$n.rss")")" ""
    row "simulate $n users, 1 thread" "$(fmt_s "$t1")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$t1")×**" \
        "$(rate "$n" "$t1") users/s, $(mbps "$bytes" "$t1")" "$(rate "$n" "$tj") users/s, $(mbps "$bytes" "$tj")" \
        "$(fmt_mb "$(maxof "$OUT/sim1-$n.rss")")" "$(fmt_mb "$(maxof "$OUT/jq-$n.rss")")"
    row "simulate $n users, $THREADS threads" "$(fmt_s "$tn")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$tn")×** ($(ratio "$t1" "$tn")× 1 thread)" \
        "$(rate "$n" "$tn") users/s, $(mbps "$bytes" "$tn")" "" \
        "$(fmt_mb "$(maxof "$OUT/simN-$n.rss")")" ""
done

# ---------------------------------------------------------------------------- lint

# hyperfine_rounds ROUNDS NAME1 'CMD1' NAME2 'CMD2' ...: for runs of a few milliseconds, where
# the fork of /usr/bin/time and the shell would weigh as much as the work: ROUNDS rounds of one
# hyperfine call over all commands (no shell, 10 runs each after 2 warm-ups), appending each
# round's median wall and mean user time per command; then one /usr/bin/time run each for the
# peak RSS. Without hyperfine, falls back to `alternate`.
hyperfine_rounds() {
    local rounds=$1
    shift
    if ! command -v hyperfine >/dev/null; then
        alternate "$rounds" "$@"
        return
    fi
    local -a names=() cmds=()
    while (( $# )); do
        names+=("$1")
        cmds+=("$2")
        shift 2
    done
    reset "${names[@]}"
    local json=$OUT/hyperfine-round.json
    for ((r = 1; r <= rounds; r++)); do
        printf '   round %d/%d\r' "$r" "$rounds" >&2
        wait_quiet
        hyperfine -N -i --style none --warmup 2 --runs 10 --export-json "$json" "${cmds[@]}" >/dev/null 2>&1
        for i in "${!names[@]}"; do
            jq -r ".results[$i].median" "$json" >>"$OUT/${names[$i]}.times"
            jq -r ".results[$i].user" "$json" >>"$OUT/${names[$i]}.user"
        done
    done
    for i in "${!names[@]}"; do
        # shellcheck disable=SC2086
        /usr/bin/time -v -o "$TIMEFILE" ${cmds[$i]} >/dev/null 2>&1 || true
        awk -F': ' '/Maximum resident set size/ {print $2}' "$TIMEFILE" >>"$OUT/${names[$i]}.rss"
    done
    echo >&2
}

# FILE|ARGS: the two exports as `benches/compare.sh` has always linted them, and the README's
# main command (a shipped mapping against the unleash profile).
for spec in "$SMALL|" "$EXPORT|" "$SMALL|--profile unleash"; do
    file=${spec%%|*}
    args=${spec#*|}
    k=$(basename "$file" .json)${args:+-profile}
    kb=$(( $(stat -c %s "$file") / 1000 ))
    echo "== lint: $LINT_RUNS rounds of entramap lint${args:+ $args}, floor-parse and jq . on $file ($kb KB)" >&2
    hyperfine_rounds "$LINT_RUNS" "lint-$k" "$BIN lint${args:+ $args} $file" "floorparse-$k" "$PARSE $file" "jqlint-$k" "jq . $file"
    te=$(median "$OUT/lint-$k.times")
    tf=$(median "$OUT/floorparse-$k.times")
    tj=$(median "$OUT/jqlint-$k.times")
    floor_row "lint ${args:+$args }$(basename "$file") ($kb KB)" "$(fmt_s "$te")" "$(fmt_s "$tf")" "**$(ratio "$te" "$tf")×**" \
        "$(round_ratio "lint-$k" "floorparse-$k")×" \
        "$(ratio "$(cpu_s "lint-$k")" "$(cpu_s "floorparse-$k")")×" \
        "$(fmt_mb "$(maxof "$OUT/lint-$k.rss")")" "$(fmt_mb "$(maxof "$OUT/floorparse-$k.rss")")"
    row "lint ${args:+$args }$(basename "$file") ($kb KB)" "$(fmt_s "$te")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$te")×**" \
        "$(mbps "$(stat -c %s "$file")" "$te")" "$(mbps "$(stat -c %s "$file")" "$tj")" \
        "$(fmt_mb "$(maxof "$OUT/lint-$k.rss")")" "$(fmt_mb "$(maxof "$OUT/jqlint-$k.rss")")"
done
echo "== lint: $LINT_RUNS rounds of entramap lint and jq . on 50 copies" >&2
alternate "$LINT_RUNS" "lint50" "$BIN lint $(echo "$OUT"/lint50/*.json)" \
    "jqlint50" "jq . $(echo "$OUT"/lint50/*.json)"
te=$(median "$OUT/lint50.times")
tj=$(median "$OUT/jqlint50.times")
total=$(($(stat -c %s "$EXPORT") * 50))
row "lint 50 copies of the 100 KB export (one process)" "$(fmt_s "$te")" "$(fmt_s "$tj")" "**$(ratio "$tj" "$te")×**" \
    "$(mbps "$total" "$te")" "$(mbps "$total" "$tj")" \
    "$(fmt_mb "$(maxof "$OUT/lint50.rss")")" "$(fmt_mb "$(maxof "$OUT/jqlint50.rss")")"

# ---------------------------------------------------------------------------- report

echo
echo "entramap $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)') ($PROFILE profile$LINKING) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(jq --version);"
echo "simulate: median of $RUNS alternating runs; lint: median of $LINT_RUNS alternating rounds (each the median of 10 hyperfine runs when hyperfine is installed)."
echo "Load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (on $(nproc) cores; above 1 another process shared the machine)."
if [[ -n ${QUIET:-} ]]; then
    echo "QUIET: each round started once the CPUs were 95 % idle for a second ($QUIET_MISSED rounds started after 10 minutes without)."
fi
echo
echo "Against the floor; ratio = entramap / floor (below 1: entramap is faster); ratio of the medians,"
echo "and the median of the rounds' own ratios (each round's entramap over the same round's floor):"
echo
echo "| Task | entramap | floor | Ratio (wall) | Per-round ratio (wall) | Ratio (user CPU) | entramap peak RSS | floor peak RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${FLOOR_ROWS[@]}"
echo
echo "Against jq; ratio = jq time / entramap time (above 1: entramap is faster):"
echo
echo "| Task | entramap | jq | Ratio | entramap throughput | jq throughput | entramap peak RSS | jq peak RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"

