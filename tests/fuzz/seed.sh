#!/usr/bin/env bash
# Fills tests/fuzz/corpus/<target>/ with seeds taken from the fixtures (the corpus itself is not
# committed). Run from anywhere; idempotent.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
corpus="$here/corpus"
mkdir -p "$corpus"/{parse,load_json,load_yaml,eval,lint}

n=0
seed() { # target file
  n=$((n + 1))
  cp "$2" "$corpus/$1/seed-$n"
}

for f in "$root"/fixtures/parse/*/*.expr; do seed parse "$f"; done
while IFS= read -r -d '' f; do
  case "$f" in
    *.json) seed load_json "$f"; seed lint "$f" ;;
    *.yaml) seed load_yaml "$f"; seed lint "$f" ;;
  esac
done < <(find "$root/fixtures/mappings" "$root/fixtures/lint" "$root/fixtures/bad" -type f -print0)

# Evaluation seeds: each conformance expression with a few typical attributes.
attrs='givenName=John
surname=Doe
mail=john@contoso.com
IsSoftDeleted=true
accountEnabled=false
proxyAddresses=SMTP:john@contoso.com|smtp:jd@contoso.com
department=Sales
employeeId=42
jobTitle'
grep -ho "^ *expr: .*" "$root"/fixtures/conformance/*.yaml | sed -e 's/^ *expr: //' |
  while IFS= read -r line; do
    # Unquote the YAML scalar: 'single quoted' or plain.
    case "$line" in
      \'*\') line="${line:1:${#line}-2}"; line="${line//\'\'/\'}" ;;
    esac
    n=$((n + 1))
    printf '%s\n%s\n' "$line" "$attrs" > "$corpus/eval/seed-$n"
    printf '%s' "$line" > "$corpus/parse/seed-$n"
  done
for t in parse load_json load_yaml eval lint; do
  echo "$t: $(ls "$corpus/$t" | wc -l) seeds"
done
