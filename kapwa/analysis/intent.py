"""Intent step: ``intent`` and ``needs_answer`` from English / Filipino / Taglish cue rules.

Intents: question, complaint, praise, feature_request, bug_report, spam, other.

Precedence (the first that applies wins):

1. spam - a money lure (earn ₱N daily, crypto, giveaway, investment ...) together with a contact/link
   (DM me, telegram, whatsapp, t.me/, http...), or two different lures;
2. bug_report - error, crash, bug, "nag-crash", "ayaw mag-load", stuck, "error 503" ...;
3. complaint - "ang bagal", "hindi gumagana", nawala, scam, refund, "double charge", worst ... *unless* the
   praise cues outnumber the complaint cues ("Ang bilis ng refund, salamat!"); the optional
   ``sentiment_label`` of an earlier step moves that comparison by one either way;
4. feature_request - sana, "please add", "pwede bang magdagdag", "would be nice", request lang ...;
5. question - "?", paano, bakit, saan, kailan, "pwede po ba", "how do I", "is there", "anyone know",
   patulong / pa-help ...;
6. praise - salamat, thank you, galing, love, "ang bilis", "the best", 👏 🙌 ❤️ ...;
7. other.

``needs_answer``: question (unless rhetorical: "bakit ganito?!", "seriously?"), bug_report, and a complaint
that asks for action (a non-rhetorical "?", please / paki- / refund / ibalik / ayusin / help ..., or money gone missing:
double charge, nawala, na-deduct, unauthorized, hacked).
Never for spam, praise, feature_request or other.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np

from kapwa.analysis.lexicon_tl import batch_words


def _rx(*patterns: str) -> re.Pattern[str]:
    """One alternation, matched on lowercased text; a shared leading ``\\b`` is factored out (much faster)."""
    bounded = [p[2:] for p in patterns if p.startswith(r"\b")]
    rest = [p for p in patterns if not p.startswith(r"\b")]
    parts = ([r"\b(?:" + "|".join(f"(?:{p})" for p in bounded) + ")"] if bounded else []) + [f"(?:{p})" for p in rest]
    return re.compile("|".join(parts))


SPAM_LURE = _rx(
    r"\bearn(?:ing)?\s+(?:up\s+to\s+)?(?:[₱$]|php|p)\s?\d", r"(?:[₱$]|\bphp\s?)\d[\d,.]*k?\s*(?:daily|a\s+day|per\s+day|/\s?day|weekly|kada\s+araw|araw-araw)",
    r"\bgiveaways?\b", r"\bcrypto\b", r"\bbitcoin\b", r"\busdt\b", r"\bforex\b", r"\binvest(?:ment|ing)?\b",
    r"\bpassive\s+income\b", r"\bguarantee[d]?\s+(?:profit|income|return)", r"\bdouble\s+your\b", r"\bkumita\b",
    r"\bkikita\b", r"\bextra\s+income\b", r"\bwork\s+from\s+home\b", r"\bfree\s+money\b", r"\blibreng\s+pera\b",
    r"\blegit\s+paying\b", r"\bcasino\b", r"\bonline\s+sabong\b", r"\bclick\s+(?:here|the\s+link)\b",
    r"\blimited\s+slots?\b", r"\bprofit\b", r"\bcashout\s+agad\b")
SPAM_CONTACT = _rx(
    r"\b(?:dm|pm|msg|message|chat|text|add|contact)\s+(?:me|us|lang)\b", r"\bwhats\s?app\b", r"\btelegram\b",
    r"\bt\.me/", r"\bwa\.me/", r"\bviber\b", r"(?<![\w.])@[a-z0-9_]{3,}\b", r"\blink\s+in\s+(?:my\s+)?bio\b",
    r"https?://", r"\bbit\.ly/", r"\bwww\.")

BUG = _rx(
    r"\berror\b", r"\bcrash(?:es|ed|ing)?\b", r"\bnag-?crash\b", r"\bnagc?crash\b", r"\bbug(?:s|gy)?\b",
    r"\bglitch", r"\b(?:ayaw|hindi|di|hnd)\s+(?:mag-?load|bumukas|mag-?open|mag-?log\s?in)\b", r"\bstuck\b",
    r"\bnaka-?stuck\b", r"\bforce\s+clos", r"\bfreez(?:e|es|ing)\b", r"\bnag-?ha-?hang\b", r"\bnaghahang\b",
    r"\b(?:blank|white|black)\s+screen\b", r"\bnot\s+loading\b", r"\bwon'?t\s+(?:load|open)\b",
    r"\b(?:doesn'?t|does\s+not|can'?t|cannot)\s+(?:open|load)\b", r"\bnagloloko\b", r"\bcode\s*:?\s*\d{2,}\b",
    r"\bkeeps?\s+(?:closing|crashing|loading)\b", r"\bnag-?e-?error\b")
COMPLAINT = _rx(
    r"\bang\s+bagal\b", r"\bsobrang\s+bagal\b", r"\bbagal\b", r"\b(?:hindi|di|hnd)\s+(?:gumagana|gumana)\b",
    r"\bayaw\s+gumana\b", r"\bnot\s+working\b", r"\b(?:doesn'?t|does\s+not|didn'?t)\s+work\b", r"\bnawa(?:la|wala)\b",
    r"\bscam(?:mer|med)?\b", r"\brefund\b", r"\bbakit\s+ganito\b", r"\bdouble[-\s]?charg", r"\bnabawasan\b",
    r"\bna-?deduct\b", r"\bdeducted\b", r"\bterrible\b", r"\bworst\b", r"\bpangit\b", r"\bdisappoint",
    r"\bdismayado\b", r"\bnakakainis\b", r"\bbad-?trip\b", r"\bbwisit\b", r"\buseless\b", r"\bawful\b",
    r"\bhorrible\b", r"\bunacceptable\b", r"\bwalang\s+(?:sumasagot|response|reply)\b", r"\bno\s+(?:response|reply)\b",
    r"\bstill\s+waiting\b", r"\bang\s+tagal\b", r"\bsobrang\s+tagal\b", r"\bslow\b", r"\bfrustrat", r"\breklamo\b",
    r"\bcomplain", r"\bnever\s+again\b", r"\bdelayed\b", r"\bunauthori[sz]ed\b", r"\bna-?hack", r"\bhacked\b",
    r"\bibalik\b", r"\breturn\s+my\s+money\b", r"\bnakaka-?(?:asar|inis|badtrip)\b", r"\bsayang\b", r"\bhassle\b",
    r"\bkawawa\b", r"\bpalpak\b", r"\bnanakawan\b", r"\bmagrereklamo\b")
FEATURE = _rx(
    # "sana" is a wish; "sana all" is envy and "sana may sumagot/tumulong" hopes for an answer, not a feature.
    r"\bsana\b(?!\s+all\b)(?!\s+(?:po\s+)?(?:may\s+)?(?:sumagot|sagutin|makasagot|tumulong|matulungan|ma-?resolve|maayos))",
    r"\bpwede\s+(?:po\s+)?(?:bang?|po\s+bang?)\s+(?:mag-?dagdag|mag-?lagay|lagyan|dagdagan)",
    r"\bmagdagdag\b", r"\bdagdagan\b", r"\blagyan\b", r"\b(?:please|pls|plz|pakid?)\s+add\b",
    r"\b(?:can|could|will)\s+you\s+(?:please\s+)?add\b", r"\bwould\s+be\s+(?:nice|great|awesome|cool|helpful)\b",
    r"\bit'?d\s+be\s+(?:nice|great)\b", r"\bfeature\s+request\b", r"\brequest\s+lang\b", r"\bsuggestion\b",
    r"\bi\s+suggest\b", r"\bi\s+wish\b", r"\bhope\s+you\s+(?:can|will|could)\s+add\b", r"\bplease\s+support\b",
    r"\bnew\s+feature\b", r"\badd\s+(?:an?\s+)?option\b")
_WHAT = r"what(?!\s+an?\b)"
_HOW = r"how(?!\s+(?:nice|great|cool|awesome|sweet|sad|annoying|frustrating|disappointing|rude|dare)\b)"
QUESTION = _rx(
    r"\?", r"\b(?:paano|pano|bakit|bat|saan|nasaan|kailan|magkano|ilang\s+araw|sino|alin)\b", r"\bano\s+(?:po|ba|pong|ang)\b",
    r"\bpwede\s+(?:po\s+)?ba\b", r"\bmeron\s+(?:po\s+)?bang?\b", r"\bmay\s+(?:alam|nakaka-?alam)\b",
    # an exclamation ("What a joke of an app.", "How annoying!") is not a question; with a "?" it still is one
    rf"^\s*(?:{_HOW}|{_WHAT}|why|where|when|who|which|can|could|is|are|does|do|did|will|should|has|have)\b",
    rf"[.!]\s*(?:{_HOW}|{_WHAT}|why|where|when|who|which|can|could|is|are|does|do)\s", r"\bhow\s+(?:do|can|to)\b",
    r"\bis\s+there\b", r"\banyone\s+(?:know|knows|tried|else)\b", r"\bpa-?help\b", r"\bpatulong\b",
    r"\bpaturo\b", r"\bhelp\s+(?:po|naman|please|pls)\b", r"\bneed\s+help\b", r"\bquestion\s+lang\b",
    r"\bpaki-?(?:check|sagot|explain|tulong)\b")
PRAISE = _rx(
    r"\bsalamat\b", r"\bthank(?:s|\s+you)\b", r"\bty\b", r"\bgaling\b", r"\blove\b", r"\bang\s+bilis\b",
    r"\bsobrang\s+bilis\b", r"\bthe\s+best\b", r"\bgreat\b", r"\bawesome\b", r"\bamazing\b", r"\bang\s+ganda\b",
    r"\bganda\b", r"\bsolid\b", r"\bsulit\b", r"\bnice\b", r"\bhelpful\b", r"\bna-?resolve\b", r"\bresolved\b",
    r"\b(?:ayos|okay|ok|fixed|gumana)\s+na\b", r"\bworks\s+now\b", r"\bexcellent\b", r"\bperfect\b", r"\bpanalo\b",
    r"\bthe\s+goat\b", "👏", "🙌", "❤", "😍", "💯", "🥰", "👍", "💙", "🎉")
RHETORICAL = _rx(
    r"\?\s*!|!\s*\?", r"\bseriously\b", r"\bbakit\s+ganito\b", r"\bano\s+ba\s+(?:yan|naman)\b", r"\breally\?",
    r"\bare\s+you\s+kidding\b", r"\bdiba\?", r"\bwho\s+does\s+that\b", r"\bano\s+ba\s+talaga\b")
ACTION = _rx(
    r"\bplease\b", r"\bpls\b", r"\bplz\b", r"\bpaki", r"\bpa-?check\b", r"\bhelp\b", r"\btulong", r"\brefund\b",
    r"\bibalik\b", r"\bayusin\b", r"\bfix\b", r"\basap\b", r"\bcontact\b", r"\brespond", r"\bsagot", r"\breply\b",
    r"\bescalate\b", r"\breturn\s+my\b", r"\bkailan\b", r"\bpaano\b", r"\bwhen\s+will\b", r"\bwhat\s+should\b",
    # money gone missing asks for action even without a question
    r"\bdouble[-\s]?charg", r"\bnawala\b", r"\bna-?deduct", r"\bdeducted\b", r"\bnabawasan\b", r"\bunauthori[sz]ed\b",
    r"\bna-?hack", r"\bhacked\b", r"\bnanakawan\b")


# Gates: a pattern can only match when the text has one of these words (maximal runs of letters, so
# "nag-crash" has "nag" and "crash"), a word starting with one of the prefixes, or one of the characters.
# They are a superset of what each pattern needs, so a closed gate skips a regex scan without changing the
# result (checked against the plain rules in tests/analysis/test_intent.py).
_GATES = {
    # the "₱500 daily" pattern is gated by its currency ("₱", "$", "php"), the two-word lures by the rarer word
    "spam": ("earn earning giveaway giveaways crypto bitcoin usdt forex invest investment investing passive "
             "guarantee guaranteed double kumita kikita income home free libreng paying casino sabong click "
             "slot slots profit cashout php", (), ("₱", "$")),
    "bug": ("error crash crashes crashed crashing nagcrash nagccrash bug bugs buggy load magload bumukas open "
            "magopen log maglog login maglogin stuck nakastuck force freeze freezes freezing hang hahang "
            "naghahang screen loading nagloloko code keep keeps nageerror eerror", ("glitch",), ()),
    "complaint": ("bagal gumagana gumana working work nawala nawawala scam scammer scammed refund ganito double "
                  "nabawasan deduct nadeduct deducted terrible worst pangit dismayado nakakainis trip badtrip "
                  "bwisit useless awful horrible unacceptable sumasagot response reply waiting tagal slow "
                  "reklamo never delayed unauthorized unauthorised ibalik return asar inis nakakaasar "
                  "nakakabadtrip sayang hassle kawawa palpak nanakawan magrereklamo",
                  ("doublecharg", "disappoint", "frustrat", "complain", "hack", "nahack"), ()),
    "feature": ("sana dagdag magdagdag lagay maglagay dagdagan lagyan add would d itd feature request suggestion "
                "suggest wish support", (), ()),
    "question": ("paano pano bakit bat saan nasaan kailan magkano ilang sino alin ano pwede meron alam nakakaalam "
                 "how what why where when who which can could is are does do did will should has have there "
                 "anyone help pahelp patulong paturo question check sagot explain tulong pakicheck pakisagot "
                 "pakiexplain pakitulong", (), ("?",)),
    "praise": ("salamat thanks thank ty galing love bilis best great awesome amazing ganda solid sulit nice "
               "helpful resolve naresolve resolved ayos okay ok fixed gumana works excellent perfect panalo goat",
               (), ("👏", "🙌", "❤", "😍", "💯", "🥰", "👍", "💙", "🎉")),
}
_BIT = {name: 1 << i for i, name in enumerate(_GATES)}
_GATE_WORDS = {name: frozenset(words.split()) for name, (words, _, _) in _GATES.items()}
_GATE_PREFIXES = {name: prefixes for name, (_, prefixes, _) in _GATES.items() if prefixes}
_GATE_CHARS = [(_BIT[name], chars) for name, (_, _, chars) in _GATES.items() if chars]
_RUN = re.compile(r"[^\W\d_]+")
_RUN_SEP = re.compile(r"\x00|[^\W\d_]+")
SEP_BITS = 1 << 30
_word_bits: dict[str, int] = {"\x00": SEP_BITS}
_CACHE_MAX = 200_000
ALL = (1 << len(_GATES)) - 1


def _word_gates(word: str) -> int:
    bits = 0
    for name, words in _GATE_WORDS.items():
        if word in words or word.startswith(_GATE_PREFIXES.get(name, "\x00")):
            bits |= _BIT[name]
    return bits


def _bits_of(word: str) -> int:
    bits = _word_bits.get(word)
    if bits is None:
        bits = _word_gates(word)
        if len(_word_bits) > _CACHE_MAX:
            _word_bits.clear()
            _word_bits["\x00"] = SEP_BITS
        _word_bits[word] = bits
    return bits


def _char_gates(t: str, bits: int) -> int:
    if "?" in t:
        bits |= _BIT["question"]
    if not t.isascii() or "$" in t:
        for bit, chars in _GATE_CHARS:
            if not bits & bit and any(c in t for c in chars):
                bits |= bit
    return bits


def gates(t: str) -> int:
    """Which patterns can match the lowercased text ``t`` (a bit per entry of _GATES)."""
    bits = 0
    get = _word_bits.get
    for w in _RUN.findall(t):
        b = get(w)
        bits |= _bits_of(w) if b is None else b
    return _char_gates(t, bits)


def batch_gates(lows: list[str]) -> list[int]:
    """gates() of every lowercased text of a batch, with one regex pass over the batch."""
    joined = "\n\x00\n".join(lows)
    if joined.count("\x00") != len(lows) - 1:  # a text carries the separator itself
        return [gates(t) for t in lows]
    return _gates_of_flat(["\x00", *_RUN_SEP.findall(joined), "\x00"], _word_bits, _word_gates, lows)


def _gates_of_flat(flat: list[str], cache: dict[str, int], bits_of, lows: list[str]) -> list[int]:
    """Per text, the OR of ``bits_of(token)`` over its tokens in ``flat`` (SEP, text 0's tokens, SEP, …, SEP),
    each distinct token computed once and kept in ``cache``; then the character gates of each text."""
    new = set(flat).difference(cache)  # tokens not seen before: look them up once
    if len(cache) + len(new) > _CACHE_MAX:
        cache.clear()  # start afresh, with every token of this batch
        cache["\x00"] = SEP_BITS
        new = set(flat).difference(cache)
    for w in new:
        cache[w] = bits_of(w)
    codes = np.fromiter(map(cache.get, flat), np.int64, len(flat))
    seps = np.flatnonzero(codes == SEP_BITS)
    codes[seps] = 0
    per_text = np.bitwise_or.reduceat(codes, seps[:-1]).tolist()
    return [_char_gates(t, b) for t, b in zip(lows, per_text, strict=True)]


def classify(text: str, sentiment_label: str | None = None, *, gated: bool = True) -> tuple[str, bool]:
    """(intent, needs_answer) for one text; ``sentiment_label`` (optional) only breaks praise/complaint ties.
    ``gated=False`` runs every pattern (the reference the gates are tested against)."""
    t = (text or "").strip().lower()
    return _classify(t, gates(t) if gated else ALL, sentiment_label)


def _classify(t: str, g: int, sentiment_label: str | None) -> tuple[str, bool]:
    if not t:
        return "other", False
    lure = SPAM_LURE.findall(t) if g & _BIT["spam"] else ()
    if lure and (SPAM_CONTACT.search(t) or len(set(lure)) >= 2):
        return "spam", False
    if g & _BIT["bug"] and BUG.search(t):
        return "bug_report", True
    complaint = len(COMPLAINT.findall(t)) if g & _BIT["complaint"] else 0
    praise = len(PRAISE.findall(t)) if g & _BIT["praise"] else 0
    if complaint:
        lean = {"positive": 1, "negative": -1}.get(sentiment_label or "", 0)
        if praise + lean <= complaint:
            asks = ("?" in t and not RHETORICAL.search(t)) or bool(ACTION.search(t))
            return "complaint", asks
    if g & _BIT["feature"] and FEATURE.search(t):
        return "feature_request", False
    if g & _BIT["question"] and ("?" in t or QUESTION.search(t)):  # "?" alone is a question cue
        return "question", not RHETORICAL.search(t)
    if praise:
        return "praise", False
    return "other", False


def _token_bits(tok: str) -> int:
    """gates() bits of one lexicon_tl.words() token: the OR over its runs of letters ("nag-crash", "don't")."""
    bits = 0
    for w in _RUN.findall(tok):
        bits |= _bits_of(w)
    return bits


_tok_bits: dict[str, int] = {"\x00": SEP_BITS}  # per lexicon_tl.words() token


def _batch_gates_words(texts: list[str], lows: list[str]) -> list[int]:
    """batch_gates(lows), from the batch's lexicon_tl.batch_words(texts) (which the language step has
    usually made already): a text's maximal runs of letters are exactly the runs of letters of its words."""
    return _gates_of_flat(batch_words(texts), _tok_bits, _token_bits, lows)


class IntentStep:
    name: ClassVar[str] = "intent"
    version: ClassVar[str] = "rules-kapwa-1"
    order: ClassVar[int] = 40

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        if not texts:
            return
        lows = [(t or "").strip().lower() for t in texts]
        for t, g, r in zip(lows, _batch_gates_words(texts, lows), results, strict=True):
            r["intent"], r["needs_answer"] = _classify(t, g, r.get("sentiment_label"))
