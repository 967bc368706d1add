"""Packaged build: build time, bundle size, and start-up of the bundle vs the same start from
source, measured in the same run.

    .venv/bin/python bench/bench_bundle.py            # reuse dist/motcua if present
    .venv/bin/python bench/bench_bundle.py --build    # build first (timed)

Start-up = a new process until the login window takes input: `motcua --data-dir D` (no command
opens the counter window) on an initialised demo counter, offscreen, with
MOTCUA_GUI_EXIT_WHEN_READY=1 (ui/app.py prints `MOTCUA_READY <epoch>` after one turn of the
event loop with the login window shown, then closes). The time is from just before the spawn
to that line; process exit is measured too. Runs alternate source/bundle so both see the same
machine state; the first run of each is reported apart (file cache cold for the bundle after a
build). When the GUI is not available the CLI start (`--help`) is measured instead, and said so.

The command line is measured too (issue 15): `motcua --version` and `motcua list` on the same
demo counter, new process to exit, bundle vs source alternating.

Budgets: bundle <= 150 MB unpacked (120 MB reachable), window start <= 1.5x source (issue 7),
CLI start <= 1.2x source (issue 15). Results also go to bench/out/bench_bundle.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "motcua"
OUT = ROOT / "bench" / "out"
SIZE_BUDGET_MB, SIZE_REACHABLE_MB, START_RATIO_BUDGET = 170, 120, 1.5  # as packaging/build.py
CLI_RATIO_BUDGET = 1.2
CLI_COMMANDS = {"version": ["--version"], "list": ["list"]}


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def exe() -> Path:
    return BUNDLE / ("motcua.exe" if sys.platform == "win32" else "motcua")


def one_start(cmd: list[str], env: dict[str, str]) -> tuple[float, float, bool]:
    """(seconds to ready, seconds to exit, saw the READY line)."""
    t0 = time.time()
    p0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    total = time.perf_counter() - p0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} exited {proc.returncode}: {proc.stderr[-800:]}")
    for line in proc.stdout.splitlines():
        if line.startswith("MOTCUA_READY "):
            return float(line.split()[1]) - t0, total, True
    return total, total, False


def cli_starts(exe_path: Path, data: Path, env: dict[str, str], runs: int
               ) -> dict[str, dict[str, float]]:
    """Median seconds from spawn to exit of each CLI_COMMANDS entry, source and bundle, runs
    alternating (after one warm-up run of each); plus the ratio bundle / source."""
    out: dict[str, dict[str, float]] = {}
    for name, args in CLI_COMMANDS.items():
        tail = ["--data-dir", str(data), *args] if name != "version" else args
        cmds = {"source": [sys.executable, "-m", "app", *tail], "bundle": [str(exe_path), *tail]}
        times: dict[str, list[float]] = {"source": [], "bundle": []}
        for i in range(runs + 1):
            for which in (("bundle", "source") if i % 2 else ("source", "bundle")):
                _ready, total, _seen = one_start(cmds[which], env)
                if i:
                    times[which].append(total)
        src, bun = statistics.median(times["source"]), statistics.median(times["bundle"])
        out[name] = {"source_s": round(src, 3), "bundle_s": round(bun, 3),
                     "source_min_s": round(min(times["source"]), 3),
                     "bundle_min_s": round(min(times["bundle"]), 3),
                     "ratio": round(bun / src, 2)}
    return out


def gui_available() -> bool:
    import inspect

    import app.cli

    try:
        import app.gui
    except ImportError:
        return False
    return "run_gui" in inspect.getsource(app.cli.main)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", action="store_true", help="build the bundle first (timed)")
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args(argv)
    result: dict = {"python": sys.version.split()[0], "platform": sys.platform}

    if args.build or not exe().exists():
        t = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--no-archive"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        result["build_seconds"] = round(time.perf_counter() - t, 1)
    elif (ROOT / "dist" / "motcua-build.json").exists():
        built = json.loads((ROOT / "dist" / "motcua-build.json").read_text())
        result["build_seconds"] = built.get("build_seconds")
        result["build_seconds_note"] = "from dist/motcua-build.json (not rebuilt)"
    result["bundle_mb"] = round(folder_mb(BUNDLE), 1)

    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as t:
        data = Path(t) / "data"
        from app import demo

        demo.prepare(data)  # initialised counter: the login window, not the first-run wizard
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MOTCUA_GUI_EXIT_WHEN_READY": "1",
               "HOME": t, "MOTCUA_LOG_DIR": str(Path(t) / "logs")}
        env.pop("MOTCUA_DATA_DIR", None)
        gui = gui_available()
        tail = ["--data-dir", str(data)] if gui else ["--help"]
        result["measured"] = "start to login window (MOTCUA_READY)" if gui else \
            "CLI start to --help (the GUI launcher is not wired yet)"
        cmds = {"source": [sys.executable, "-m", "app", *tail], "bundle": [str(exe()), *tail]}
        runs: dict[str, list[tuple[float, float, bool]]] = {"source": [], "bundle": []}
        for i in range(args.runs + 1):
            for name in (("bundle", "source") if i % 2 else ("source", "bundle")):
                runs[name].append(one_start(cmds[name], env))
        cli_env = {**env, "PYTHONPATH": str(ROOT)}
        cli_env.pop("MOTCUA_GUI_EXIT_WHEN_READY", None)
        result["cli"] = cli_starts(exe(), data, cli_env, args.runs)
    for name, items in runs.items():
        first, rest = items[0], items[1:]
        result[name] = {
            "first_ready_s": round(first[0], 3),
            "ready_median_s": round(statistics.median(r[0] for r in rest), 3),
            "ready_min_s": round(min(r[0] for r in rest), 3),
            "exit_median_s": round(statistics.median(r[1] for r in rest), 3),
            "saw_ready_line": all(r[2] for r in items),
        }
    ratio = result["bundle"]["ready_median_s"] / result["source"]["ready_median_s"]
    result["start_ratio_bundle_vs_source"] = round(ratio, 2)
    result["budgets"] = {"size_ok": result["bundle_mb"] <= SIZE_BUDGET_MB,
                         "size_reachable_ok": result["bundle_mb"] <= SIZE_REACHABLE_MB,
                         "start_ok": ratio <= START_RATIO_BUDGET,
                         "cli_start_ok": all(c["ratio"] <= CLI_RATIO_BUDGET
                                             for c in result["cli"].values())}

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_bundle.json").write_text(json.dumps(result, indent=2))
    print(f"measured: {result['measured']}")
    if result.get("build_seconds") is not None:
        print(f"build time            {result['build_seconds']} s")
    print(f"bundle size           {result['bundle_mb']} MB (budget {SIZE_BUDGET_MB}, "
          f"reachable {SIZE_REACHABLE_MB})")
    for name in ("source", "bundle"):
        r = result[name]
        print(f"{name:<7} start median {r['ready_median_s'] * 1000:6.0f} ms  min "
              f"{r['ready_min_s'] * 1000:6.0f} ms  first {r['first_ready_s'] * 1000:6.0f} ms  "
              f"(exit {r['exit_median_s'] * 1000:.0f} ms)")
    print(f"bundle / source       {ratio:.2f}x (budget {START_RATIO_BUDGET}x)")
    for name, c in result["cli"].items():
        print(f"CLI {name:<8} source {c['source_s'] * 1000:5.0f} ms  bundle {c['bundle_s'] * 1000:5.0f} ms"
              f"  (min {c['source_min_s'] * 1000:.0f} / {c['bundle_min_s'] * 1000:.0f})  "
              f"{c['ratio']:.2f}x (budget {CLI_RATIO_BUDGET}x)")
    b = result["budgets"]
    return 0 if b["size_ok"] and b["start_ok"] and b["cli_start_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
