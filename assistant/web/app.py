"""The web chat: ``python app.py`` loads the index (building it first, with progress on the console, when there is
none) and serves a Gradio chat on http://127.0.0.1:7860.

A thin shell over ``assistant.service.Assistant``: each event handler (a method of ``Handlers``) calls one library
method and renders the result with ``render`` / ``staff``; ``build_app`` lays out the page and wires them.  Per
browser session it keeps a ``Conversation`` (follow-up questions) and the turns shown, each answer with its own
citations, in ``gr.State``: ``[n]`` of any answer opens that answer's n-th source.  The title, description and
example questions come from the indexed corpus (``examples``; ``--title`` overrides the title).  The API endpoint
``/ask`` returns ``Answer.to_json()``:

    from gradio_client import Client
    Client("http://127.0.0.1:7860/").predict(question, api_name="/ask")

Left out: retrieval and answer logic (assistant/), accounts and sharing (bind another host only behind a proxy you
trust), persistence of conversations across server restarts.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import threading
import time
import traceback
from dataclasses import replace

from ..answer.query import clean_question
from ..config import GROUPS, add_arguments, environment_help, from_args
from ..errors import AssistantError, QuestionError
from ..service import Assistant
from ..types import Answer
from . import examples as ex
from . import render as ui
from . import staff, style
from .staff import CLI_INDEX_COMMAND

gr = None  # the gradio module, imported by _gradio(): it takes seconds, and `--help` should not wait for it

STREAM_DELAY = 0.02  # seconds between streamed pieces of an answer
INTERNAL_ERROR = "出错了，请稍后再试。（详细信息已记录在服务器日志中）"

EPILOG = f"""\
examples:
  python app.py                                  serve corpus/ with index/ on http://127.0.0.1:7860
  python app.py --port 8080 --year 2021          another port; the year for dates printed as "6月18日"
  python app.py --corpus /data/news --index-dir /data/index --title "管城新闻问答"
  python app.py --host 0.0.0.0                   listen on every interface (only behind a trusted proxy)

The first start builds the index when there is none (progress on this console). Update it later from the page
("更新索引", staff view) or with `{CLI_INDEX_COMMAND}`; questions keep being answered meanwhile.
The title, the example questions and the description are drawn from the indexed news unless --title is given.
API: gradio_client.Client(URL).predict(QUESTION, api_name="/ask") returns the answer JSON.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python app.py",
                                description="Serve the news question-answering chat in a browser.",
                                epilog=EPILOG + environment_help() + "\n",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port to listen on (default: 7860)")
    add_arguments(p, GROUPS, "settings (the same as `python -m assistant`)")
    return p


def _gradio():
    """Import gradio into this module's globals (Gradio resolves handler annotations such as ``gr.EventData``
    there)."""
    global gr
    if gr is None:
        os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls
        import gradio

        gr = gradio
    return gr


class Handlers:
    """The page's event handlers, one library call each, rendered by ``render`` / ``staff``; ``build_app`` wires them
    to the layout.  Holds what outlives one event: the title and examples per index generation, when a rebuild was
    started from this page (for its progress line), and a counter that tells the article panel a source was opened
    again."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.limit = assistant.settings.max_question_chars
        self._faces: dict[str, ex.Face] = {}
        self._face_lock = threading.Lock()
        self._rebuild_started: list[float] = []  # monotonic time of each rebuild started from this page
        self._opened = itertools.count(1)

    # -- what the page says about its corpus ---------------------------------------------------------------------
    def example_answer(self, question: str) -> Answer | None:
        """The live index's answer to a candidate example question (None when it cannot be asked); ``examples``
        judges whether it answers what the question asks."""
        try:
            return self.assistant.ask(question)
        except AssistantError:
            return None

    def face(self) -> ex.Face:
        """Title, description and examples of the live index (recomputed when a rebuild swaps it; the examples are
        asked once each, so that none of them is then refused or answered with other news)."""
        index = self.assistant.index
        with self._face_lock:  # one page load computes it; the others wait for it
            found = self._faces.get(index.generation)
            if found is None:
                self._faces.clear()
                found = self._faces[index.generation] = ex.face(index.articles.values(),
                                                                self.assistant.settings.title, ask=self.example_answer)
        return found

    @staticmethod
    def chat(turns) -> str:
        return ui.chat_html(turns, "问一个关于这些报道的问题，或点击下面的示例问题。")

    # -- the chat --------------------------------------------------------------------------------------------------
    def respond(self, question, turns, conversation):
        """Stream one answer into the chat.  A question that cannot be asked (empty, too long) or fails is explained
        in the one notice line, and stays in the box to be edited; the chat only gets questions that are answered."""
        question = question or ""
        turns = list(turns or [])
        try:
            clean_question(question, self.limit)
        except QuestionError as exc:
            hint = self.face().hint() if not question.strip() else ""
            yield question, gr.skip(), gr.skip(), gr.skip(), ui.notice_html(f"{exc}{hint}")
            return
        turns.append(ui.Turn(question))
        yield "", self.chat(turns), turns, gr.skip(), ui.notice_html(None)
        try:
            if conversation is None:
                conversation = self.assistant.conversation()
            answer = self.assistant.ask(question, conversation)
        except AssistantError as exc:
            turns.pop()
            yield question, self.chat(turns), turns, conversation, ui.notice_html(str(exc))
            return
        except Exception:
            traceback.print_exc()
            turns.pop()
            yield question, self.chat(turns), turns, conversation, ui.notice_html(INTERNAL_ERROR)
            return
        answer = replace(answer, hits=())  # the session keeps what the chat shows, not the retrieval internals
        for prefix in ui.stream_prefixes(answer.text):
            if prefix == answer.text:
                break
            turns[-1] = ui.Turn(question, answer, prefix)
            yield gr.skip(), self.chat(turns), gr.skip(), gr.skip(), gr.skip()
            time.sleep(STREAM_DELAY)
        turns[-1] = ui.Turn(question, answer)
        yield gr.skip(), self.chat(turns), turns, conversation, gr.skip()

    def ask_example(self, turns, conversation, evt: gr.EventData):
        yield from self.respond(getattr(evt, "q", ""), turns, conversation)

    def open_source(self, turns, evt: gr.EventData):
        """[n] of the answer at ``evt.msg`` -> that answer's n-th source, whole, with the cited sentence marked."""
        msg, n, kind = int(getattr(evt, "msg", -1)), int(getattr(evt, "n", 0)), getattr(evt, "kind", "answer")
        turns = turns or []
        chosen = ui.citation_of(turns, msg, n, kind)
        if chosen is None:
            return ui.article_error_html("找不到这个引用：对话可能已经清空，请重新提问。")
        try:
            article = self.assistant.article(chosen.article_id)
        except AssistantError as exc:
            return ui.article_error_html(str(exc))
        answer = turns[msg].answer
        pool = answer.related if kind == "related" else answer.citations
        return ui.article_html(article, pool, n, msg=msg, opened=next(self._opened))

    def new_conversation(self):
        return None, [], self.chat([]), ui.article_placeholder_html(), "", ui.notice_html(None)

    # -- the staff view --------------------------------------------------------------------------------------------
    def status_panel(self, confirming: bool = False, check_corpus: bool = True) -> str:
        building = self.assistant.rebuilding
        started = self._rebuild_started
        elapsed = time.monotonic() - started[-1] if building and started else None
        log = list(self.assistant.rebuild_log)
        try:
            status = self.assistant.status(check_corpus=check_corpus)
        except AssistantError as exc:
            return staff.status_html(None, log=log, error=str(exc), building=building)
        return staff.status_html(status, log=log, error=self.assistant.rebuild_error, building=building,
                                 elapsed=elapsed, confirming=confirming)

    def staff_buttons(self, confirming: bool):
        """(更新索引, 确定更新, 取消): the first is offered unless a confirmation is asked or a rebuild runs."""
        building = self.assistant.rebuilding
        return (gr.Button(visible=not confirming, interactive=not building), gr.Button(visible=confirming),
                gr.Button(visible=confirming))

    def ask_to_rebuild(self):
        return self.status_panel(confirming=True), *self.staff_buttons(True)

    def cancel_rebuild(self):
        return self.status_panel(), *self.staff_buttons(False)

    def start_rebuild(self):
        if self.assistant.start_rebuild():
            self._rebuild_started.append(time.monotonic())
        return self.status_panel(), *self.staff_buttons(False), gr.Timer(active=True)

    def poll_rebuild(self):
        return self.status_panel(), *self.staff_buttons(False), gr.Timer(active=self.assistant.rebuilding)

    def on_load(self):
        f = self.face()
        # comparing the index with the corpus reads every corpus file: left until the staff view is opened
        return (ui.header_html(f.title, f.description), ui.examples_html(f.examples),
                gr.Textbox(placeholder=f.placeholder), self.status_panel(check_corpus=False),
                *self.staff_buttons(False), gr.Timer(active=self.assistant.rebuilding))

    def ask(self, question: str) -> dict:
        """Answer one question about the news.  Returns the answer JSON: question, answer, refused, citations
        (n, article_id, title, date, reporters, source, start, end, text, page)."""
        try:
            return self.assistant.ask(question).to_json()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None


def build_app(assistant: Assistant) -> gr.Blocks:
    """The page's layout, with ``Handlers`` wired to its events."""
    _gradio()
    h = Handlers(assistant)
    limit, chat = h.limit, h.chat
    first = h.face()
    with gr.Blocks(title=first.title, analytics_enabled=False) as demo:
        conversation = gr.State(None)
        turns = gr.State([])

        header = gr.HTML(ui.header_html(first.title, first.description), elem_id="app-header", js_on_load=None)
        with gr.Row(equal_height=False, elem_id="main-row"):
            with gr.Column(scale=3, min_width=320, elem_id="chat-col"):
                chatbox = gr.HTML(chat([]), elem_id="chat", js_on_load=style.CHAT_JS, apply_default_css=False)
                with gr.Row(elem_id="ask-row"):
                    question = gr.Textbox(label="输入问题", placeholder=first.placeholder, scale=5, lines=1,
                                          max_lines=4, elem_id="question", autofocus=True, submit_btn=False,
                                          show_label=False, min_width=160)
                    send = gr.Button("发送", variant="primary", scale=1, min_width=64, elem_id="send")
                    new_chat = gr.Button("新对话", variant="secondary", scale=1, min_width=72, elem_id="new-chat")
                gr.HTML('<div class="meter-box"></div>', elem_id="question-meter", js_on_load=style.METER_JS,
                        limit=limit)
                notice = gr.HTML(ui.notice_html(None), elem_id="notice", js_on_load=None)
                examples = gr.HTML(ui.examples_html(first.examples), elem_id="examples", js_on_load=style.EXAMPLES_JS)
            with gr.Column(scale=2, min_width=320, elem_id="source-col"):
                article = gr.HTML(ui.article_placeholder_html(), elem_id="article", js_on_load=style.ARTICLE_JS,
                                  apply_default_css=False)
        with gr.Accordion("索引状态（工作人员）", open=False, elem_id="staff") as staff_view:
            status = gr.HTML(staff.status_html(None), elem_id="index-status", js_on_load=None)
            with gr.Row():
                rebuild = gr.Button("更新索引…", variant="secondary", elem_id="rebuild", scale=0, min_width=120)
                confirm = gr.Button("确定更新", variant="primary", elem_id="rebuild-confirm", scale=0, min_width=120,
                                    visible=False)
                cancel = gr.Button("取消", variant="secondary", elem_id="rebuild-cancel", scale=0, min_width=80,
                                   visible=False)
                refresh = gr.Button("刷新状态", variant="secondary", elem_id="refresh-status", scale=0, min_width=120)
        timer = gr.Timer(2.0, active=False)

        # -- events ------------------------------------------------------------------------------------------------
        answer_outputs = [question, chatbox, turns, conversation, notice]
        hidden = dict(api_visibility="private", concurrency_id="answer", concurrency_limit=2, show_progress="hidden")
        quick = dict(api_visibility="private", show_progress="hidden", queue=False)
        gr.on([question.submit, send.click], h.respond, inputs=[question, turns, conversation],
              outputs=answer_outputs, **hidden)
        examples.pick(h.ask_example, inputs=[turns, conversation], outputs=answer_outputs, **hidden)
        chatbox.cite(h.open_source, inputs=[turns], outputs=article, **quick)
        article.close(ui.article_placeholder_html, outputs=article, **quick)
        new_chat.click(h.new_conversation, outputs=[conversation, turns, chatbox, article, question, notice], **quick)
        staff_outputs = [status, rebuild, confirm, cancel]
        demo.load(h.on_load, outputs=[header, examples, question, *staff_outputs, timer], api_visibility="private",
                  show_progress="hidden")
        staff_view.expand(h.cancel_rebuild, outputs=staff_outputs, api_visibility="private")
        refresh.click(h.cancel_rebuild, outputs=staff_outputs, api_visibility="private")
        rebuild.click(h.ask_to_rebuild, outputs=staff_outputs, api_visibility="private")
        cancel.click(h.cancel_rebuild, outputs=staff_outputs, api_visibility="private")
        confirm.click(h.start_rebuild, outputs=[*staff_outputs, timer], api_visibility="private")
        timer.tick(h.poll_rebuild, outputs=[*staff_outputs, timer], api_visibility="private")
        gr.api(h.ask, api_name="ask", concurrency_id="answer", concurrency_limit=2)
    return demo


def theme() -> gr.themes.Base:
    _gradio()
    fonts = [f.strip('"') for f in style.FONT_STACK]
    mono = [f.strip('"') for f in style.MONO_STACK]
    return gr.themes.Soft(primary_hue="blue", font=fonts, font_mono=mono)


def launch(demo: gr.Blocks, host: str, port: int, *, block: bool = True):
    """Serve ``demo``; returns Gradio's (app, local_url, share_url).  ``block=False`` returns at once (tests)."""
    return demo.queue().launch(server_name=host, server_port=port, theme=theme(), css=style.PAGE_CSS,
                               footer_links=["api"], run_history=False, ssr_mode=False, mcp_server=False,
                               share=False, show_error=False, prevent_thread_lock=not block, quiet=False)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = from_args(args)
        print(f"loading the index from {settings.index_dir} (corpus: {settings.corpus_dir}) …", flush=True)
        assistant = Assistant.open(settings, build_if_missing=True, progress=True,
                                   log=lambda line: print(line, flush=True))
        print("loading the embedding model …", flush=True)
        _ = assistant.embedder  # load the model now, so that the first question is not kept waiting
        status = assistant.status(check_corpus=False)  # counts only: the staff view compares with the corpus
        print(f"index ready: {status.articles} articles, {status.chunks} chunks, model {status.model}", flush=True)
        demo = build_app(assistant)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    launch(demo, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
