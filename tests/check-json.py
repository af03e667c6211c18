#!/usr/bin/env python3
# tests/check-json.py SCHEMA [FILE...]: every line of the files (or stdin)
# is one JSON object of a type docs/json-schema-1.json describes, with
# exactly its fields, each of its type. Prints what is wrong; exit 1 if
# anything is, 0 if every line holds (and there was at least one).
# SPDX-License-Identifier: GPL-3.0-or-later
import json
import sys

def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"

def fits(value, want):
    wants = want if isinstance(want, list) else [want]
    got = json_type(value)
    return got in wants or (got == "integer" and "number" in wants)

def check_line(schema, line, where):
    problems = []
    try:
        obj = json.loads(line)
    except ValueError as e:
        return [f"{where}: not JSON ({e}): {line[:120]}"]
    if not isinstance(obj, dict):
        return [f"{where}: not an object"]
    kind = obj.get("type")
    if kind not in schema or kind.startswith("$"):
        return [f"{where}: unknown type {kind!r}"]
    if obj.get("schema") != 1:
        problems.append(f"{where}: schema is {obj.get('schema')!r}, not 1")
    spec = schema[kind]
    for key, want in spec["required"].items():
        if key not in obj:
            problems.append(f"{where}: {kind} lacks {key!r}")
        elif not fits(obj[key], want):
            problems.append(f"{where}: {kind}.{key} is {json_type(obj[key])}, not {want}")
    for key, value in obj.items():
        if key in spec["required"]:
            continue
        if key not in spec["optional"]:
            problems.append(f"{where}: {kind} has an undocumented field {key!r}")
        elif not fits(value, spec["optional"][key]):
            problems.append(f"{where}: {kind}.{key} is {json_type(value)}, not {spec['optional'][key]}")
    if kind == "lab":
        for row in obj.get("rows", []):
            for cell in row:
                if json_type(cell) not in ("string", "integer", "number", "null"):
                    problems.append(f"{where}: a lab cell is {json_type(cell)}")
    return problems

def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    files = sys.argv[2:] or ["-"]
    problems, n = [], 0
    for name in files:
        stream = sys.stdin if name == "-" else open(name)
        for i, line in enumerate(stream, 1):
            if line.strip():
                n += 1
                problems += check_line(schema, line, f"{name}:{i}")
    for p in problems:
        print(p)
    if n == 0:
        print("no JSON line to check")
        return 1
    return 1 if problems else 0

sys.exit(main())
