"""Run every benchmark in turn, one process each, and print their tables (what `make bench` does).

Each script compares against its own baseline measured in the same run and writes bench/results/<name>.json.  They run
one after another, never side by side: on two cores a second benchmark would halve the first one's figures.
Takes about 50 minutes here; ``--quick`` (smaller sizes, fewer questions) about 10.

    .venv/bin/python bench/run_all.py [--quick] [--only indexing latency ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (full arguments, quick arguments)
BENCHES: dict[str, tuple[list[str], list[str]]] = {
    "indexing": ([], ["--articles", "30", "--repeats", "1"]),
    "latency": ([], ["--sizes", "5", "1000", "--asks", "20", "--api-asks", "10"]),
    "quality": ([], ["--limit", "200", "--no-langchain"]),
    "ann": ([], ["--sizes", "100000", "--queries", "100"]),
    "model_retrieval": ([], ["--limit", "200"]),
    "load": ([], ["--clients", "10", "--seconds", "20"]),  # default: 50 clients for 60 s, a rebuild midway
    "noise": ([], ["--limit", "5"]),  # needs ../shared/archive
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Each script also has its own --help.")  # fmt: skip
    p.add_argument("--quick", action="store_true", help="smaller sizes and fewer questions (a smoke run)")
    p.add_argument("--only", nargs="+", choices=list(BENCHES), help="run only these")
    args = p.parse_args(argv)
    failed = []
    for name in args.only or BENCHES:
        extra = BENCHES[name][1 if args.quick else 0]
        print(f"\n== bench/{name}.py {' '.join(extra)}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra]).returncode
        print(f"== {name}: {'ok' if code == 0 else f'exit {code}'} in {time.perf_counter() - t0:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
