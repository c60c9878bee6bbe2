"""Shared by the bench scripts: synthetic corpora made from the real page, machine facts, tables, JSON results.

Synthetic replicas: the shipped page (five articles) is copied N/5 times, and each copy has its district names, person
names and numbers (not dates) substituted from fixed lists by the copy's number, so no two copies are identical and
every copy still reads, splits and dates like a real page.  Every script says when it uses them.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
CMRC = SHARED / "eval" / "cmrc2018_trial.json"
CMRC_CREDIT = "CMRC 2018 trial set (CC BY-SA 4.0; Cui et al., EMNLP 2019)"
SEED_QUESTIONS = SHARED / "eval" / "seed_questions.jsonl"

_DISTRICTS = ["金水区", "二七区", "中原区", "惠济区", "上街区", "巩义市", "荥阳市", "新郑市", "登封市", "新密市", "中牟县",
              "郑东新区", "航空港区", "高新区", "经开区"]  # fmt: skip
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建红晶亮鑫宁博文雪琳瑶浩宇轩然"
_PEOPLE = ["虎强", "柴琳琳", "姜璞", "黄帅", "刘博闻"]  # the real page's people, replaced in every copy
_NUMBER = re.compile(r"\d+(?![\d年月日时点])")  # amounts, counts; dates and clock times stay valid


def _person(i: int, j: int) -> str:
    n = i * 7 + j * 131
    return _SURNAMES[n % len(_SURNAMES)] + _GIVEN[(n // 3) % len(_GIVEN)] + _GIVEN[(n // 11 + j) % len(_GIVEN)]


def replica(text: str, i: int) -> str:
    """Copy ``i`` of a page: district, people and amounts substituted; copy 0 is the page itself."""
    if i == 0:
        return text
    text = text.replace("管城回族区", _DISTRICTS[i % len(_DISTRICTS)] + ("" if i < len(_DISTRICTS) else f"第{i}片区"))
    for j, name in enumerate(_PEOPLE):
        text = text.replace(name, _person(i, j))
    return _NUMBER.sub(lambda m: str(int(m.group()) + i), text)


def write_replica_corpus(folder: Path, articles: int) -> int:
    """Write ceil(articles / 5) pages into ``folder``; returns the number of pages."""
    pages = sorted(CORPUS.glob("*.txt"))
    source = pages[0]
    text = source.read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    n_pages = max(1, -(-articles // 5))
    stem = source.stem.replace("guancheng", "replica")
    for i in range(n_pages):
        (folder / f"{stem}_{i:05d}.txt").write_text(replica(text, i), encoding="utf-8")
    return n_pages


def machine() -> dict:
    """What the figures depend on, printed with every table."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "load_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(), "time": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip


def machine_line(facts: dict | None = None) -> str:
    f = facts or machine()
    return (f"machine: {f['cpu']}, {f['cores']} cores usable; load average (1 min) {f['load_1m']} at {f['time']}"
            " — a load above the core count means other processes shared the CPU and slowed these figures")


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table with right-aligned numbers; floats keep the precision they were formatted with."""
    cells = [[str(c) for c in headers]] + [[c if isinstance(c, str) else f"{c}" for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def fmt(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))

    return "\n".join([fmt(cells[0]), "  ".join("-" * w for w in widths)] + [fmt(r) for r in cells[1:]])


def save(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def percentiles(samples: list[float]) -> dict:
    import numpy as np

    a = np.asarray(samples, dtype=np.float64) * 1000  # ms
    return {"n": len(a), "p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95)),
            "p99_ms": float(np.percentile(a, 99))}  # fmt: skip


# ---- a running app.py (bench/latency.py, bench/load.py) --------------------------------------------------------------
def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    """Return once ``url`` serves Gradio's API info; RuntimeError (with the server log's tail) if it exits or stalls."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited ({proc.returncode}) while starting:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/gradio_api/info", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"app.py did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL if the server has not exited within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
