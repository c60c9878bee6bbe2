"""The web chat: ``python app.py`` loads the index (building it first, with progress on the console, when there is
none) and serves a Gradio chat on http://127.0.0.1:7860.

A thin shell over ``assistant.service.Assistant``: each event calls one library method and renders the result with
``assistant.ui_render``.  Per browser session it keeps a ``Conversation`` (follow-up questions) and the citations of
the last answer in ``gr.State``.  The API endpoint ``/ask`` returns ``Answer.to_json()``:

    from gradio_client import Client
    Client("http://127.0.0.1:7860/").predict("虎强督导了哪些工作？", api_name="/ask")

Left out: retrieval and answer logic (assistant/), accounts and sharing (bind another host only behind a proxy you
trust), persistence of conversations across server restarts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

from ..config import add_arguments, environment_help, from_args
from ..errors import AssistantError
from ..service import Assistant
from . import render as ui

gr = None  # the gradio module, imported by _gradio(): it takes seconds, and `--help` should not wait for it

TITLE = "本地新闻问答助手"
INTRO = "根据本地新闻报道回答问题。每句回答都标有来源编号 [n]，点击“来源”中的编号可以查看整篇报道和被引用的原句。"
STREAM_DELAY = 0.02  # seconds between streamed pieces of an answer
INTERNAL_ERROR = "出错了，请稍后再试。（详细信息已记录在服务器日志中）"

EPILOG = f"""\
examples:
  python app.py                                  serve corpus/ with index/ on http://127.0.0.1:7860
  python app.py --port 8080 --year 2021          another port; the year for dates printed as "6月18日"
  python app.py --corpus /data/news --index-dir /data/index
  python app.py --host 0.0.0.0                   listen on every interface (only behind a trusted proxy)

The first start builds the index when there is none (progress on this console). Update it later from the page
("更新索引") or with `{ui.CLI_INDEX_COMMAND}`; questions keep being answered meanwhile.
API: gradio_client.Client(URL).predict("虎强督导了哪些工作？", api_name="/ask") returns the answer JSON.
"""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python app.py",
                                description="Serve the news question-answering chat in a browser.",
                                epilog=EPILOG + environment_help() + "\n", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port to listen on (default: 7860)")
    add_arguments(p, ("common", "web"), "settings (the same as `python -m assistant`)")
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


def build_app(assistant: Assistant) -> gr.Blocks:
    _gradio()
    examples = ui.example_questions(assistant.index.articles.values())

    # -- event handlers: one library call each, rendered by ui_render ---------------------------------------------
    def respond(question, history, conversation):
        """Stream one answer into the chat; then fill the sources panel and the citation picker."""
        question = question or ""
        history = list(history or [])
        if question.strip():  # an empty question gets the library's explanation, not an empty bubble
            history.append({"role": "user", "content": ui.question_html(question)})
        history.append({"role": "assistant", "content": ui.searching_html()})
        yield ("", history, gr.skip(), gr.skip(), ui.sources_html([]), gr.Radio(choices=[], value=None),
               ui.article_placeholder_html())
        try:
            if conversation is None:
                conversation = assistant.conversation()
            answer = assistant.ask(question, conversation)
        except AssistantError as exc:
            history[-1] = {"role": "assistant", "content": ui.error_html(str(exc))}
            yield "", history, conversation, [], gr.skip(), gr.skip(), gr.skip()
            return
        except Exception:
            traceback.print_exc()
            history[-1] = {"role": "assistant", "content": ui.error_html(INTERNAL_ERROR)}
            yield "", history, conversation, [], gr.skip(), gr.skip(), gr.skip()
            return
        extras = dict(refused=answer.refused, notice=answer.notice, resolved_question=answer.resolved_question)
        for prefix in ui.stream_prefixes(answer.text):
            done = prefix == answer.text
            history[-1] = {"role": "assistant", "content": ui.answer_html(prefix, pending=not done, **extras)}
            if not done:
                yield gr.skip(), history, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                time.sleep(STREAM_DELAY)
        citations = list(answer.citations)
        yield ("", history, conversation, citations, ui.sources_html(citations),
               gr.Radio(choices=ui.citation_choices(citations), value=None), ui.article_placeholder_html())

    def show_citation(n, citations):
        citations = citations or []
        chosen = next((c for c in citations if str(c.n) == str(n)), None)
        if chosen is None:
            return ui.article_placeholder_html(), ui.sources_html(citations), gr.skip()
        try:
            article = assistant.article(chosen.article_id)
        except AssistantError as exc:
            return ui.error_html(str(exc)), ui.sources_html(citations, chosen.n), str(chosen.n)
        return ui.article_html(article, citations, chosen.n), ui.sources_html(citations, chosen.n), str(chosen.n)

    def on_source_click(citations, evt: gr.EventData):
        return show_citation(getattr(evt, "n", None), citations)

    def new_conversation():
        return (None, [], [], "", ui.sources_html([]), gr.Radio(choices=[], value=None),
                ui.article_placeholder_html())

    def status_panel():
        try:
            status = assistant.status().to_json()
        except AssistantError as exc:
            return ui.status_html(None, "\n".join(assistant.rebuild_log), str(exc))
        return ui.status_html(status, "\n".join(assistant.rebuild_log), assistant.rebuild_error)

    def start_rebuild():
        assistant.start_rebuild()
        return status_panel(), gr.Timer(active=True)

    def poll_rebuild():
        return status_panel(), gr.Timer(active=assistant.rebuilding)

    def ask(question: str) -> dict:
        """Answer one question about the local news.  Returns the answer JSON: question, answer, refused, citations
        (n, article_id, title, date, reporters, source, start, end, text, page)."""
        try:
            return assistant.ask(question).to_json()
        except AssistantError as exc:
            raise gr.Error(str(exc)) from None

    # -- layout ----------------------------------------------------------------------------------------------------
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        conversation = gr.State(None)
        citations = gr.State([])

        gr.HTML(f"<h1>{ui.esc(TITLE)}</h1><p>{ui.esc(INTRO)}</p>", elem_id="app-header", js_on_load=None)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(label="对话", show_label=False, elem_id="chat", height=520, render_markdown=False,
                                     sanitize_html=True, allow_tags=False, latex_delimiters=[], buttons=[],
                                     feedback_options=None, layout="bubble",
                                     placeholder="请在下方输入问题，或点击一个示例问题。")
                with gr.Row():
                    question = gr.Textbox(label="输入问题", placeholder="例如：虎强督导了哪些工作？", scale=5,
                                          lines=1, max_lines=4, elem_id="question", autofocus=True,
                                          submit_btn=False, show_label=False)
                    send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
                    new_chat = gr.Button("新对话", variant="secondary", scale=1, min_width=80, elem_id="new-chat")
                example_set = gr.Dataset(components=[question], samples=[[q] for q in examples], label="示例问题",
                                         elem_id="examples", type="values")
            with gr.Column(scale=2, min_width=360):
                gr.Markdown("### 来源")
                sources = gr.HTML(ui.sources_html([]), elem_id="sources", js_on_load=(
                    "element.addEventListener('click', (e) => {"
                    " const b = e.target.closest('[data-cite]');"
                    " if (b) trigger('cite', {n: b.dataset.cite}); });"))
                cite_pick = gr.Radio(choices=[], label="选择引用查看原文", elem_id="cite-pick", interactive=True)
                article = gr.HTML(ui.article_placeholder_html(), elem_id="article", js_on_load=(
                    "watch('value', () => {"
                    " const m = element.querySelector('#cite-active');"
                    " if (m) m.scrollIntoView({block: 'center', behavior: 'smooth'}); });"))
        with gr.Accordion("索引状态（工作人员）", open=False, elem_id="staff"):
            status = gr.HTML(ui.status_html(None), elem_id="index-status", js_on_load=None)
            with gr.Row():
                rebuild = gr.Button("更新索引", variant="secondary", elem_id="rebuild", scale=0, min_width=120)
                refresh = gr.Button("刷新状态", variant="secondary", elem_id="refresh-status", scale=0, min_width=120)
        timer = gr.Timer(2.0, active=False)

        # -- events ------------------------------------------------------------------------------------------------
        answer_outputs = [question, chatbot, conversation, citations, sources, cite_pick, article]
        hidden = dict(api_visibility="private", concurrency_id="answer", concurrency_limit=2, show_progress="hidden")
        gr.on([question.submit, send.click], respond, inputs=[question, chatbot, conversation],
              outputs=answer_outputs, **hidden)
        example_set.click(lambda sample: sample[0], inputs=example_set, outputs=question, api_visibility="private",
                          queue=False).then(respond, inputs=[question, chatbot, conversation], outputs=answer_outputs,
                                            **hidden)
        chatbot.clear(new_conversation, outputs=[conversation, chatbot, citations, question, sources, cite_pick,
                                                 article], api_visibility="private")
        new_chat.click(new_conversation, outputs=[conversation, chatbot, citations, question, sources, cite_pick,
                                                  article], api_visibility="private")
        sources.cite(on_source_click, inputs=[citations], outputs=[article, sources, cite_pick],
                     api_visibility="private")
        cite_pick.input(show_citation, inputs=[cite_pick, citations], outputs=[article, sources, cite_pick],
                        api_visibility="private")
        demo.load(status_panel, outputs=status, api_visibility="private")
        refresh.click(status_panel, outputs=status, api_visibility="private")
        rebuild.click(start_rebuild, outputs=[status, timer], api_visibility="private")
        timer.tick(poll_rebuild, outputs=[status, timer], api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_id="answer", concurrency_limit=2)
    return demo


def theme() -> gr.themes.Base:
    _gradio()
    fonts = [f.strip('"') for f in ui.FONT_STACK]
    mono = [f.strip('"') for f in ui.MONO_STACK]
    return gr.themes.Soft(primary_hue="blue", font=fonts, font_mono=mono)


def launch(demo: gr.Blocks, host: str, port: int, *, block: bool = True):
    """Serve ``demo``; returns Gradio's (app, local_url, share_url).  ``block=False`` returns at once (tests)."""
    return demo.queue().launch(server_name=host, server_port=port, theme=theme(), css=ui.PAGE_CSS,
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
        status = assistant.status()
        print(f"index ready: {status.articles} articles, {status.chunks} chunks, model {status.model}", flush=True)
        demo = build_app(assistant)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    launch(demo, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
