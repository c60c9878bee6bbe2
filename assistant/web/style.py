"""The page's look and its few scripts: CSS for the chat, sources, article panel and staff view, and the ``js_on_load``
snippets of app.py's HTML components.

The scripts only route clicks to the server (``trigger``) and keep view state that the server need not know: which
list answers are expanded, which citation is lit, where the chat and the article are scrolled.  They scroll inner
boxes (``scrollTop``), never the window, so opening a source never moves the chat.  Nothing here builds markup from
corpus or user text (render.py escapes that).
Left out: markup (render.py, staff.py), layout and events (app.py).
"""

from __future__ import annotations

# Fonts installed on the machine; the page never asks for web fonts.
FONT_STACK = ('"Noto Sans CJK SC"', '"Source Han Sans SC"', '"PingFang SC"', '"Microsoft YaHei"',
              '"WenQuanYi Micro Hei"', "sans-serif")
MONO_STACK = ('"Noto Sans Mono CJK SC"', "ui-monospace", "Consolas", "monospace")
NARROW = 900  # px: below this the source panel is a bottom sheet

# The chat: [n] and source sentences open that answer's source; 「显示全部」 expands a list answer; a new question is
# scrolled into view even when the reader had scrolled up.  State lives in this closure and is re-applied after each
# re-render (Gradio patches the DOM, which drops classes the server did not send).
CHAT_JS = """
const expanded = new Set();
let lit = null;
let turns = 0;
const box = () => element.querySelector('.chat-scroll');
function apply() {
  element.querySelectorAll('.turn').forEach(t => t.classList.toggle('expanded', expanded.has(t.dataset.msg)));
  element.querySelectorAll('[data-expand]').forEach(b => {
    const open = expanded.has(b.dataset.expand);
    b.textContent = open ? b.dataset.less : b.dataset.more;
    b.setAttribute('aria-expanded', open ? 'true' : 'false');
  });
  element.querySelectorAll('[data-cite]').forEach(b => b.classList.toggle('cite-on', lit !== null &&
    b.dataset.msg === lit.msg && b.dataset.cite === lit.n && (b.dataset.kind || 'answer') === lit.kind));
}
element.addEventListener('click', (e) => {
  const c = e.target.closest('[data-cite]');
  if (c) {
    lit = {msg: c.dataset.msg, n: c.dataset.cite, kind: c.dataset.kind || 'answer'};
    apply();
    trigger('cite', {msg: Number(lit.msg), n: Number(lit.n), kind: lit.kind});
    return;
  }
  const x = e.target.closest('[data-expand]');
  if (x) {
    const k = x.dataset.expand;
    if (expanded.has(k)) expanded.delete(k); else expanded.add(k);
    apply();
  }
});
// A new question is pinned to the top of the box while its answer grows (the box cannot scroll that far until the
// answer is long enough), until the reader scrolls by hand.
let follow = false;
['wheel', 'touchmove', 'keydown'].forEach(t => element.addEventListener(t, () => { follow = false; }, {passive: true}));
watch('value', () => {
  const all = element.querySelectorAll('.turn');
  if (all.length < turns) { expanded.clear(); lit = null; }
  if (all.length > turns) follow = true;
  turns = all.length;
  apply();
  const b = box();
  if (b && follow && all.length) b.scrollTop = Math.max(0, all[all.length - 1].offsetTop - 8);
});
"""

# The article panel: scroll its own body (not the page) to the highlighted sentence; 关闭 or Escape closes it.  On a
# wide screen the panel starts below the header and sticks at the top once the page scrolls, so its height is what
# the window leaves below its top edge (CSS cannot know that edge): the close button and the text's end stay on
# screen in a 1000-px window.  The phone's bottom sheet keeps its CSS height.
ARTICLE_JS = """
function fit() {
  const view = element.querySelector('.article-view');
  if (!view) return;
  if (window.innerWidth <= __NARROW__) { view.style.maxHeight = ''; return; }
  const top = Math.max(10, view.getBoundingClientRect().top);
  view.style.maxHeight = Math.max(240, Math.floor(window.innerHeight - top - 12)) + 'px';
}
window.addEventListener('resize', fit, {passive: true});
window.addEventListener('scroll', fit, {passive: true});
function center() {
  const body = element.querySelector('.article-body');
  const mark = element.querySelector('#cite-active');
  if (body && mark) body.scrollTop = Math.max(0, mark.offsetTop - body.clientHeight / 3);
  else if (body) body.scrollTop = 0;
}
element.addEventListener('click', (e) => { if (e.target.closest('.article-close')) trigger('close'); });
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && element.querySelector('.article-view')) trigger('close');
});
watch('value', () => {
  fit();
  center();
  const view = element.querySelector('.article-view');
  if (view) view.focus({preventScroll: true});
});
""".replace("__NARROW__", str(NARROW))

# The counter under the question box: shown from 80% of the limit, red above it (the server refuses such a
# question with a message; this tells the reader before sending).  Counts as the server does: white space folded.
METER_JS = """
const limit = Number(props.limit);
const near = Math.floor(limit * 0.8);
let last = -1;
function update() {
  const t = document.querySelector('#question textarea');
  const out = element.querySelector('.meter-box');
  if (!t || !out) return;
  const n = [...t.value.replace(/\\s+/g, ' ').trim()].length;
  if (n === last) return;
  last = n;
  const over = n > limit;
  t.classList.toggle('over-limit', over);
  if (n < near) { out.textContent = ''; out.className = 'meter-box'; return; }
  out.className = 'meter-box ' + (over ? 'meter-over' : 'meter-near');
  out.textContent = over ? `${n} / ${limit} 字：超出 ${n - limit} 字，请缩短后再发送`
                         : `${n} / ${limit} 字`;
}
document.addEventListener('input', (e) => { if (e.target.closest && e.target.closest('#question')) update(); });
setInterval(update, 400);
"""

EXAMPLES_JS = """
element.addEventListener('click', (e) => {
  const b = e.target.closest('[data-q]');
  if (b) trigger('pick', {q: b.dataset.q});
});
"""

PAGE_CSS = """
:root, .gradio-container, .gradio-container * { font-family: __FONTS__ !important; }
.gradio-container code, .gradio-container pre { font-family: __MONO__ !important; }
.gradio-container { max-width: 1360px !important; margin: 0 auto; }
#app-header h1 { font-size: 1.55rem; margin: 0.1rem 0 0.2rem; }
#app-header p { color: var(--body-text-color-subdued); margin: 0; font-size: 0.93rem; line-height: 1.6; }
#main-row { align-items: flex-start !important; gap: 16px; }
#chat-col, #source-col { min-width: 0 !important; }

/* the conversation */
.chat-scroll { position: relative; height: clamp(340px, calc(100vh - 400px), 760px); overflow-y: auto;
  overscroll-behavior: contain; padding: 12px; border: 1px solid var(--border-color-primary); border-radius: 12px;
  background: var(--background-fill-secondary); box-sizing: border-box; }
.chat-empty { color: var(--body-text-color-subdued); text-align: center; margin-top: 18%; font-size: 0.95rem; }
.turn { margin: 0 0 14px; }
.msg { box-sizing: border-box; max-width: 94%; padding: 9px 14px; border-radius: 12px; font-size: 1rem;
  line-height: 1.75; overflow-wrap: anywhere; }
.msg-question { margin-left: auto; width: fit-content; background: #dbeafe; color: #0f172a; white-space: pre-wrap; }
.msg-answer { margin-top: 8px; background: var(--background-fill-primary);
  border: 1px solid var(--border-color-primary); }
.msg-answer p { margin: 0 0 0.4em; }
.msg-note { color: var(--body-text-color-subdued); font-size: 0.86rem; }
.msg-refused > p { color: #8a5a00; }
.msg-pending { color: var(--body-text-color-subdued); }
.answer-list { margin: 0.2em 0 0.4em; padding-left: 1.8em; }
.answer-list li { margin: 0 0 0.35em; }
.turn:not(.expanded) .more { display: none; }
.show-all { margin: 2px 0 4px; padding: 3px 12px; border-radius: 999px; border: 1px solid #93c5fd; background: #eff6ff;
  color: #1d4ed8; font-size: 0.88rem; cursor: pointer; }
.cite-ref { display: inline-block; margin: 0 1px; padding: 0 3px; border: 1px solid #c7d2fe; border-radius: 4px;
  background: #eef2ff; color: #1d4ed8; font-weight: 700; font-size: 0.78em; line-height: 1.35; vertical-align: super;
  cursor: pointer; }
.cite-ref:hover, .cite-ref.cite-on { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
.cite-ref:focus-visible, .src-cite:focus-visible, .show-all:focus-visible, .example:focus-visible,
.article-close:focus-visible { outline: 2px solid #f59e0b; outline-offset: 1px; }
.answer-sources { margin-top: 10px; padding-top: 8px; border-top: 1px dashed var(--border-color-primary); }
.sources-head { font-size: 0.82rem; color: var(--body-text-color-subdued); margin-bottom: 4px; }
.src-list { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.src { padding: 6px 8px; border-radius: 8px; background: var(--background-fill-secondary); min-width: 0; }
.src-head { font-size: 0.9rem; line-height: 1.5; }
.src-head .cite-ref { vertical-align: baseline; font-size: 0.78rem; }
.src-title { font-weight: 600; margin-left: 4px; }
.src-meta, .article-meta { color: var(--body-text-color-subdued); font-size: 0.8rem; line-height: 1.5;
  overflow-wrap: anywhere; word-break: break-word; }
.src-link { color: #1d4ed8 !important; text-decoration: underline; overflow-wrap: anywhere; word-break: break-all; }
.src-cites { display: flex; flex-direction: column; gap: 2px; margin-top: 2px; }
.src-cite { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; width: 100%;
  text-align: left; background: none; border: none; border-radius: 4px; padding: 1px 4px; margin: 0; color: inherit;
  font-size: 0.85rem; line-height: 1.55; cursor: pointer; }
.src-cite:hover { background: #eef2ff; }
.src-cite.cite-on { background: #fef3c7; }
.src-cite-n { color: #1d4ed8; font-weight: 700; }

/* the question box, its counter and the one notice line */
#ask-row { align-items: stretch; }
#question textarea.over-limit { border-color: #dc2626 !important; box-shadow: 0 0 0 1px #dc2626 !important; }
.meter-box { font-size: 0.82rem; text-align: right; }
/* empty helper lines take no room (the column's gap would otherwise push the examples off a 1000-px screen) */
#question-meter:has(.meter-box:empty), #notice:has(.notice-empty), #examples:empty { display: none !important; }
.meter-near { color: #92400e; }
.meter-over { color: #b91c1c; font-weight: 600; }
.notice-error { color: #b91c1c; background: #fef2f2; border: 1px solid #fecaca; border-radius: 8px; padding: 6px 10px;
  font-size: 0.92rem; overflow-wrap: anywhere; }
.examples { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.examples-label { color: var(--body-text-color-subdued); font-size: 0.86rem; }
.example { padding: 4px 12px; border-radius: 999px; border: 1px solid var(--border-color-primary);
  background: var(--background-fill-primary); color: inherit; font-size: 0.88rem; cursor: pointer; }
.example:hover { border-color: #6366f1; color: #1d4ed8; }

/* the source panel: beside the chat on wide screens (sticky, so it stays in view), a bottom sheet on phones */
#source-col { position: sticky; top: 10px; align-self: flex-start; }
.article-empty { color: var(--body-text-color-subdued); font-size: 0.9rem; line-height: 1.7; padding: 14px;
  border: 1px dashed var(--border-color-primary); border-radius: 12px; }
.article-view { display: flex; flex-direction: column; box-sizing: border-box; max-height: calc(100vh - 24px);
  padding: 10px 16px 12px; border: 1px solid var(--border-color-primary); border-radius: 12px;
  background: var(--background-fill-primary); outline: none; }
.article-bar { display: flex; justify-content: space-between; align-items: center; }
.article-kicker { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.article-close { border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: inherit; border-radius: 6px; padding: 2px 10px; font-size: 0.85rem; cursor: pointer; }
.article-title { font-size: 1.15rem; font-weight: 700; margin: 0.2rem 0 0.3rem; line-height: 1.5; }
.article-cited { font-size: 0.82rem; color: #1d4ed8; margin-top: 2px; }
.cited-active { font-weight: 700; background: #fde68a; border-radius: 3px; padding: 0 2px; }
.article-body { position: relative; flex: 1 1 auto; min-height: 0; overflow-y: auto; margin-top: 8px;
  padding-right: 6px; overscroll-behavior: contain; }
.article-body p { text-indent: 2em; line-height: 1.9; margin: 0 0 0.6em; font-size: 0.98rem; }
mark.cite-active { background: #fcd34d; color: inherit; padding: 1px 0; border-radius: 2px;
  box-shadow: 0 0 0 2px #f59e0b88; }
mark.cite-other { background: #fef6d8; color: inherit; border-bottom: 1px dashed #d9a400; }

@media (max-width: __NARROW__px) {
  .chat-scroll { height: clamp(300px, calc(100vh - 360px), 640px); }
  .chat-scroll:has(.chat-empty) { height: auto; min-height: 120px; }  /* leave room for the examples */
  .chat-empty { margin-top: 36px; }
  .msg { max-width: 100%; }
  #source-col { position: fixed !important; left: 0; right: 0; bottom: 0; top: auto; z-index: 1000;
    width: 100% !important;
    margin: 0 !important; padding: 0 !important; }
  #source-col:not(:has(.article-view)) { display: none !important; }
  .article-view { max-height: 72vh; border-radius: 16px 16px 0 0; box-shadow: 0 -10px 30px rgba(15, 23, 42, 0.25); }
}

/* touch screens: each [n] keeps its size in the line but takes taps within 44 px around it (a 12-px glyph is too
   small a target for a finger); the transparent box is positioned, so it sits above the text around the marker */
@media (max-width: __NARROW__px), (pointer: coarse) {
  .cite-ref { position: relative; padding: 0 5px; }
  .cite-ref::after { content: ""; position: absolute; left: 50%; top: 50%; width: max(100%, 44px);
    height: max(100%, 44px); transform: translate(-50%, -50%); }
}

/* staff */
.status-table { border-collapse: collapse; font-size: 0.92rem; border: none !important; margin: 0.2rem 0 0.4rem; }
.status-table tr, .status-table th, .status-table td { border: none !important; background: none !important; }
.status-table th { text-align: left; padding: 0.2rem 1rem 0.2rem 0; color: var(--body-text-color-subdued);
  font-weight: 500; white-space: nowrap; vertical-align: top; }
.status-table td { padding: 0.2rem 0; overflow-wrap: anywhere; }
.status-label { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 6px 0 4px; }
.month-chart { max-width: 760px; }
.bars { display: flex; align-items: flex-end; gap: 1px; height: 90px;
  border-bottom: 1px solid var(--border-color-primary); }
.bar { position: relative; flex: 1 1 0; min-width: 2px; height: 100%; display: flex; align-items: flex-end; }
.bar-fill { width: 100%; background: #60a5fa; border-radius: 2px 2px 0 0; }
.bar:hover .bar-fill { background: #1d4ed8; }
.bar-year { border-left: 1px dotted #94a3b8; }
.bar-label { position: absolute; top: calc(100% + 1px); left: 2px; font-size: 0.7rem;
  color: var(--body-text-color-subdued); }
.chart-axis { margin-top: 16px; display: flex; justify-content: space-between; font-size: 0.78rem;
  color: var(--body-text-color-subdued); }
.status-warn { color: #92400e; }
.status-ok { color: #166534; }
.status-changed { color: #92400e; font-size: 0.9rem; }
.status-skipped { font-size: 0.9rem; }
.status-confirm { margin: 8px 0; padding: 8px 12px; border: 1px solid #f59e0b; background: #fffbeb;
  border-radius: 8px; }
.status-progress { margin: 8px 0; color: #1d4ed8; display: flex; align-items: center; gap: 8px; }
.spinner { width: 14px; height: 14px; border: 2px solid #bfdbfe; border-top-color: #1d4ed8; border-radius: 50%;
  animation: spin 0.9s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
.status-log { font-size: 0.8rem; white-space: pre-wrap; max-height: 160px; overflow-y: auto;
  background: var(--background-fill-secondary); padding: 0.4rem 0.6rem; border-radius: 6px; }
.status-error { color: #b91c1c; }
.status-cli { font-size: 0.86rem; color: var(--body-text-color-subdued); }
""".replace("__FONTS__", ", ".join(FONT_STACK)).replace("__MONO__", ", ".join(MONO_STACK)).replace(
    "__NARROW__", str(NARROW))
