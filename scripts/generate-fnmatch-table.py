#!/usr/bin/env python3
"""Writes packages/core/test/fixtures/fnmatch-python.json: Python's own answers to
fnmatch.fnmatchcase(name, pattern) for a few hundred name/pattern pairs, which the SDK's glob
module is tested against (the test reads the table; it never runs Python).

Run from the repository root: python3 scripts/generate-fnmatch-table.py
The pairs are a hand-picked list of bracket edge cases plus seeded random patterns over an
alphabet rich in special characters, so the output is the same on every run of one Python.
"""
import fnmatch
import json
import random
import sys
import warnings

# Nested-set FutureWarnings from the re module are irrelevant to the answers.
warnings.simplefilter("ignore", FutureWarning)

NAMES = [
    "", "a", "b", "z", "A", "!", "]", "[", "-", "^", "\\", "?", "*", "&", "~", "|", ".", "/",
    "ab", "a]", "]a", "a-", "-a", "!a", "a!", "^a", "a.b", "a/b", "abc", "a\nb", "\n",
    "é", "日本", "x[y]", "[]", "[!]]", "a*b", "a?b", "data.nwb", "sub-01_ses-1.nwb", "0.1",
]

PATTERNS = [
    "*", "?", "??", "a*", "*a", "*a*", "a*b*c", "**", "a**b",
    "[]]", "[]a]", "[!]]", "[!]a]", "[]-a]", "[]-]", "[]", "[!]", "[", "]", "[]", "[!", "[]!]",
    "[z-a]", "[!z-a]", "[a-z]", "[A-z]", "[z-a!]", "[z-a!b]", "[z-a!-c]", "[az-ab]", "[a-b-c]",
    "[a-]", "[-a]", "[!-a]", "[--a]", "[a--]", "[^a]", "[!^a]", "[[]", "[[a]", "[\\]", "[\\-a]",
    "[a\\]", "[&&a]", "[~~]", "[||]", "[.]", "[*]", "[?]", "[/]", "a[]]b", "a[!]]b", "[!a-z]*",
    "[0-3].[!2]", "sub-*_ses-?.nwb", "*.nwb", "[é]", "[à-ü]", "[日-本]", "\\", "\\*", "a\\b",
    "[a-a]", "[b-a]", "[a-b][b-a]", "[ab-]", "[!-]", "[!!]", "[]!-a]", "[ -~]", "[!\\]]",
]

ALPHABET = list("ab]![-^\\*?z.") + ["A"]


def random_pattern(rng):
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))


def random_name(rng):
    return "".join(rng.choice("ab]![-^\\z.A") for _ in range(rng.randint(0, 4)))


def main():
    rng = random.Random(20260517)
    pairs = []
    for pattern in PATTERNS:
        for name in rng.sample(NAMES, 8):
            pairs.append((name, pattern))
        # A name the pattern is likely to match: the pattern's own characters.
        pairs.append((pattern.strip("[]!") or "a", pattern))
    for _ in range(260):
        pattern = random_pattern(rng)
        pairs.append((random_name(rng), pattern))
        pairs.append((pattern.replace("*", "").replace("?", "a").replace("[", "").replace("]", "") or "a", pattern))
    seen = set()
    cases = []
    for name, pattern in pairs:
        if (name, pattern) in seen:
            continue
        seen.add((name, pattern))
        cases.append([name, pattern, fnmatch.fnmatchcase(name, pattern)])
    table = {
        "generator": "scripts/generate-fnmatch-table.py",
        "python": sys.version.split()[0],
        "function": "fnmatch.fnmatchcase(name, pattern)",
        "cases": cases,
    }
    # One case a line, so a change of Python's answers reads as a small diff.
    header = {k: v for k, v in table.items() if k != "cases"}
    lines = [json.dumps(case, ensure_ascii=False) for case in cases]
    with open("packages/core/test/fixtures/fnmatch-python.json", "w", encoding="utf-8") as out:
        out.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [\n')
        out.write(",\n".join(lines))
        out.write("\n]}\n")
    print(f"{len(cases)} cases, {sum(1 for c in cases if c[2])} matching", file=sys.stderr)


if __name__ == "__main__":
    main()
