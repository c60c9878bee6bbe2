"""Complete lists, exact bylines and questions about time, over a small archive written here (real model, real index).

The archive: dated text files in YYYY/MM/DD folders (the regional layout), four reports of one festival spread over
three months, reports of other things between them, reporters credited in a lead, a closing bracket and a byline line,
and one dispatch filed a day before it was published.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.service import Assistant

ROOT = Path(__file__).resolve().parents[1]

ARTICLES = {
    "2024/04/02/a01.txt": "本报讯（记者 林晓雨）4月2日，第五届青山湖樱花节在青山湖公园开幕，首日接待游客三万人次。"
                          "园内两千株樱花进入盛花期，夜间灯光秀同步开放。",
    "2024/04/15/a02.txt": "本报讯 青山湖樱花节进入第二周，公园新增三条观花步道，游客可预约讲解服务。"
                          "管理处提醒市民错峰出行，周末地铁加开临时班次。\n记者 周明",
    "2024/05/20/a03.txt": "本报讯 青山湖樱花节于5月19日闭幕，本届共接待游客四十二万人次，同比增长一成。"
                          "主办方表示明年将延长夜场时间。",
    "2024/05/21/a04.txt": "本报讯 地铁3号线东延段5月21日开通运营，新设四座车站，全程用时缩短至二十五分钟。"
                          "沿线居民通勤更加便利。（林晓雨）",
    "2024/06/10/a05.txt": "本报讯 市气象台6月10日发布暴雨橙色预警，预计未来六小时降雨量将达八十毫米以上。"
                          "防汛部门已启动三级应急响应。",
    "2024/06/13/a06.txt": "本报北京6月12日电 全国中学生机器人大赛在北京开幕，来自三十个省份的六百支队伍参赛。"
                          "大赛设置救援、搬运和编程三个项目。",
    "2024/06/20/a07.txt": "本报讯 青山湖公园开展樱花树病虫害防治，园林部门对两千株樱花逐一检查。"
                          "青山湖樱花节期间受损的草坪已全部补种。\n记者 林晓雨 通讯员 陈东",
    "2024/06/25/a08.txt": "本报讯 市图书馆暑期阅读季启动，推出少儿绘本展和周末亲子讲座。"
                          "活动持续到8月底。",
}


def open_archive(root, articles, base_settings, embedder):
    """An assistant over ``articles`` (path -> text) written as files under ``root``, today 2024-07-01."""
    for rel, text in articles.items():
        path = root / "corpus" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    settings = base_settings.with_(corpus_dir=root / "corpus", index_dir=root / "index", default_year=2024,
                                   today="2024-07-01")
    return Assistant.open(settings, embedder=embedder, progress=False, log=lambda m: None)


@pytest.fixture(scope="module")
def archive(tmp_path_factory, base_settings, embedder):
    return open_archive(tmp_path_factory.mktemp("lists"), ARTICLES, base_settings, embedder)


def with_today(assistant, today):
    return Assistant.open(assistant.settings.with_(today=today), embedder=assistant.embedder, progress=False,
                          log=lambda m: None, build_if_missing=False)


def files(answer, field="citations"):
    return [Path(c.source).stem for c in getattr(answer, field)]


def check_exact(assistant, answer):
    used = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert used == {c.n for c in answer.citations}
    for c in answer.citations:
        assert assistant.article(c.article_id).text[c.start:c.end] == c.text


def test_list_is_complete_counted_and_newest_first(archive):
    a = archive.ask("青山湖樱花节有哪些报道？")
    assert not a.refused
    assert sorted(files(a)) == ["a01", "a02", "a03", "a07"]
    assert "共找到 4 篇" in a.text
    dates = [c.date for c in a.citations]
    assert dates == sorted(dates, reverse=True)
    check_exact(archive, a)


def test_list_over_more_than_max_citations_cites_every_article(archive):
    settings = archive.settings.with_(max_citations=2)
    small = Assistant.open(settings, embedder=archive.embedder, progress=False, log=lambda m: None,
                           build_if_missing=False)
    assert len(small.ask("青山湖樱花节有哪些报道？").citations) == 4


def test_list_in_a_month_keeps_to_it_and_says_so(archive):
    a = archive.ask("5月份青山湖樱花节有哪些报道？")
    assert set(files(a)) == {"a03"}  # one report: answered from it (its sentences), not as a list of one
    assert a.period == ("2024-05-01", "2024-05-31")
    assert "2024年5月1日至2024年5月31日" in (a.notice or "")


def test_empty_period_says_so_and_lists_nearest_outside(archive):
    a = archive.ask("2024年3月青山湖樱花节有哪些报道？")
    assert a.refused and not a.citations
    assert "没有找到" in a.text and "不在所问时间内" in a.text
    assert files(a, "related")[0] == "a01"  # the nearest report after March


def test_byline_finds_lead_closing_and_byline_credits(archive):
    a = archive.ask("记者林晓雨写了哪些报道？")
    assert sorted(files(a)) == ["a01", "a04", "a07"]
    assert "共找到 3 篇" in a.text
    check_exact(archive, a)
    assert sorted(files(archive.ask("周明都报道了什么？"))) == ["a02"]


def test_newest_and_oldest_report(archive):
    assert files(archive.ask("最近一次报道青山湖樱花节，说了什么？"))[0] == "a07"
    assert files(archive.ask("青山湖樱花节第一次见报说了什么？"))[0] == "a01"


def test_today_bounds_the_newest_report(archive):
    earlier = with_today(archive, "2024-05-01")
    a = earlier.ask("最近一次报道青山湖樱花节，说了什么？")
    assert files(a)[0] == "a02"  # the reports after 1 May have not been written yet on that day


def test_a_day_matches_the_filing_date_too(archive):
    a = archive.ask("6月12日机器人大赛有多少支队伍参赛？")
    assert files(a)[0] == "a06" and a.period == ("2024-06-12", "2024-06-12")
    assert "六百支" in a.text


def test_cli_today_changes_which_reports_recent_answers_from(archive):
    """`ask --today` as users run it: 最近 counts back from the given day."""
    def ask(today):
        out = subprocess.run([sys.executable, "-m", "assistant", "ask", "最近青山湖樱花节有哪些报道？", "--json",
                              "--corpus", str(archive.settings.corpus_dir), "--index-dir",
                              str(archive.settings.index_dir), "--today", today],
                             cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    june = ask("2024-06-30")
    april = ask("2024-04-20")
    assert "a07" in {Path(c["source"]).stem for c in june["citations"]}
    assert {Path(c["source"]).stem for c in april["citations"]} >= {"a01", "a02"}
    assert "a07" not in {Path(c["source"]).stem for c in april["citations"]}
    assert april["period"][1] == "2024-04-20"


# The newest/oldest report *of a thing* is found by the thing's words.  「最新一期公布的外汇储备」: the newest report of
# the reserves says 数据显示, not 公布; an older one and an unrelated one that say 公布 must not win because of the verb.
# 「…第一次见报是什么时候？当时说了什么？」: 时候 and 当时 ask about the report; an older report that happens to say 当时
# and 那时候 is not a report of the bridge.
REPORTS_OF_A_THING = [
    ({"2024/03/08/x1.txt": "本报讯 市统计局今天公布，2月全市外汇储备规模为120亿美元，较1月末上升2亿美元。",
      "2024/04/09/x2.txt": "本报讯 市外汇管理部门最新数据显示，3月全市外汇储备规模为125亿美元，规模稳中有升。",
      "2024/04/20/x3.txt": "本报讯 市政府公布第二批重点项目名单，储备项目和外汇结算服务项目各十个。",
      "2024/04/21/x4.txt": "本报讯 市图书馆暑期阅读季启动，推出少儿绘本展和周末亲子讲座。"},
     "最新一期公布的外汇储备是多少？", "x2", "125亿美元"),
    ({"2024/02/10/y0.txt": "本报讯 一位老人回忆当时的情景：那时候村里还没有路灯，晚上出门全靠手电筒。",
      "2024/03/01/y1.txt": "本报讯 滨江大桥主塔今天封顶，大桥全长三公里，预计明年建成通车。",
      "2024/05/01/y2.txt": "本报讯 滨江大桥开始荷载试验，六十辆货车停在桥面，检测桥梁位移。",
      "2024/05/02/y3.txt": "本报讯 市图书馆暑期阅读季启动，推出少儿绘本展和周末亲子讲座。"},
     "滨江大桥第一次见报是什么时候？当时说了什么？", "y1", "封顶"),
]


@pytest.mark.parametrize("reports,question,expected,phrase", REPORTS_OF_A_THING, ids=["verb", "interrogative"])
def test_the_newest_or_oldest_report_of_a_thing_is_found_by_the_things_words(tmp_path, base_settings, embedder,
                                                                            reports, question, expected, phrase):
    a = open_archive(tmp_path, reports, base_settings, embedder).ask(question)
    assert files(a)[0] == expected and phrase in a.text
