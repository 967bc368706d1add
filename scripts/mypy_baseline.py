"""Type-check the project with mypy and hold the line on a shrinking baseline.

localdb/, signing/ and sync/ are checked strictly (pyproject.toml [tool.mypy] overrides); app/
and ui/ normally. Errors are counted per file and compared with scripts/mypy-baseline.json: a
file with more errors than its baseline fails the run (new code must type-check); a file with
fewer is reported so the baseline can be lowered with ``--update``, never raised by hand.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy-baseline.json"
PACKAGES = ["app", "ui", "localdb", "signing", "sync"]
STRICT = ("localdb/", "signing/", "sync/")  # no baseline: zero errors under --strict
_ERROR = re.compile(r"^(?P<file>[^:\s]+\.py):\d+: error:")


def run_mypy() -> tuple[Counter[str], str]:
    out = subprocess.run([sys.executable, "-m", "mypy", *PACKAGES], cwd=ROOT,
                         capture_output=True, text=True)
    counts: Counter[str] = Counter()
    for line in out.stdout.splitlines():
        m = _ERROR.match(line)
        if m:
            counts[m.group("file")] += 1
    return counts, out.stdout


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--update", action="store_true",
                   help="write the current counts as the baseline (only ever lower it)")
    args = p.parse_args(argv)
    counts, output = run_mypy()
    base: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    if args.update:
        raised = {f: n for f, n in counts.items() if n > base.get(f, 0)}
        if raised and BASELINE.exists():
            print("refusing to raise the baseline for: " + ", ".join(sorted(raised)))
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
        print(f"baseline: {sum(counts.values())} errors in {len(counts)} files")
        return 0
    base = {f: n for f, n in base.items() if not f.startswith(STRICT)}
    worse = {f: (n, base.get(f, 0)) for f, n in counts.items() if n > base.get(f, 0)}
    better = {f: (counts.get(f, 0), n) for f, n in base.items() if counts.get(f, 0) < n}
    if worse:
        for line in output.splitlines():
            m = _ERROR.match(line)
            if m and m.group("file") in worse:
                print(line)
        for f, (n, b) in sorted(worse.items()):
            print(f"mypy: {f}: {n} errors, baseline {b}")
        print("FAILED: new type errors (fix them; the baseline only shrinks)")
        return 1
    for f, (n, b) in sorted(better.items()):
        print(f"mypy: {f}: {n} errors, baseline {b} — lower it: python scripts/mypy_baseline.py --update")
    print(f"mypy: {sum(counts.values())} errors, none above the baseline "
          f"({sum(base.values())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
