#!/usr/bin/env bash
# Size and start-up of the shipped binary: `entramap --version` against `true` and against a Rust
# hello-world (built here with `rustc -O`, outside the tree: the target is at most 1 ms more), and
# a lint of a small mapping file against `cat` of the same file, timed with hyperfine (no shell
# between, so only process start-up and the work itself count). Prints medians and ratios of
# medians, and the difference to the hello-world.
#   benches/startup.sh                       # builds and measures the `dist` profile
#   PROFILE=release RUNS=500 benches/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${PROFILE:-dist}"
runs="${RUNS:-300}"
file=fixtures/mappings/unleash-correct.json
command -v hyperfine >/dev/null || { echo "startup.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
bin=$(benches/build.sh "$profile")   # as it ships (glibc linked statically on glibc Linux)
json=$(mktemp)
hello=$(mktemp -d)
trap 'rm -rf "$json" "$hello"' EXIT
printf 'fn main() {\n    println!("hello");\n}\n' >"$hello/hello.rs"
rustc -O -C strip=symbols -o "$hello/hello" "$hello/hello.rs"
hyperfine -N --style none --warmup 20 --runs "$runs" --export-json "$json" \
    true "$hello/hello" "$bin --version" "cat $file" "$bin lint --profile unleash $file" >/dev/null
python3 - "$json" "$bin" "$file" "$hello/hello" <<'PY'
import json, os, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
binary, file, hello = sys.argv[2], sys.argv[3], sys.argv[4]
med = lambda c: r[c]["median"] * 1e3
print(f"binary {binary}: {os.path.getsize(binary):,} bytes ({os.path.getsize(binary) / 2**20:.1f} MiB)")
version = f"{binary} --version"
print(f"--version minus hello-world: {med(version) - med(hello):+.2f} ms (medians; target: at most +1 ms)")
pairs = [("true", version), (hello, version), (f"cat {file}", f"{binary} lint --profile unleash {file}")]
for base, cmd in pairs:
    print(f"{cmd}: median {med(cmd):.2f} ms (min {r[cmd]['min'] * 1e3:.2f}); "
          f"{base}: {med(base):.2f} ms (min {r[base]['min'] * 1e3:.2f}); ratio {med(cmd) / med(base):.2f}x")
PY
