#!/usr/bin/env python3
"""Generates the big inputs of the scaling bench (benches/scaling.sh) and of manual hostile-input
runs. Nothing it writes is committed: the files are regenerated on demand.

    benches/gen_big.py KIND N OUT

KIND (N is a count, or megabytes for the `export-*` kinds):
  json-keys          one Graph attributeMapping with N extra keys (the duplicate-key check)
  yaml-keys          a YAML mapping of N keys (refused as not a mapping file, after reading it)
  json-mappings      a Graph objectMapping with N attribute mappings, all to different targets
  yaml-mappings      an entramap YAML object with N mappings, all to different targets
  yaml-suppressions  YAML with N mappings, each under an `# entramap: ignore[...]` comment
  export-objects     a Graph schema export of about N MB: the default SCIM user object mapping
                     (fixtures/mappings/scim-default-user-100k.json) repeated under new names
  export-mappings    a Graph schema export of about N MB: one object mapping whose attribute
                     mappings are the default ones repeated with numbered targets
"""

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT = os.path.join(HERE, "..", "fixtures", "mappings", "scim-default-user-100k.json")


def attribute_mapping(target, source_attr):
    return {
        "defaultValue": None,
        "exportMissingReferences": False,
        "flowBehavior": "FlowWhenChanged",
        "flowType": "Always",
        "matchingPriority": 0,
        "source": {
            "expression": f"[{source_attr}]",
            "name": source_attr,
            "parameters": [],
            "type": "Attribute",
        },
        "targetAttributeName": target,
    }


def json_keys(n):
    m = attribute_mapping("userName", "userPrincipalName")
    for i in range(n):
        m[f"k{i}"] = i
    return json.dumps([m])


def yaml_keys(n):
    return "".join(f"k{i}: {i}\n" for i in range(n))


def json_mappings(n):
    # As small as a mapping gets, so that 100,000 of them stay under the 10 MB file limit.
    mappings = [{"targetAttributeName": f"a{i}", "source": {"type": "Attribute", "name": "mail"}}
                for i in range(n)]
    return json.dumps({"name": "bench", "sourceObjectName": "User", "targetObjectName": "User",
                       "attributeMappings": mappings}, separators=(",", ":"))


def yaml_mappings(n, suppress):
    out = ["name: bench\nsource: User\ntarget: User\nmappings:\n"]
    for i in range(n):
        if suppress:
            out.append("  # entramap: ignore[unknown-target-attribute]\n")
        out.append(f"  - target: a{i}\n    source: '[mail]'\n")
    return "".join(out)


def export(megabytes, many_objects):
    """About `megabytes` MB (10**6 bytes) of export; the count is found from two trial runs."""
    small, big = len(export_of(10, many_objects)), len(export_of(110, many_objects))
    each = (big - small) / 100
    count = max(1, int((megabytes * 1_000_000 - (small - 10 * each)) / each))
    return export_of(count, many_objects)


def export_of(count, many_objects):
    with open(EXPORT, encoding="utf-8") as f:
        doc = json.load(f)
    rule = doc["synchronizationRules"][0]
    user = copy.deepcopy(rule["objectMappings"][0])
    base = user["attributeMappings"]
    if many_objects:
        objects = []
        for i in range(count):
            o = copy.deepcopy(user)
            o["name"] = f"Provision users, copy {i}"
            objects.append(o)
        rule["objectMappings"] = objects
    else:
        mappings = []
        for i in range(count):
            m = copy.deepcopy(base[i % len(base)])
            m["targetAttributeName"] = f"{m['targetAttributeName']}{i}"
            mappings.append(m)
        user["attributeMappings"] = mappings
        rule["objectMappings"] = [user]
    return json.dumps(doc, indent=2)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    kind, n, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    if not kind.startswith("export"):
        n = int(n)
    makers = {
        "json-keys": lambda: json_keys(n),
        "yaml-keys": lambda: yaml_keys(n),
        "json-mappings": lambda: json_mappings(n),
        "yaml-mappings": lambda: yaml_mappings(n, False),
        "yaml-suppressions": lambda: yaml_mappings(n, True),
        "export-objects": lambda: export(float(n), True),
        "export-mappings": lambda: export(float(n), False),
    }
    if kind not in makers:
        sys.exit(f"unknown KIND {kind!r}; one of: {', '.join(makers)}")
    with open(out, "w", encoding="utf-8") as f:
        f.write(makers[kind]())


if __name__ == "__main__":
    main()
