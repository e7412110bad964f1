#!/usr/bin/env bash
# Size and start-up of the shipped binary: `entramap --version` against `true`, and a lint of a
# small mapping file against `cat` of the same file, timed with hyperfine (no shell between, so
# only process start-up and the work itself count). Prints medians and ratios of medians.
#   benches/startup.sh                       # builds and measures the `dist` profile
#   PROFILE=release RUNS=500 benches/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-dist}"
runs="${RUNS:-300}"
file=fixtures/mappings/unleash-correct.json
command -v hyperfine >/dev/null || { echo "startup.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
cargo build --locked --quiet --profile "$profile"
dir=$profile; [ "$profile" = dev ] && dir=debug
bin="${CARGO_TARGET_DIR:-target}/$dir/entramap"
json=$(mktemp)
trap 'rm -f "$json"' EXIT
hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$json" \
    true "$bin --version" "cat $file" "$bin lint --profile unleash $file" >/dev/null
python3 - "$json" "$bin" "$file" <<'PY'
import json, os, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
binary, file = sys.argv[2], sys.argv[3]
med = lambda c: r[c]["median"] * 1e3
print(f"binary {binary}: {os.path.getsize(binary):,} bytes ({os.path.getsize(binary) / 2**20:.1f} MiB)")
pairs = [("true", f"{binary} --version"), (f"cat {file}", f"{binary} lint --profile unleash {file}")]
for base, cmd in pairs:
    print(f"{cmd}: median {med(cmd):.2f} ms (min {r[cmd]['min'] * 1e3:.2f}); "
          f"{base}: {med(base):.2f} ms (min {r[base]['min'] * 1e3:.2f}); ratio {med(cmd) / med(base):.2f}x")
PY
