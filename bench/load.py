"""Load: concurrent clients ask the web app's ``/ask`` API while another process rebuilds the index under it.

Builds an index over a temporary copy of the corpus, starts ``app.py`` on 127.0.0.1 (a free port) over it, and runs
``--clients`` threads that ask the seed questions (../shared/eval/seed_questions.jsonl) back to back for ``--seconds``
through Gradio's HTTP API (POST /gradio_api/call/ask, then read the event stream).  ``--rebuild-at`` seconds in, an
article is added to the corpus copy and ``python -m assistant index --rebuild`` runs against the same index folder.

Prints requests, failures, p50/p95/p99 latency and throughput before, during and after the rebuild, the rebuild's
duration, and whether the new article is answered once the rebuild is done.  A failure is a transport error, an error
event, a timeout or a malformed answer; a refusal ("no answer in the corpus") is counted apart, not as a failure.
Exit status 1 when any request failed or the rebuild did not succeed.

Bounded: clients stop asking at the deadline, each request has a timeout, and the server is stopped at the end (also on
Ctrl-C).  Loopback only: the server is started with --host 127.0.0.1 and nothing else is contacted.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--rebuild-at 15] [--json bench/results/load.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import numpy as np

import common  # bench/common.py: this script's folder is on sys.path when it runs

ROOT = Path(__file__).resolve().parents[1]
SEED_QUESTIONS = ROOT.parent / "shared" / "eval" / "seed_questions.jsonl"
HOST = "127.0.0.1"
NEW_FILE = "load_bench_food_check.txt"
NEW_TITLE = "市场监管局开展节前食品安全检查"
NEW_QUESTION = "市场监管局节前检查了哪些食品？"
NEW_ARTICLE = f"""{NEW_TITLE}

本报讯 6月20日上午，管城回族区市场监管局对辖区商超开展节前食品安全专项检查，重点查看粽子等节令食品的进货查验记录。

检查组要求，各经营单位要严格落实食品安全主体责任。

记者 王小明 通讯员 李华
"""


@dataclass(frozen=True)
class Record:
    start: float  # seconds since the clients started
    seconds: float
    ok: bool
    refused: bool = False
    error: str = ""


@dataclass
class Rebuild:
    start: float | None = None  # seconds since the clients started
    end: float | None = None
    exit_code: int | None = None
    output: str = ""

    @property
    def seconds(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start


# ------------------------------------------------------------------------------------------------------- plumbing


def cli_env(corpus: Path, index_dir: Path, year: int) -> dict[str, str]:
    return {**os.environ, "ASSISTANT_CORPUS": str(corpus), "ASSISTANT_INDEX_DIR": str(index_dir),
            "ASSISTANT_YEAR": str(year)}


def build_index(env: dict[str, str], *args: str) -> tuple[int, float, str]:
    """(exit code, seconds, stderr tail) of `python -m assistant index --quiet ARGS`."""
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "assistant", "index", "--quiet", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=1800)
    return out.returncode, time.monotonic() - t0, (out.stdout + out.stderr)[-2000:]


def start_server(port: int, corpus: Path, index_dir: Path, year: int, log: Path) -> subprocess.Popen:
    cmd = [sys.executable, str(ROOT / "app.py"), "--host", HOST, "--port", str(port), "--corpus", str(corpus),
           "--index-dir", str(index_dir), "--year", str(year)]
    with log.open("w") as f:  # a file, not a pipe: a chatty server never blocks on a full pipe
        return subprocess.Popen(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)


# --------------------------------------------------------------------------------------------------------- asking


def ask(http: httpx.Client, question: str) -> dict:
    """One call of the `/ask` API; returns the answer JSON or raises RuntimeError/httpx.HTTPError."""
    r = http.post("/gradio_api/call/ask", json={"data": [question]})
    r.raise_for_status()
    event_id = r.json()["event_id"]
    event = None
    with http.stream("GET", f"/gradio_api/call/ask/{event_id}") as stream:
        stream.raise_for_status()
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line[len("event:"):].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                data = json.loads(line[len("data:"):])
                if event == "error":
                    raise RuntimeError(f"error event: {data}")
                return data[0]
    raise RuntimeError(f"the event stream ended without a result (last event {event!r})")


def check(answer: dict) -> bool:
    """Is this a well-formed answer?  Returns whether it is a refusal; raises RuntimeError if malformed."""
    if not isinstance(answer, dict) or not isinstance(answer.get("answer"), str) or not answer["answer"]:
        raise RuntimeError(f"malformed answer: {str(answer)[:200]}")
    citations = answer.get("citations")
    if not isinstance(citations, list) or bool(answer.get("refused")) != (not citations):
        raise RuntimeError(f"refused/citations disagree: {str(answer)[:200]}")
    for c in citations:
        if not (isinstance(c.get("start"), int) and c["start"] < c["end"] and c.get("text")
                and f"[{c['n']}]" in answer["answer"]):
            raise RuntimeError(f"malformed citation: {str(c)[:200]}")
    return bool(answer["refused"])


def client(n: int, url: str, questions: list[str], t0: float, stop_at: float, timeout: float,
           records: list[Record]) -> None:
    with httpx.Client(base_url=url, timeout=timeout) as http:
        k = n  # clients start at different questions
        while time.monotonic() < stop_at:
            question = questions[k % len(questions)]
            k += 1
            start = time.monotonic()
            try:
                refused = check(ask(http, question))
                records.append(Record(start - t0, time.monotonic() - start, True, refused))
            except (httpx.HTTPError, RuntimeError, ValueError, KeyError) as exc:
                records.append(Record(start - t0, time.monotonic() - start, False,
                                      error=f"{type(exc).__name__}: {str(exc)[:160]}"))


def rebuild_later(delay: float, t0: float, corpus: Path, env: dict[str, str], result: Rebuild,
                  stop_event: threading.Event) -> None:
    if stop_event.wait(delay):
        return
    (corpus / NEW_FILE).write_text(NEW_ARTICLE, encoding="utf-8")
    result.start = time.monotonic() - t0
    result.exit_code, _, result.output = build_index(env, "--rebuild")
    result.end = time.monotonic() - t0


# -------------------------------------------------------------------------------------------------------- reporting


def summarise(records: list[Record]) -> dict:
    done = [r for r in records if r.ok]
    lat = np.array([r.seconds for r in done]) * 1000  # (n_ok,) milliseconds
    span = (max(r.start + r.seconds for r in records) - min(r.start for r in records)) if records else 0.0
    pct = (lambda p: float(np.percentile(lat, p))) if len(lat) else (lambda p: float("nan"))
    return {"requests": len(records), "failures": len(records) - len(done), "refused": sum(r.refused for r in done),
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": float(lat.max()) if len(lat) else 0.0,
            "per_second": len(done) / span if span else 0.0}


def table(rows: dict[str, dict]) -> str:
    head = f"{'phase':<16}{'requests':>9}{'failures':>9}{'refused':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}" \
           f"{'max ms':>9}{'req/s':>8}"
    lines = [head, "-" * len(head)]
    for name, s in rows.items():
        lines.append(f"{name:<16}{s['requests']:>9}{s['failures']:>9}{s['refused']:>8}{s['p50_ms']:>9.0f}"
                     f"{s['p95_ms']:>9.0f}{s['p99_ms']:>9.0f}{s['max_ms']:>9.0f}{s['per_second']:>8.2f}")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50, help="concurrent clients (default: 50)")
    ap.add_argument("--seconds", type=float, default=60, help="how long the clients keep asking (default: 60)")
    ap.add_argument("--rebuild-at", type=float,
                    help="seconds in when the rebuild starts (default: a quarter of the run)")
    ap.add_argument("--timeout", type=float, default=180, help="per request, seconds (default: 180)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus", help="corpus to copy (default: corpus/)")
    ap.add_argument("--questions", type=Path, default=SEED_QUESTIONS, help="JSONL with a 'question' per line")
    ap.add_argument("--year", type=int, default=2021)
    ap.add_argument("--startup-timeout", type=float, default=600, help="seconds to wait for the server")
    ap.add_argument("--json", type=Path, help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (server log, index)")
    ap.add_argument("--serve-index", type=Path,
                    help="serve this prebuilt index over --corpus in place (no copy, no build, no rebuild), e.g. the "
                         "100k index that bench/scale.py --keep leaves")
    args = ap.parse_args()
    if not (1 <= args.clients <= 500 and 0 < args.seconds <= 3600):
        ap.error("--clients must be 1..500 and --seconds 0..3600")
    rebuild_at = args.seconds / 4 if args.rebuild_at is None else args.rebuild_at
    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    if args.serve_index:
        rebuild_at = args.seconds + 60  # never: the clients stop first, and then the rebuild is called off

    tmp = Path(tempfile.mkdtemp(prefix="load-bench-"))
    corpus, index_dir, log = tmp / "corpus", tmp / "index", tmp / "server.log"
    if args.serve_index:
        corpus, index_dir = args.corpus, args.serve_index
    else:
        shutil.copytree(args.corpus, corpus)
    env = cli_env(corpus, index_dir, args.year)
    server = None
    try:
        if not args.serve_index:
            code, seconds, output = build_index(env)
            if code != 0:
                sys.exit(f"the initial build failed:\n{output}")
            print(f"initial index built in {seconds:.1f} s", flush=True)
        port = common.free_port(HOST)
        url = f"http://{HOST}:{port}"
        t_start = time.monotonic()
        server = start_server(port, corpus, index_dir, args.year, log)
        try:
            common.wait_until_up(url, server, args.startup_timeout, log)
        except RuntimeError as exc:
            sys.exit(str(exc))
        with httpx.Client(base_url=url, timeout=args.timeout) as http:
            check(ask(http, questions[0]))  # warm-up: the first answer loads what is lazily loaded
        print(f"server up on {url} in {time.monotonic() - t_start:.1f} s; {args.clients} clients for "
              f"{args.seconds:.0f} s, rebuild at {rebuild_at:.0f} s", flush=True)

        records: list[Record] = []
        rebuild = Rebuild()
        stop_event = threading.Event()
        t0 = time.monotonic()
        stop_at = t0 + args.seconds
        threads = [threading.Thread(target=client, args=(i, url, questions, t0, stop_at, args.timeout, records))
                   for i in range(args.clients)]
        rebuilder = threading.Thread(target=rebuild_later, args=(rebuild_at, t0, corpus, env, rebuild, stop_event))
        for t in [*threads, rebuilder]:
            t.start()
        for t in threads:
            t.join()
        if rebuild.start is None:
            stop_event.set()  # the run ended before the rebuild was due
        rebuilder.join()
        wall = time.monotonic() - t0

        new_answered = None
        if rebuild.exit_code == 0:
            with httpx.Client(base_url=url, timeout=args.timeout) as http:
                answer = ask(http, NEW_QUESTION)
            new_answered = any(c.get("title") == NEW_TITLE for c in answer.get("citations", []))
    finally:
        if server is not None:
            common.stop(server)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = {"all": summarise(records)}
    if rebuild.start is not None:
        end = rebuild.end if rebuild.end is not None else float("inf")
        phases = {"before rebuild": [r for r in records if r.start < rebuild.start],
                  "during rebuild": [r for r in records if rebuild.start <= r.start < end],
                  "after rebuild": [r for r in records if r.start >= end]}
        rows = {**{k: summarise(v) for k, v in phases.items() if v}, **rows}
    print()
    print(table(rows))
    print()
    print(f"clients {args.clients}, run {wall:.1f} s (asking {args.seconds:.0f} s, then the last answers), "
          f"{os.cpu_count()} CPU(s)")
    if rebuild.start is None:
        print("rebuild: did not start (the run was shorter than --rebuild-at)")
    else:
        print(f"rebuild: started at {rebuild.start:.1f} s, took {rebuild.seconds:.1f} s, exit {rebuild.exit_code}; "
              f"new article answered afterwards: {'yes' if new_answered else 'NO' if new_answered is False else '-'}")
        if rebuild.exit_code != 0:
            print(rebuild.output)
    errors: dict[str, int] = {}
    for r in records:
        if not r.ok:
            errors[r.error] = errors.get(r.error, 0) + 1
    for error, n in sorted(errors.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {n} x {error}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"clients": args.clients, "seconds": args.seconds, "phases": rows,
                                         "rebuild": {**asdict(rebuild), "seconds": rebuild.seconds},
                                         "new_article_answered": new_answered, "errors": errors},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    failed = rows["all"]["failures"] > 0 or (rebuild.start is not None and rebuild.exit_code != 0)
    return 1 if failed or new_answered is False else 0


if __name__ == "__main__":
    sys.exit(main())
