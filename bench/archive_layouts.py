"""Turn the real news archives (../shared/archive) into the files newsrooms keep, plus a ground-truth file.

    python bench/archive_layouts.py LAYOUT OUT_DIR [--archive ../shared/archive] [--since YYYY-MM-DD]
                                    [--until YYYY-MM-DD] [--limit N] [--replicate N] [--truth PATH]

Layouts (what one output file holds, and its name under OUT_DIR):

    xwlb-daypage      one broadcast day per text file, ``xwlb_YYYYMMDD.txt``: page header line, then every item as
                      headline / blank line / text, items separated by a blank line
    xwlb-html         one web page per item, ``YYYY/MM/{id}.html`` (title, article:published_time, h1, <p> paragraphs,
                      nav and footer; half of the pages carry trailing boilerplate lines such as 责任编辑：… in the body).
                      Its canonical URL is ``https://news.cctv.com/YYYY/MM/DD/{id}.shtml``: unique per item (the
                      archive's video URL, kept in ``<meta name="video-url">``, is shared by the briefs of one
                      roundup), and it carries the record id, as the file path does, for readers that cite the URL
    xwlb-csv          a CMS export ``export.csv`` (UTF-8 with BOM; 标题,发布时间,栏目,正文,链接)
    jsonl-export      a CMS export ``export.jsonl`` (title, published_at, content, url, category); ``--source`` picks
                      the archive (xwlb, regional or both)
    regional-folders  one text file per regional article, ``YYYY/MM/DD/{id}.txt`` (``undated/{id}.txt`` when the
                      record has no date); no headline, the text as the archive has it
    regional-prefix   one text file per regional article, flat: ``{YYYYMMDD}_{id}.txt`` (``{id}.txt`` when undated)

Selection: ``--since``/``--until`` keep records whose own date lies in the closed range (records without a date are
dropped when either is given); ``--limit N`` keeps the first N selected records in archive order (xwlb.jsonl is in
broadcast order; regional_2023.jsonl is shuffled, so a limit there is a fixed pseudo-random sample).

``--replicate N`` writes exactly N articles by cycling the selected records: copy 0 is the record itself, copy k ≥ 1
gets id ``{id}-r{k}``, its dates moved back by whole years (5·k years for k ≤ 12, then repeating; years written in the
text move with them), place names rotated within fixed groups (provinces, cities, countries), reporters' names
replaced, and amounts that are not dates shifted — so a 100,000-article archive can be built from 25,000 records.
Copies of one record always differ in id and date, and in places, names and amounts wherever the text has them.
Everything is deterministic for a given ``--seed``; the ground truth gives each copy's id, date and title.

Ground truth: one JSON line per written article — ``id``, ``date`` (ISO or null), ``title`` (or null), ``file``
(relative to OUT_DIR), ``ordinal`` (1-based position inside multi-article files, else null), ``layout``.  It is written
OUTSIDE the corpus folder (a corpus must hold only news files): ``--truth PATH``, by default
``OUT_DIR/../{OUT_DIR name}_truth.jsonl``.  ``--truth-inside`` additionally writes ``OUT_DIR/_truth.jsonl`` for tools
that expect it there (the assistant skips ``.jsonl`` files, but says so).

Stdlib only; streams the archive (only the one that the layout needs is read).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import html
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

DEFAULT_ARCHIVE = Path(__file__).resolve().parents[2] / "shared" / "archive"
XWLB = "xwlb.jsonl"
REGIONAL = "regional_2023.jsonl"
LAYOUTS = ("xwlb-daypage", "xwlb-html", "xwlb-csv", "jsonl-export", "regional-folders", "regional-prefix")

# ---- deterministic variation (--replicate) ---------------------------------------------------------------------------
_GROUPS = [
    # provinces (names that rarely occur inside other words)
    ["河北", "山西", "辽宁", "黑龙江", "江苏", "浙江", "安徽", "福建", "山东", "河南", "湖北", "湖南", "广东", "四川",
     "贵州", "云南", "陕西", "甘肃", "青海", "海南"],
    # cities
    ["石家庄", "太原", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌", "济南", "郑州", "武汉", "长沙",
     "广州", "成都", "贵阳", "昆明", "西安", "兰州", "西宁", "南宁", "银川", "苏州", "宁波", "青岛", "厦门", "深圳",
     "无锡", "佛山", "温州", "大连", "洛阳", "宜宾", "绵阳", "泉州"],
    # countries
    ["法国", "德国", "意大利", "西班牙", "葡萄牙", "希腊", "荷兰", "比利时", "瑞士", "奥地利", "波兰", "匈牙利",
     "塞尔维亚", "埃及", "南非", "肯尼亚", "尼日利亚", "巴西", "阿根廷", "智利", "秘鲁", "墨西哥", "泰国", "越南",
     "老挝", "柬埔寨", "马来西亚", "新加坡", "印度尼西亚", "菲律宾", "哈萨克斯坦", "乌兹别克斯坦"],
]  # fmt: skip
_PLACE_INDEX = {name: (g, i) for g, group in enumerate(_GROUPS) for i, name in enumerate(group)}
_PLACE_RE = re.compile("|".join(sorted(map(re.escape, _PLACE_INDEX), key=len, reverse=True)))
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉玲建红晶亮鑫宁博文雪琳瑶浩宇轩然欣怡思远嘉晨"
# reporters / editors / correspondents as the sources credit them: 记者 张三、李四  （记者 王五）  编辑：赵六
_CREDIT_RE = re.compile(r"(?:记者|通讯员|编辑|撰文|摄影|摄)[\s：:|丨]*((?:[\u4e00-\u9fff]{2,3}(?:[、\s]+|(?=[）)\s，,。]|$)))+)")
_NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,3}")
# a credited "name" is renamed only when it starts with a common surname (不是「记者了解到，」的「了解到」)
_COMMON_SURNAMES = set(_SURNAMES + "洪庞樊兰殷施陶翟安倪严牛温芦季俞章鲁葛伍韦申尤毕聂焦向柳邢骆岳齐梅莫庄辛管祝左涂谷时舒耿"
                                   "牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵解强柴华车冉房边")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)((?:19|20)\d\d)(?=\s*年)")
_NUMBER = re.compile(r"(?<![\d.\-/:：])(\d+)(\.\d+)?(?![\d.年月日号时点:：\-/])")
_EDITORS = ["张三", "李明", "王芳", "赵磊", "刘洋", "陈静", "杨帆", "黄蕾", "周正", "吴迪", "孙悦", "郑好"]
_BOILERPLATE = ["返回搜狐，查看更多", "责任编辑：{editor}", "点击查看更多", "分享到：", "【纠错】", "扫一扫在手机打开当前页"]


def _h(*parts: object) -> int:
    """A stable hash (not Python's salted hash())."""
    return int.from_bytes(hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest(), "big")


def years_back(k: int) -> int:
    return 0 if k == 0 else 5 * (1 + (k - 1) % 12)


def shift_date(iso: str | None, years: int) -> str | None:
    if not iso or not years:
        return iso
    d = dt.date.fromisoformat(iso[:10])
    try:
        d = d.replace(year=d.year - years)
    except ValueError:  # 29 February into a common year
        d = d.replace(year=d.year - years, day=28)
    return d.isoformat() + iso[10:]


def _person(name: str, k: int, seed: int) -> str:
    n = _h("person", name, k, seed)
    given = "".join(_GIVEN[(n >> (8 * j + 8)) % len(_GIVEN)] for j in range(len(name) - 1))
    return _SURNAMES[n % len(_SURNAMES)] + given


def vary_text(text: str, k: int, seed: int = 0, year: int | None = None) -> str:
    """Copy ``k`` of a text: places rotated, credited people renamed, amounts shifted, and years near the record's own
    ``year`` (from ten years before to thirty after: "2023年", "2035年远景目标"; without a year, 2000 and later) moved
    back with its date; older years (birth years, history) stay."""
    if k == 0 or not text:
        return text
    shift = years_back(k)
    names = {n for m in _CREDIT_RE.finditer(text) for n in _NAME_RE.findall(m.group(1)) if n[0] in _COMMON_SURNAMES}
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, _person(name, k, seed))

    def place(m: re.Match) -> str:
        g, i = _PLACE_INDEX[m.group()]
        group = _GROUPS[g]
        step = 1 + (_h("place", g, k, seed) % (len(group) - 1))
        return group[(i + step) % len(group)]

    text = _PLACE_RE.sub(place, text)

    def year_sub(m: re.Match) -> str:
        y = int(m.group(1))
        lo, hi = (year - 10, year + 30) if year else (2000, 2100)  # undated records: recent years only
        return str(y - shift) if lo <= y <= hi else m.group(1)

    text = _YEAR_IN_TEXT.sub(year_sub, text)
    bump = 1 + (k - 1 + seed) % 11  # 11 and the 12-step year cycle are coprime: 132 distinct (years, bump) pairs

    def number(m: re.Match) -> str:
        whole = m.group(1)
        if len(whole) == 4 and 1900 <= int(whole) <= 2100:  # a year not followed by 年 (2023-07-21, "2023 ...")
            return m.group()
        return str(int(whole) + bump) + (m.group(2) or "")

    return _NUMBER.sub(number, text)


def vary(rec: dict, k: int, seed: int = 0) -> dict:
    if k == 0:
        return rec
    out = dict(rec)
    out["id"] = f"{rec['id']}-r{k}"
    out["date"] = shift_date(rec.get("date"), years_back(k))
    year = int(rec["date"][:4]) if rec.get("date") else None
    out["text"] = vary_text(rec.get("text") or "", k, seed, year)
    if rec.get("title"):
        out["title"] = vary_text(rec["title"], k, seed, year)
    if rec.get("date_as_printed") and rec.get("date"):
        printed = rec["date_as_printed"]
        if re.match(r"\d{4}-\d\d-\d\d", printed):
            out["date_as_printed"] = shift_date(printed, years_back(k))
    if rec.get("url") and out.get("date"):
        y, m, d = out["date"].split("-")
        out["url"] = f"https://tv.cctv.com/{y}/{m}/{d}/{out['id']}.shtml"
    return out


# ---- reading ---------------------------------------------------------------------------------------------------------
def read_archive(path: Path, since: str | None, until: str | None, limit: int | None) -> Iterator[dict]:
    """The selected records of one archive file, streamed in file order."""
    n = 0
    ordered = path.name == XWLB
    with path.open(encoding="utf-8") as f:
        for line in f:
            if limit is not None and n >= limit:
                return
            if not line.strip():
                continue
            rec = json.loads(line)
            d = rec.get("date")
            if until and ordered and d and d > until:
                return  # xwlb.jsonl is in broadcast order: nothing later can match
            if since or until:
                if not d or (since and d < since) or (until and d > until):
                    continue
            n += 1
            yield rec


def records(paths: list[Path], since, until, limit, replicate: int | None, seed: int) -> Iterator[dict]:
    """Selected records of every path in turn (limit per file); with ``replicate``, exactly that many, cycling."""
    if replicate is None:
        for p in paths:
            yield from read_archive(p, since, until, limit)
        return
    produced, k = 0, 0
    while produced < replicate:
        before = produced
        for p in paths:
            for rec in read_archive(p, since, until, limit):
                yield vary(rec, k, seed)
                produced += 1
                if produced >= replicate:
                    return
        if produced == before:
            raise SystemExit("--replicate: the selection is empty")
        k += 1


# ---- writing ---------------------------------------------------------------------------------------------------------
def _cn_date(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def _publish_time(rec: dict, ordinal: int) -> str:
    """Broadcast items: 19:00 plus two minutes per item (capped), Beijing time."""
    minutes = min(19 * 60 + 2 * (ordinal - 1), 23 * 60 + 59)
    return f"{rec['date']}T{minutes // 60:02d}:{minutes % 60:02d}:00+08:00"


def _item_number(rec_id: str) -> int:
    m = re.match(r"xwlb-\d{8}-(\d+)", rec_id)
    return int(m.group(1)) if m else 1


class Truth:
    def __init__(self, layout: str):
        self.layout = layout
        self.rows: list[dict] = []

    def add(self, rec: dict, file: str, ordinal: int | None = None) -> None:
        self.rows.append({"id": rec["id"], "date": rec.get("date"), "title": rec.get("title") or None, "file": file,
                          "ordinal": ordinal, "layout": self.layout})  # fmt: skip


def write_daypage(recs: Iterator[dict], out: Path, truth: Truth) -> None:
    """One file per broadcast day; a date met again later (replicas, unsorted input) is appended to its page."""
    counts: dict[str, int] = {}
    f = None
    current = None
    try:
        for rec in recs:
            name = f"xwlb_{rec['date'].replace('-', '')}.txt"
            if name != current:
                if f:
                    f.close()
                current = name
                new = name not in counts
                f = (out / name).open("w" if new else "a", encoding="utf-8", newline="\n")
                if new:
                    f.write(f"新闻联播文字版 {_cn_date(rec['date'])}\n")
                    counts[name] = 0
            counts[name] += 1
            f.write("\n" + (rec.get("title") or "").strip() + "\n\n" + "\n".join(_paragraphs(rec["text"])) + "\n")
            truth.add(rec, name, counts[name])
    finally:
        if f:
            f.close()


_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_esc}_新闻频道_央视网(cctv.com)</title>
<meta name="keywords" content="新闻联播 {title_esc}">
<meta property="og:title" content="{title_esc}">
<meta property="article:published_time" content="{published}">
<link rel="canonical" href="{canonical_esc}">
<meta name="video-url" content="{url_esc}">
<script>var _page = {{column: "xwlb", id: "{id_esc}"}};</script>
</head>
<body>
<div class="header"><ul class="nav">
<li><a href="https://www.cctv.com/">首页</a></li><li><a href="https://news.cctv.com/">新闻</a></li>
<li><a href="https://tv.cctv.com/lm/xwlb/">新闻联播</a></li><li><a href="https://sports.cctv.com/">体育</a></li>
<li><a href="https://tv.cctv.com/">电视</a></li></ul>
<div class="search"><input type="text" placeholder="请输入关键词"><button>搜索</button></div></div>
<div class="crumb">您的位置：<a href="https://news.cctv.com/">新闻频道</a> &gt; 正文</div>
<div class="article">
<h1>{title_esc}</h1>
<div class="info">来源：央视网 | {date_line}</div>
<div class="content_area" id="content_area">
{body}
</div>
</div>
<div class="related"><h3>相关推荐</h3><ul><li><a href="https://tv.cctv.com/lm/xwlb/">更多新闻联播内容</a></li>
<li><a href="https://tv.cctv.com/live/">央视频道直播</a></li></ul></div>
<div class="footer"><p>Copyright &copy; 1997-{year} 央视网 版权所有 备案号：京ICP证060535号</p>
<p><a href="#">关于我们</a> | <a href="#">联系方式</a> | <a href="#">网站地图</a></p></div>
</body>
</html>
"""


def html_page(rec: dict, ordinal: int, seed: int = 0) -> str:
    """The web page of one item; half the pages (by a stable hash of the id) end their body with boilerplate lines."""
    title = (rec.get("title") or "").strip()
    published = _publish_time(rec, ordinal)
    indent = "\u3000\u3000" if _h("indent", rec["id"], seed) % 3 == 0 else ""
    lines = _paragraphs(rec["text"])
    if _h("boiler", rec["id"], seed) % 2 == 0:
        n = 2 + _h("n", rec["id"], seed) % 3
        start = _h("start", rec["id"], seed) % len(_BOILERPLATE)
        editor = _EDITORS[_h("editor", rec["id"], seed) % len(_EDITORS)]
        lines += [_BOILERPLATE[(start + j) % len(_BOILERPLATE)].format(editor=editor) for j in range(n)]
    body = "\n".join(f"<p>{indent}{html.escape(p, quote=False)}</p>" for p in lines)
    y, m, d = rec["date"].split("-")
    canonical = f"https://news.cctv.com/{y}/{m}/{d}/{rec['id']}.shtml"  # one page per item, so one URL per item
    return _HTML.format(title_esc=html.escape(title), published=published, url_esc=html.escape(rec.get("url") or ""),
                        canonical_esc=html.escape(canonical),
                        id_esc=html.escape(rec["id"]), date_line=published[:16].replace("T", " "), body=body,
                        year=rec["date"][:4])  # fmt: skip


def write_html(recs: Iterator[dict], out: Path, truth: Truth, seed: int) -> None:
    made: set[Path] = set()
    for rec in recs:
        y, m, _ = rec["date"].split("-")
        folder = out / y / m
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        rel = f"{y}/{m}/{rec['id']}.html"
        (out / rel).write_text(html_page(rec, _item_number(rec["id"]), seed), encoding="utf-8")
        truth.add(rec, rel)


def write_csv(recs: Iterator[dict], out: Path, truth: Truth) -> None:
    with (out / "export.csv").open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["标题", "发布时间", "栏目", "正文", "链接"])
        for i, rec in enumerate(recs, 1):
            published = _publish_time(rec, _item_number(rec["id"]))[:19].replace("T", " ")
            w.writerow([rec.get("title") or "", published, rec.get("section") or "新闻联播",
                        "\n".join(_paragraphs(rec["text"])), rec.get("url") or ""])  # fmt: skip
            truth.add(rec, "export.csv", i)


def _regional_published(rec: dict) -> str | None:
    if not rec.get("date"):
        return None
    printed = rec.get("date_as_printed") or ""
    m = re.match(r"(\d{4}-\d\d-\d\d)[ T](\d\d?):(\d\d)(?::(\d\d))?", printed)
    if m and m.group(1) == rec["date"]:
        return f"{m.group(1)}T{int(m.group(2)):02d}:{m.group(3)}:{m.group(4) or '00'}+08:00"
    return rec["date"] + "T00:00:00+08:00"


def write_jsonl(recs: Iterator[dict], out: Path, truth: Truth) -> None:
    with (out / "export.jsonl").open("w", encoding="utf-8", newline="\n") as f:
        for i, rec in enumerate(recs, 1):
            if "url" in rec:  # xwlb
                row = {"title": rec.get("title"), "published_at": _publish_time(rec, _item_number(rec["id"])),
                       "content": "\n".join(_paragraphs(rec["text"])), "url": rec.get("url"),
                       "category": rec.get("section") or "新闻联播"}  # fmt: skip
            else:
                row = {"title": None, "published_at": _regional_published(rec), "content": rec["text"], "url": None,
                       "category": "地方新闻"}  # fmt: skip
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            truth.add(rec, "export.jsonl", i)


def write_regional(recs: Iterator[dict], out: Path, truth: Truth, folders: bool) -> None:
    made: set[Path] = set()
    for rec in recs:
        d = rec.get("date")
        if folders:
            rel = f"{d[:4]}/{d[5:7]}/{d[8:10]}/{rec['id']}.txt" if d else f"undated/{rec['id']}.txt"
        else:
            rel = f"{d.replace('-', '')}_{rec['id']}.txt" if d else f"{rec['id']}.txt"
        folder = (out / rel).parent
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        (out / rel).write_text(rec["text"], encoding="utf-8")
        truth.add(rec, rel)


# ---- command line ----------------------------------------------------------------------------------------------------
def _iso(s: str) -> str:
    return dt.date.fromisoformat(s).isoformat()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)  # fmt: skip
    ap.add_argument("layout", choices=LAYOUTS)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE, help="folder with xwlb.jsonl, regional_2023.jsonl")
    ap.add_argument("--since", type=_iso, help="first date kept (YYYY-MM-DD)")
    ap.add_argument("--until", type=_iso, help="last date kept (YYYY-MM-DD)")
    ap.add_argument("--limit", type=int, help="keep the first N selected records (per archive)")
    ap.add_argument("--replicate", type=int, help="write exactly N articles, cycling varied copies of the selection")
    ap.add_argument("--source", choices=["xwlb", "regional", "both"], default="xwlb",
                    help="jsonl-export only: which archive(s) to export (default xwlb)")  # fmt: skip
    ap.add_argument("--truth", type=Path, help="ground-truth JSONL path (default: OUT_DIR/../OUT_DIR_truth.jsonl)")
    ap.add_argument("--truth-inside", action="store_true", help="also write OUT_DIR/_truth.jsonl")
    ap.add_argument("--seed", type=int, default=0, help="varies boilerplate choice and replicas (default 0)")
    a = ap.parse_args(argv)

    out: Path = a.out_dir
    if out.exists() and any(out.iterdir()):
        ap.error(f"{out} is not empty: remove it first (an old corpus would mix with the new one)")
    truth_path: Path = a.truth or out.parent / (out.name + "_truth.jsonl")
    if truth_path.resolve().is_relative_to(out.resolve()):
        ap.error("--truth must lie outside OUT_DIR (a corpus folder holds only news files); see --truth-inside")

    if a.layout.startswith("xwlb"):
        names = [XWLB]
    elif a.layout.startswith("regional"):
        names = [REGIONAL]
    else:
        names = {"xwlb": [XWLB], "regional": [REGIONAL], "both": [XWLB, REGIONAL]}[a.source]
    paths = [a.archive / n for n in names]
    for p in paths:
        if not p.is_file():
            ap.error(f"{p} not found (give --archive)")

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    recs = records(paths, a.since, a.until, a.limit, a.replicate, a.seed)
    truth = Truth(a.layout)
    if a.layout == "xwlb-daypage":
        write_daypage(recs, out, truth)
    elif a.layout == "xwlb-html":
        write_html(recs, out, truth, a.seed)
    elif a.layout == "xwlb-csv":
        write_csv(recs, out, truth)
    elif a.layout == "jsonl-export":
        write_jsonl(recs, out, truth)
    else:
        write_regional(recs, out, truth, folders=a.layout == "regional-folders")

    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in truth.rows)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(lines, encoding="utf-8")
    if a.truth_inside:
        (out / "_truth.jsonl").write_text(lines, encoding="utf-8")
    files = len({r["file"] for r in truth.rows})
    print(f"{a.layout}: {len(truth.rows)} articles in {files} files under {out} "
          f"({time.perf_counter() - t0:.1f} s); truth: {truth_path}", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
