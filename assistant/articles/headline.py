"""A headline for an article printed without one: its original headline, else the first clause that states its news.

``"原标题：三峡孩子看青岛 文明使者倡环保中新网湖北新闻8月15日电 (陈新峤)8月14日，…"`` -> ``"三峡孩子看青岛 文明使者倡环保"``
(:func:`original_title`: the label's headline ends where its story begins, at a dateline, a date, a credit or a
restatement of the headline; the caller takes it out of the text).

``"中新网西宁7月24日电 (记者 李江宁)24日，“出发吧·西宁”2023美好生活文旅短视频大赛赛程过半，截至目前，…"``
-> ``"“出发吧·西宁”2023美好生活文旅短视频大赛赛程过半"`` (:func:`derive_headline`):

1. what opens a text without being its news is skipped, by its grammar, as often as it repeats: a dateline or a
   ``…消息，`` / ``…报道：`` opening, an attribution (``据…，``) or ``记者从…获悉，`` lead, a bracketed tag ``【CNMO新闻】``, a run of
   credits (``每经记者 黄婉银 每经编辑 陈梦妤``), a photo caption ending in its credit (``新闻发布会现场。澎湃新闻记者
   罗振宇 图``), a date or time phrase (``24日，``, ``8月5日晚，``, ``今天（5月29日），``) and a quotation opening the story
   (``“这里开放得太及时了！”``);
2. the first sentence is kept (up to 。！？; or a line end; a first sentence of a few characters takes the next along);
3. a sentence longer than :data:`MAX_CHARS` is cut at the first clause boundary (，；——, a space between Chinese phrases,
   or a date glued to the clause before it) whose clause names an event — it holds a verb (jieba's part of speech) and
   at least :data:`MIN_CLAUSE` characters — within :data:`MAX_CHARS` + :data:`SLACK`; never at 、 (the middle of a
   list) or inside a quotation or a 《title》.  Without such a boundary it is cut at a jieba word boundary within the
   limit, with an ellipsis.

Left out: summarising (no model here), picking a later sentence when the first is weak.
"""

from __future__ import annotations

import re

from .leads import OUTLET, STRONG, WEAK

MAX_CHARS = 30
MIN_CHARS = 12  # a first "sentence" shorter than this (1950？) is no headline: the next one is taken too
MIN_CLAUSE = 8  # a clause this long can state an event (大清河北支洪水进入天津)
SLACK = 14  # a complete clause up to MAX_CHARS + SLACK is kept whole rather than cut mid-clause
MAX_TITLE = 64  # characters: an original headline glued to its story is at most this long
_LABEL = re.compile(r"^\s*(?:原标题|标题|题目)\s*[：:]\s*")
_ORIGINAL = re.compile(r"^\s*原标题\s*[：:]\s*")  # ingestion counts these (assistant.ingest.boilerplate)
_DAY = (r"(?:(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月)?\s*\d{1,2}\s*日|今\s*[（(]\s*\d{1,2}\s*[)）]\s*日"
        r"|今天|今日|昨天|昨日|当天|当日|近日|日前|近期|目前)")
_TIME = r"(?:上午|下午|中午|晚上|晚间|晚|早上|早间|凌晨|夜间|傍晚|\d{1,2}\s*[时点:：](?:\s*\d{1,2}\s*分?)?)"
_WHEN = re.compile(
    rf"^(?:(?:当地时间|北京时间)\s*{_DAY}?|{_DAY})"  # 24日 / 当地时间27日 / 近日
    r"(?:\s*[（(][^（()）]{1,16}[)）])?"  # 今天（5月29日）
    rf"(?:\s*{_TIME})*"
    r"\s*[，,]\s*"
)
_NAMES = r"(?:[\u4e00-\u9fff·]{2,4}(?:\s+|[、，,]|(?=\d)|$))+"
_ROLES = r"(?:记者|编辑|通讯员|实习生|摄影|摄像)"
_OPENERS = [re.compile(p) for p in (
    r"^[^，,。！？!?\n]{1,24}?(?:\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*(?:消息|讯|报道)\s*[，,：:]\s*",  # IT之家 7 月 31 日消息，
    r"^综合[^，,。！？!?\n]{1,30}?报道[，,：:\s]?\s*",  # 综合《太阳报》《每日邮报》7月31日报道
    r"^【[^】\n]{1,30}】\s*",  # 【CNMO新闻】
    r"^据[^，,。！？!?\n]{1,30}[，,]\s*",  # 据用户反馈， / 据市场调查机构最新报告，: whose word it is, not what happened
    rf"^(?:[\u4e00-\u9fff]{{0,8}}?{_ROLES}\s*[：:]?\s*{_NAMES})+",  # 每经记者 黄婉银 每经编辑 陈梦妤
    # a photo caption closed by its credit: 新闻发布会现场。澎湃新闻记者 罗振宇 图 / 发布会现场。陆浩榕摄
    r"^[^！？!?\n]{0,40}?[\u4e00-\u9fff]{2,4}\s*(?:摄|图)(?=\s|\d)\s*",
)]
_SENTENCE = re.compile(r"[。！？!?；;\n]")
# A clause ends at ，；, a dash, a space between Chinese phrases, or where a date opens the next one glued to it
# (…人生经历8月10日，阿里巴巴…); not at 、 (a list) nor at a colon (「专家：…」 keeps who said it with what).
_BOUNDARY = re.compile(rf"[，,；;]|——|(?<=[\u4e00-\u9fff”》）)])(?={_DAY}{_TIME}*[，,])| ")
_ASIDE = re.compile(r"\s*[（(][^（()）]{1,40}[)）]")
_TRIM = " \t，,、：:；;—-·"
_PAIRS = {"“": "”", "《": "》", "（": "）", "(": ")", "‘": "’", "「": "」"}
# Where the story under an original headline begins: a date phrase, a credit run or a bracketed tag (the dateline
# forms are the leads' own, tried separately).
_STORY = re.compile(
    rf"(?:当地时间|北京时间|截至|近日|日前|(?:\d{{4}}\s*年\s*)?\d{{1,2}}\s*月\s*\d{{1,2}}\s*日{_TIME}?\s*[，,]"
    rf"|{_ROLES}\s*[：:]?\s*[\u4e00-\u9fff]{{2,3}}\s|【[^】\n]{{2,30}}】)")


def original_title(paragraph: str) -> tuple[str, int] | None:
    """``"原标题：X<story>"`` -> (X, where the story starts); ``("", label end)`` when where X ends cannot be told;
    ``None`` without the label.  X ends at the first of: a dateline (``中新网7月27日电``, ``羊城晚报讯``, ``据…消息，``),
    a date opening the story (``7月30日，``, ``近日``, ``截至``), a credit (``记者万静 ``), a bracketed tag, or the
    story restating X's opening; never past a 。 (a headline has none) or :data:`MAX_TITLE` characters.
    """
    m = _ORIGINAL.match(paragraph)
    if m is None:
        return None
    start = m.end()
    limit = min(len(paragraph), start + MAX_TITLE)
    stop = paragraph.find("。", start, limit)
    limit = stop if stop >= 0 else limit
    cuts = [c for c in (_lead_at(paragraph, start + 4, limit), _story_at(paragraph, start + 4, limit),
                        _restated_at(paragraph, start, limit)) if c is not None]
    if not cuts:
        return "", start
    end = min(cuts)
    title = paragraph[start:end].strip(_TRIM)
    return (title, end) if title else ("", start)


def story_start(paragraph: str) -> tuple[str, int]:
    """(a headline printed before the dateline, where the story starts) in the first paragraph of an untitled text.

    ``"百年巨头东芝退市 中新网8月1日电 …"`` -> ("百年巨头东芝退市", after the dateline); a photo caption before the
    dateline (``民众悼念遇难者（资料图）海外网8月17日电``) is no headline: ("", after the dateline); ("", 0) when no
    dateline opens the paragraph or follows within :data:`MAX_TITLE` characters.
    """
    from .leads import parse_lead  # the one reader of a lead's byline and extent

    at = _lead_at(paragraph, 0, min(len(paragraph), MAX_TITLE), weak=False)
    if at is None:
        return "", 0
    lead = parse_lead(paragraph[at:])
    end = at + lead.end if lead else at
    before = paragraph[:at].rstrip()
    # A headline is glued to its dateline or set off by a space; a clause ending in a comma (当地时间8月12日，) is a
    # sentence's opening, and one with a sentence end is a caption or the end of something else.
    # A headline may end in 。 (2023年护理学专业认证专家培训会在长沙召开。红网时刻新闻8月12日讯); two sentences are not one.
    if (len(before.strip(_TRIM)) < MIN_CLAUSE or before.endswith(tuple("，,、：:；;"))
            or _SENTENCE.search(before.rstrip("。")) or _is_caption(before) or _WHEN.match(before + "，")):
        return "", end
    return before.strip(_TRIM).rstrip("。"), end


def derive_headline(text: str) -> str:
    """The first clause of ``text`` (the story after its dateline) naming its news; ``""`` when it holds no words."""
    s = _skip_openers(text.strip())
    end = 0
    while True:  # a first "sentence" of a few characters (1950？1940？…) is no headline: take the next one too
        m = _SENTENCE.search(s, end)
        end = m.end() if m else len(s)
        if end >= len(s) or len(s[:end].strip(_TRIM)) >= MIN_CHARS:
            break
    sentence = re.sub(r"\s+", " ", s[:end]).strip().rstrip("。；;").strip(_TRIM)
    if len(sentence) > MAX_CHARS:  # an aside in brackets (a stock code, an English name, 以下简称…) is no headline's
        sentence = _ASIDE.sub("", sentence).strip(_TRIM) or sentence
    if len(sentence) <= MAX_CHARS:
        return sentence
    return _clause(sentence)


# ------------------------------------------------------------------------------------------------------------ helpers


def _skip_openers(s: str) -> str:
    for _ in range(8):  # each pass removes one opener; a text opens with a few at most
        before = s
        s = _LABEL.sub("", s, count=1)
        lead = STRONG.match(s) or WEAK.match(s)
        if lead and len(s) - lead.end() > MAX_CHARS // 2:  # 记者从水利部获悉，…: the news comes after
            s = s[lead.end():].lstrip(" ：:，,")
            s = re.sub(r"^[（(][^（()）]{1,40}[)）]\s*", "", s)  # the bracketed byline after a dateline
        s = _WHEN.sub("", s, count=1)
        for opener in _OPENERS:
            m = opener.match(s)
            if m and len(s) - m.end() > MAX_CHARS // 2:
                s = s[m.end():]
                break
        if s.startswith("“"):  # a quotation opening the story: the news is what follows it
            close = s.find("”")
            if 0 < close < 100 and s[close - 1] in "。！？!?…" and len(s) - close > MAX_CHARS:
                s = s[close + 1:]
        s = s.lstrip(" \t，,。")
        if s == before:
            break
    return s


def _clause(sentence: str) -> str:
    """The first clause of ``sentence`` that names an event, or the sentence cut at a word within the limit."""
    limit = MAX_CHARS + SLACK
    for b in _BOUNDARY.finditer(sentence, 0, limit + 1):
        at = b.start()
        if b.group() == " " and not _between_cjk(sentence, at):
            continue
        clause = sentence[:at].strip(_TRIM)
        # A short clause must hold a verb to state an event (大清河北支洪水进入天津, not 截至目前).
        if len(clause) >= MIN_CLAUSE and _balanced(clause) and (len(clause) >= MIN_CHARS or _has_verb(clause)):
            return clause
    if len(sentence) <= limit and _balanced(sentence):
        return sentence
    cut = 0
    for word_end in _word_ends(sentence[: MAX_CHARS + 1]):
        if word_end <= MAX_CHARS and _balanced(sentence[:word_end]):
            cut = word_end
    if cut < MIN_CLAUSE:  # a quotation or title that runs past the limit: cut inside it at a word
        cut = max((e for e in _word_ends(sentence[: MAX_CHARS + 1]) if e <= MAX_CHARS), default=MAX_CHARS)
    return sentence[:cut].rstrip(_TRIM) + "…"


def _lead_at(s: str, lo: int, hi: int, weak: bool = True) -> int | None:
    """The first position in ``s[lo:hi]`` where a dateline or weak lead starts, at a word boundary (so that
    ``…协议履行羊城晚报讯`` gives the start of 羊城晚报, not of 履行)."""
    for i in range(lo, hi):
        m = STRONG.match(s[i:]) or (weak and WEAK.match(s[i:])) or _REPORTED.match(s[i:])  # their ^ needs a slice
        if m is None:
            continue
        end = i + m.end()
        if i == lo or not (s[i - 1].isalnum() or s[i - 1].isspace()):  # after punctuation: no headline glued to it
            return i
        words = _tagged(s[:end])
        starts, at = [], 0
        for word, _ in words:
            mj = STRONG.match(s[at:]) or (weak and WEAK.match(s[at:])) or _REPORTED.match(s[at:])
            if at >= i and mj and at + mj.end() == end:
                starts.append((at, word))
            at += len(word)
        # The dateline starts at the first word that names an outlet (羊城晚报, 红网), not at a headline's last words.
        named = [j for j, word in starts if _OUTLET_WORD.search(word)]
        return named[0] if named else starts[-1][0] if starts else i
    return None


_REPORTED = re.compile(rf"{OUTLET}\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日\s*报道")  # 参考消息网7月21日报道
_OUTLET_WORD = re.compile(r"^(?:据|记者|本报).*|^[\u4e00-\u9fff]+(?:报|网|社|台|刊|客户端)$")


def _story_at(s: str, lo: int, hi: int) -> int | None:
    m = _STORY.search(s, lo, hi)
    if m is None:
        return None
    at = m.start()
    if m.group().startswith(("记者", "编辑", "通讯员", "实习生", "摄影", "摄像")):  # the outlet glued before 记者
        outlet = re.search(rf"{OUTLET}$", s[lo:at])
        if outlet:
            words = [j for j in _word_starts(s[:at]) if at - (len(s[lo:at]) - outlet.start()) <= j < at]
            at = words[0] if words else at
    return at


def _restated_at(s: str, start: int, hi: int) -> int | None:
    """Where the story opens by restating the headline's first characters (…服务洹畔民生︱老人瘫痪…)."""
    head = s[start:start + 6]
    if len(head) < 6:
        return None
    at = s.find(head, start + 6, hi + len(head))
    return at if at >= 0 else None


def _is_caption(text: str) -> bool:
    """A photo caption: it credits a picture (（资料图）, 图片来源, 张三摄, 记者 张三 图)."""
    return bool(re.search(r"[（(][^（()）]{0,16}图[^（()）]{0,16}[)）]|图片来源|[\u4e00-\u9fff]{2,4}\s*(?:摄|图)\s*$", text))


def _balanced(text: str) -> bool:
    """Whether every opening quotation mark or bracket in ``text`` is closed in it."""
    return all(text.count(o) <= text.count(c) for o, c in _PAIRS.items())


def _has_verb(text: str) -> bool:
    return any(flag.startswith("v") for _, flag in _tagged(text))


def _word_ends(text: str) -> list[int]:
    ends, at = [], 0
    for word, _ in _tagged(text):
        at += len(word)
        ends.append(at)
    return ends


def _word_starts(text: str) -> list[int]:
    return [0] + _word_ends(text)[:-1]


def _tagged(text: str) -> list[tuple[str, str]]:
    import jieba.posseg  # loaded only when a headline has to be made or cut; the lexical index loads it anyway

    return [(w.word, w.flag) for w in jieba.posseg.cut(text)]


def _between_cjk(s: str, i: int) -> bool:
    """A space between two Chinese phrases separates them (学党史 悟思想); one beside Latin text is a word space."""
    return 0 < i < len(s) - 1 and not s[i - 1].isascii() and not s[i + 1].isascii()
