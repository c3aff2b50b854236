"""The empathy check: a reply draft is read before it goes out, against the member it answers.

``check_reply(draft, member_texts=…, member_language=…, member_name=…, member_sentiment=…)`` returns an
:class:`EmpathyReport` whose findings each name the problem, a concrete fix in the member's language where
it applies, and (for a phrase) where it is in the draft:

* ``harsh`` — insults, profanity or a hostile draft (the analysis chain's toxicity, plus a reply-specific
  word list); ``shouting`` — words in capitals; ``exclamation`` — "!!!";
* ``dismissive`` — "as I said", "just read the FAQ", "calm down", "wala kaming magagawa"… with a replacement;
* ``blaming`` — "you should have", "your fault", "ikaw kasi", "kasalanan mo"… with a reframe;
* ``tone_clash`` — the member is upset and the reply does not acknowledge it (an acknowledging opening with
  their first name); ``no_apology`` — the same when they report failed money or an outage (an apology
  template); ``cheerful_emoji`` — an emoji-only or laughing reply to an upset member;
* ``language_mismatch`` — the member writes Filipino/Taglish and the reply is English, or the reverse (with
  the saved reply of the same name in their language when there is one);
* info: ``no_name`` and ``no_next_step`` on a complaint, ``no_po`` when a Filipino member used "po".

Word lists are in :mod:`kapwa.inbox.empathy_lexicon`. Messages follow the teammate's UI language; the texts
a fix inserts follow the member's language. Spans are code-point offsets into the draft.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kapwa.core.i18n import gettext
from kapwa.inbox import empathy_lexicon as L
from kapwa.inbox.empathy_text import caps_runs, exclamation_runs, fill_variables, first_name, sentence_start
from kapwa.inbox.textsim import similarity

log = logging.getLogger("kapwa.inbox")
UPSET_AT = -0.3  # sentiment at or below this is an upset member
TOXIC_AT = 0.5
# A draft is called hostile on the model's score alone only from here: a teammate's reply is rarely abusive,
# and the toxicity model scores some firm but polite wording ("Please do NOT share your OTP") near 0.5, so a
# lower bar would warn on good replies. Insults are caught below that by the wording lists (L.HARSH).
HOSTILE_DRAFT_AT = 0.7
MIN_WORDS_TONE = 4  # drafts shorter than this are still being typed: no tone or next-step findings yet
MIN_WORDS_LANGUAGE = 5
LANGUAGE_NAMES = {"en": L.N_("English"), "tl": L.N_("Filipino"), "taglish": L.N_("Taglish")}
_WORDS = re.compile(r"[^\W\d_]+", re.UNICODE)
_NEGATED_BEFORE = re.compile(r"(?:\b(?:not|never|hindi|di|if|kung|in case|when)\s+(?:\w+\s+){0,2}|n['’]t\s+(?:\w+\s+){0,2})$",
                             re.IGNORECASE)
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies|pasensya|pasensiya|paumanhin|patawad)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # "warn" | "info"
    message: str  # what is wrong, in the teammate's UI language
    suggestion: str  # what to do instead: the text a fix inserts, or advice
    span: tuple[int, int] | None = None  # the phrase in the draft (code points)
    phrase: str | None = None
    fix: str | None = None  # "replace" (the span), "prepend", "append", "replace_draft" or None (advice only)
    replacement: str | None = None  # the text the fix inserts (may differ from ``suggestion``)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message, "suggestion": self.suggestion,
                "span": list(self.span) if self.span else None, "phrase": self.phrase, "fix": self.fix,
                "replacement": self.replacement}


@dataclass
class EmpathyReport:
    findings: list[Finding] = field(default_factory=list)
    draft_language: str | None = None
    member_language: str | None = None
    member_upset: bool = False
    reply_language: str = "en"
    elapsed_ms: float = 0.0

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warn"]

    @property
    def ok(self) -> bool:
        return not self.warnings

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "warnings": len(self.warnings), "infos": len(self.findings) - len(self.warnings),
                "findings": [f.to_dict() for f in self.findings], "draft_language": self.draft_language,
                "member_language": self.member_language, "member_upset": self.member_upset,
                "reply_language": self.reply_language, "elapsed_ms": round(self.elapsed_ms, 2)}


@dataclass(frozen=True)
class MemberRead:
    """What the check needs to know about the member, from their latest messages (cached per texts)."""

    language: str | None = None  # en, tl, taglish
    upset: bool = False
    complaint: bool = False
    money_or_outage: bool = False
    topic: tuple[str, str] | None = None  # (English, Filipino)
    uses_po: bool = False
    sentiment: float | None = None


@lru_cache(maxsize=1)
def _chains():
    from kapwa.analysis.chain import Chain

    return Chain(only={"language", "toxicity"}), Chain(only={"language", "sentiment", "toxicity", "intent"})


def _lang_of(result: dict) -> str | None:
    if result.get("is_taglish"):
        return "taglish"
    lang = result.get("language")
    if lang in ("tl", "fil"):
        return "tl"
    return lang if lang == "en" else None


@lru_cache(maxsize=512)
def read_member(texts: tuple[str, ...]) -> MemberRead:
    texts = tuple(t for t in texts if t and t.strip())[-3:]
    if not texts:
        return MemberRead()
    results = _chains()[1].analyze(list(texts))
    latest = results[-1]
    scores = [r.get("sentiment_score") for r in results if r.get("sentiment_score") is not None]
    complaint = any(r.get("intent") == "complaint" or (r.get("intent") == "bug_report"
                                                        and (r.get("sentiment_score") or 0) < 0) for r in results)
    angry = any((r.get("toxicity_score") or 0) >= TOXIC_AT for r in results)
    latest_score = latest.get("sentiment_score")
    upset = angry or (latest_score is not None and latest_score <= UPSET_AT) or latest.get("intent") == "complaint" \
        or (complaint and (latest_score is None or latest_score < 0.3))
    language = None
    for r, t in zip(reversed(results), reversed(texts), strict=True):
        if (lang := _lang_of(r)) and len(_WORDS.findall(t)) >= 3:
            language = lang
            break
    joined = " \n".join(texts)
    topic = None
    for pattern, en, tl in L.PROBLEM_TOPICS:
        if re.search(pattern, joined, re.IGNORECASE):
            topic = (en, tl)
            break
    return MemberRead(language=language, upset=upset, complaint=complaint or upset,
                      money_or_outage=bool(L.MONEY_OR_OUTAGE.search(joined)), topic=topic,
                      uses_po=bool(L.PO.search(joined)), sentiment=min(scores) if scores else None)


def _norm_language(value: str | None) -> str | None:
    if not value:
        return None
    value = value.lower()
    if value in ("tl", "fil", "tagalog", "filipino"):
        return "tl"
    return value if value in ("en", "taglish") else None


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _with_name(template: str, name: str | None, **kw) -> str:
    return template.format(name=f", {name}" if name else "", **kw)


def _phrase_findings(draft: str, code: str, phrases: Sequence[L.Phrase],
                     taken: list[tuple[int, int]]) -> list[Finding]:
    out: list[Finding] = []
    for ph in phrases:
        for m in ph.rx.finditer(draft):
            start, end = m.span()
            if end <= start or any(start < b and a < end for a, b in taken):
                continue
            if code == "blaming" and _NEGATED_BEFORE.search(draft[max(0, start - 30) : start]):
                continue  # "it's not your fault", "if you didn't get the OTP"
            phrase = draft[start:end].strip()
            replacement = ph.replacement
            at_start = sentence_start(draft, start)
            if replacement:
                if at_start:
                    replacement = replacement[:1].upper() + replacement[1:]
                elif replacement[:1].isupper() and not re.match(r"I\b|I['’]", replacement):
                    replacement = replacement[:1].lower() + replacement[1:]
                if end < len(draft) and draft[end - 1 : end].isspace():
                    replacement += " "
                suggestion = replacement.strip()
            else:
                # Removing a phrase at the start of a sentence: the next word starts the sentence now.
                if at_start and end < len(draft) and draft[end].islower():
                    replacement = draft[end].upper()
                    end += 1
                suggestion = gettext("Remove “%(phrase)s”", phrase=phrase)
            taken.append((start, end))
            out.append(Finding(code, "warn", gettext(ph.why), suggestion, (start, end), phrase, "replace",
                               replacement))
    return out


def _emoji_only(draft: str) -> bool:
    return not _WORDS.search(draft) and any(ch in L.CHEERFUL_EMOJI for ch in draft)


def check_reply(draft: str, *, member_texts: Sequence[str] = (), member_language: str | None = None,
                member_name: str | None = None, member_sentiment: float | None = None,
                saved_replies: Sequence[Any] | None = None, agent_name: str | None = None) -> EmpathyReport:
    """Read ``draft`` against the member it answers (see the module docstring).

    ``saved_replies``: objects with ``name``, ``language``, ``body`` (and ``id``) — offered when the draft is in
    another language than the member's; ``agent_name`` fills ``{agent_name}`` in them.
    """
    started = time.perf_counter()
    report = EmpathyReport()
    draft = draft or ""
    if not draft.strip():
        return report
    member = read_member(tuple(member_texts or ()))
    m_lang = _norm_language(member_language) or member.language
    if m_lang == "tl" and member.language == "taglish":
        m_lang = "taglish"
    upset = member.upset or (member_sentiment is not None and member_sentiment <= UPSET_AT)
    name = first_name(member_name)
    draft_result = _chains()[0].analyze([draft])[0]
    d_lang = _lang_of(draft_result)
    if m_lang in ("tl", "taglish"):
        reply_lang = "tl"
    elif m_lang == "en":
        reply_lang = "en"
    else:
        reply_lang = "tl" if d_lang in ("tl", "taglish") else "en"
    report.draft_language, report.member_language = d_lang, m_lang
    report.member_upset, report.reply_language = upset, reply_lang
    n_words = len(_WORDS.findall(draft))
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    # Wording: harsh, blaming, dismissive phrases (in this order of precedence), capitals, "!!!".
    findings += _phrase_findings(draft, "harsh", L.HARSH, taken)
    findings += _phrase_findings(draft, "blaming", L.BLAMING, taken)
    findings += _phrase_findings(draft, "dismissive", L.DISMISSIVE, taken)
    for start, end, fixed in caps_runs(draft, L.ACRONYMS):  # may overlap a phrase: both are worth fixing
        if any(a <= start and end <= b for a, b in taken):
            continue  # the whole shouted run is a phrase already flagged ("CALM DOWN")
        findings.append(Finding("shouting", "warn", gettext("Capital letters read as shouting."), fixed,
                                (start, end), draft[start:end], "replace", fixed))
    for start, end in exclamation_runs(draft):
        fixed = "." if upset else "!"
        findings.append(Finding("exclamation", "warn" if upset or findings else "info",
                                gettext("A row of exclamation marks reads as shouting or sarcasm."), fixed,
                                (start, end), draft[start:end], "replace", fixed))
    toxicity = draft_result.get("toxicity_score") or 0.0
    harsh_draft = toxicity >= HOSTILE_DRAFT_AT and not any(f.code == "harsh" for f in findings)
    if harsh_draft:
        opening = _with_name(L.CALM_REWRITE[reply_lang], name)
        findings.append(Finding(
            "harsh", "warn", gettext("This reply reads as hostile (toxicity %(score)s%%). Rewrite it calmly: "
                                     "describe the problem, not the person.", score=round(toxicity * 100)),
            opening.strip(), fix="prepend", replacement=opening))

    # Tone: an upset member gets an acknowledgement (or an apology for money or an outage), not a smiley.
    acknowledged = bool(L.ACKNOWLEDGE.search(draft))
    name_used = bool(name) and re.search(rf"\b{re.escape(_fold(name))}\b", _fold(draft)) is not None
    offered_opening = harsh_draft
    if upset and _emoji_only(draft):
        opening = _opening(member, reply_lang, name)
        findings.append(Finding("cheerful_emoji", "warn",
                                gettext("An emoji on its own reads as brushing off an upset member."),
                                opening.strip(), fix="replace_draft", replacement=opening.strip()))
        offered_opening = True
    elif upset:
        for i, ch in enumerate(draft):
            if ch in L.LAUGHING_EMOJI:
                findings.append(Finding("cheerful_emoji", "warn",
                                        gettext("A laughing emoji reads as mocking to an upset member."),
                                        gettext("Remove “%(phrase)s”", phrase=ch), (i, i + 1), ch, "replace", ""))
    if upset and not acknowledged and not offered_opening and n_words >= MIN_WORDS_TONE and L.GOOD_NEWS.search(draft):
        thanks = _with_name(L.THANKS_FOR_PATIENCE[reply_lang], name)
        findings.append(Finding("tone_clash", "info", gettext(
            "Good news for a member who was upset: thank them for their patience too."), thanks.strip(),
            fix="prepend", replacement=thanks))
        offered_opening = True
    if upset and not acknowledged and not offered_opening and n_words >= MIN_WORDS_TONE:
        opening = _opening(member, reply_lang, name)
        if member.money_or_outage:
            findings.append(Finding("no_apology", "warn", gettext(
                "The member reports a problem with their money or the service, and the reply does not apologise. "
                "Start with an apology and what you are doing about it."), opening.strip(), fix="prepend",
                replacement=opening))
        else:
            findings.append(Finding("tone_clash", "warn", gettext(
                "The member is upset and the reply does not acknowledge it. Open by acknowledging how they feel."),
                opening.strip(), fix="prepend", replacement=opening))
        offered_opening = True

    # Language: reply in the member's language (with the matching saved reply when there is one).
    mismatch = n_words >= MIN_WORDS_LANGUAGE and (
        (m_lang in ("tl", "taglish") and d_lang == "en") or (m_lang == "en" and d_lang == "tl"))
    if mismatch:
        findings.append(_language_finding(draft, d_lang, m_lang, reply_lang, name, saved_replies, agent_name))

    # Hints on a complaint: the member's name, a next step; "po" for a member who used it.
    if member.complaint or upset:
        if name and not name_used and not offered_opening and n_words >= MIN_WORDS_TONE:
            greeting = _greeting(reply_lang, name)
            findings.append(Finding("no_name", "info", gettext("Use the member's name: it shows a person is answering."),
                                    greeting.strip(), fix="prepend", replacement=greeting))
        if n_words >= MIN_WORDS_TONE and not L.NEXT_STEP.search(draft) and not L.GOOD_NEWS.search(draft):
            step = (L.NEXT_STEP_MONEY if member.money_or_outage else L.NEXT_STEP_GENERAL)[reply_lang]
            findings.append(Finding("no_next_step", "info", gettext(
                "Say what happens next: ask for what you need, link the answer, or give a time frame."),
                step.strip(), fix="append", replacement=step))
    if member.uses_po and d_lang in ("tl", "taglish") and not L.PO.search(draft) and n_words >= MIN_WORDS_TONE:
        findings.append(Finding("no_po", "info", gettext(
            "The member says “po”; a Filipino reply without “po” or “opo” can sound curt."),
            L.POLITE_CLOSING.strip(), fix="append", replacement=L.POLITE_CLOSING))

    findings.sort(key=lambda f: (f.severity != "warn", f.span[0] if f.span else -1))
    report.findings = findings
    report.elapsed_ms = (time.perf_counter() - started) * 1000
    return report


def _greeting(lang: str, name: str | None) -> str:
    template = L.GREETING[lang]
    return template.format(first=name) if name else template.replace(", {first}", "").replace(" {first}", "")


def _opening(member: MemberRead, lang: str, name: str | None) -> str:
    if member.topic and member.money_or_outage:
        return _with_name(L.APOLOGY[lang], name, topic=member.topic[1 if lang == "tl" else 0])
    if member.topic:
        return _with_name(L.OPENING_TOPIC[lang], name, topic=member.topic[1 if lang == "tl" else 0])
    return _with_name(L.OPENING[lang], name)


def _saved_lang(value: str | None) -> str:
    lang = _norm_language(value) or "en"
    return "tl" if lang in ("tl", "taglish") else "en"


def matching_saved_reply(draft: str, draft_lang: str, member_lang: str, saved_replies: Sequence[Any] | None,
                         *, name: str | None = None, agent_name: str | None = None):
    """The saved reply to offer in the member's language: the one with the same name as a saved reply the
    draft was written from (similarity ≥ 0.5), else the most similar one in the member's language (≥ 0.35)."""
    if not saved_replies:
        return None
    want = "tl" if member_lang in ("tl", "taglish") else "en"
    have = "tl" if draft_lang in ("tl", "taglish") else "en"
    same = [r for r in saved_replies if _saved_lang(r.language) == want]
    if not same:
        return None
    others = [r for r in saved_replies if _saved_lang(r.language) == have]
    best_other = max(others, key=lambda r: similarity(draft, fill_variables(r.body, name, agent_name)), default=None)
    if best_other is not None and similarity(draft, fill_variables(best_other.body, name, agent_name)) >= 0.5:
        for r in same:
            if r.name.strip().casefold() == best_other.name.strip().casefold():
                return r
    scored = [(similarity(draft, fill_variables(r.body, name, agent_name)), r) for r in same]
    score, reply = max(scored, key=lambda x: x[0])
    return reply if score >= 0.35 else None


def _language_finding(draft, d_lang, m_lang, reply_lang, name, saved_replies, agent_name) -> Finding:
    member_label, draft_label = gettext(LANGUAGE_NAMES[m_lang]), gettext(LANGUAGE_NAMES[d_lang])
    # English to a member who mixes English in (Taglish) is understood; English to a Filipino-only member, or
    # Filipino to an English-only one, may not be.
    severity = "info" if m_lang == "taglish" else "warn"
    message = gettext("The member writes in %(member)s but this reply is in %(draft)s. Reply in their language.",
                      member=member_label, draft=draft_label)
    saved = matching_saved_reply(draft, d_lang, m_lang, saved_replies, name=name, agent_name=agent_name)
    if saved is not None:
        body = fill_variables(saved.body, name, agent_name)
        return Finding("language_mismatch", severity,
                       message + " " + gettext("Saved reply “%(name)s” is in %(language)s.", name=saved.name,
                                               language=member_label),
                       body, fix="replace_draft", replacement=body)
    example = _greeting(reply_lang, name).strip() + " …"
    advice = gettext("Write the reply in %(language)s, for example: “%(example)s”", language=member_label,
                     example=example) if m_lang != "taglish" else gettext(
        "Write the reply in Filipino or Taglish, for example: “%(example)s”", example=example)
    return Finding("language_mismatch", severity, message, advice)
