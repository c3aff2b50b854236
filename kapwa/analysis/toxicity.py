"""Toxicity step: ``toxicity_score`` in [0, 1] and ``toxicity_categories`` (a sorted list, possibly empty).

Two binary logistic heads over the shared hashed n-gram features (models/toxicity.json.gz, trained by
training/analysis/train_toxicity.py): ``toxic`` (offensive/abusive, English + Filipino) and ``hate``
(attacks on a group). Categories combine them with small hand-written English + Tagalog lexicons:

* ``profanity``       — a word or phrase from PROFANITY;
* ``insult``          — a word from INSULTS, or toxic ≥ 0.5 and the text addresses someone (you/mo/ka/…);
* ``identity_attack`` — hate ≥ 0.5 and toxic ≥ 0.5 (the hate head alone fires on neutral talk about groups);
* ``threat``          — a phrase from THREATS ("papatayin kita", "I will kill", …);
* ``harassment``      — a threat, or a toxic (≥ 0.5) text aimed at a person (second person or @mention)
  that also has profanity or an insult.

score = max(toxic, hate if toxic ≥ 0.5, lexicon floors: profanity 0.5, insult word aimed at someone 0.7,
threat 0.85). Filipino "tangina" is often an exclamation rather than an attack: it sets ``profanity`` and
a 0.5 floor but not ``insult`` by itself. The lexicons match whole normalised tokens (features.tokens,
which lowercases and collapses repeated letters, "gaaagooo" → "gaagoo" → matched via the de-doubled form).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from kapwa.analysis.features import artefact_version, featurize, load_model

MODEL = "toxicity"
THRESHOLD = 0.5

PROFANITY = frozenset(["putangina", "putanginamo", "putang", "tangina", "tanginamo", "taena", "taenamo", "tangna", "pota", "potangina", "potaena", "puta", "pucha", "putcha", "punyeta", "leche", "letse", "lintik", "gago", "gaga", "gagu", "kupal", "tarantado", "tarantada", "ulol", "ulul", "pakyu", "pakyew", "pakshet", "pakingshet", "shet", "tae", "hinayupak", "hayup", "buwisit", "bwisit", "bwiset", "kingina", "kinangina", "fuck", "fucking", "fucker", "fucked", "motherfucker", "fuk", "fck", "fkn", "shit", "shitty", "bullshit", "bitch", "bitches", "asshole", "ass", "bastard", "damn", "dick", "cunt", "crap", "piss", "wtf", "stfu", "dumbass", "jackass"])
PROFANE_PHRASES = ("putang ina", "tang ina", "puta ng ina", "anak ng puta", "hayop ka", "pak yu")
INSULTS = frozenset(["bobo", "boba", "tanga", "tangah", "inutil", "engot", "shunga", "hangal", "gunggong", "ungas", "mangmang", "walanghiya", "bastos", "idiot", "idiots", "stupid", "moron", "morons", "dumb", "dumbass", "loser", "losers", "retard", "retarded", "imbecile", "pathetic", "worthless", "ugly", "trash", "scum", "clown"])
SECOND_PERSON = frozenset(["you", "your", "youre", "you're", "ur", "u", "yourself", "mo", "ka", "ikaw", "kayo", "ninyo", "niyo", "nyo", "iyo", "<user>"])
THREATS = re.compile(
    r"\b(?:papatayin|patayin|papatay|tatadtarin|babarilin|barilin|sasaksakin|saksakin|bubugbugin|"
    r"upakan|uupakan|sasapakin|susunugin)\b"
    r"|\b(?:i(?:'?ll| will| am going to|'m going to|m gonna|'m gonna| gonna)|we(?:'ll| will| are going to)|gonna)"
    r" (?:kill|murder|shoot|stab|hurt|beat|find) (?:you|u|ya|him|her|them|your)\b"
    r"|\bwatch your back\b|\byou(?:'re| are) dead\b|\bhumanda ka\b|\bpatay ka\b|\bi know where you live\b",
    re.I)


def _dedouble(w: str) -> str:
    return re.sub(r"(.)\1", r"\1", w)


class ToxicityStep:
    name: ClassVar[str] = "toxicity"
    order: ClassVar[int] = 30
    version: ClassVar[str] = artefact_version(MODEL, step=1)

    def run(self, texts: list[str], results: list[dict[str, Any]]) -> None:
        model = load_model(MODEL)
        i_toxic, i_hate = model.classes.index("toxic"), model.classes.index("hate")
        for text, res in zip(texts, results, strict=True):
            score, cats = score_text(text or "", model, i_toxic, i_hate)
            res["toxicity_score"] = score
            res["toxicity_categories"] = cats


def score_text(text: str, model=None, i_toxic: int = 0, i_hate: int = 1) -> tuple[float, list[str]]:
    model = model or load_model(MODEL)
    p = model.predict_proba(text)
    toxic, hate = p[i_toxic], p[i_hate]
    toks = featurize(text).toks
    words = set(toks) | {_dedouble(t) for t in toks}
    joined = " ".join(toks)
    cats: set[str] = set()
    profane = bool(words & PROFANITY) or any(ph in joined for ph in PROFANE_PHRASES)
    insult_word = bool(words & INSULTS)
    addressed = bool(words & SECOND_PERSON) or "@" in text
    threat = bool(THREATS.search(joined))
    score = toxic
    if hate >= THRESHOLD and toxic >= THRESHOLD:
        cats.add("identity_attack")
        score = max(score, hate)
    if profane:
        cats.add("profanity")
        score = max(score, 0.5)
    if insult_word or (toxic >= THRESHOLD and addressed):
        cats.add("insult")
        if insult_word and addressed:
            score = max(score, 0.7)
    if threat:
        cats.add("threat")
        score = max(score, 0.85)
    if threat or (score >= THRESHOLD and addressed and (profane or "insult" in cats)):
        cats.add("harassment")
    if score < THRESHOLD:
        cats.discard("insult")  # a lone mild word in an otherwise benign text
    return round(min(1.0, max(0.0, score)), 4), sorted(cats)


def analyze(text: str) -> dict[str, Any]:
    res: dict[str, Any] = {}
    ToxicityStep().run([text], [res])
    return res
