"""Small text helpers for the empathy check and suggested answers: capitals, "!!!", names and variables."""

from __future__ import annotations

import re

_CAPS_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[^\w\s]")
_EXCLAIM = re.compile(r"(?:[!?¡]\s?){3,}|!{2,}[!?]*")
_SENTENCE_END = re.compile(r"(?:^|[.!?…:]\s+|\n\s*)$")
HONORIFICS = frozenset({"mr", "mrs", "ms", "dr", "sir", "maam", "ma'am", "engr", "atty", "kuya", "ate", "tita", "tito",
                        "lola", "lolo", "sis", "bro", "mang", "aling", "manong", "manang"})
_VARIABLE = re.compile(r"\{(member_name|first_name|member_first_name|name|agent_name|agent)\}")


def sentence_start(text: str, pos: int) -> bool:
    """Whether ``pos`` starts a sentence (the start of the text, or after . ! ? or a newline)."""
    return bool(_SENTENCE_END.search(text[max(0, pos - 4) : pos])) or not text[:pos].strip()


def caps_runs(text: str, acronyms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Runs of two or more words in capitals (acronyms like OTP or KYC neither count nor break a run), as
    (start, end, the run in sentence case)."""
    runs: list[tuple[int, int, str]] = []
    current: list[re.Match[str]] = []
    shouted = 0

    def close():
        nonlocal current, shouted
        if shouted >= 2:
            start, end = current[0].start(), current[-1].end()
            runs.append((start, end, _sentence_case(text, start, end, acronyms)))
        current, shouted = [], 0

    for m in _CAPS_TOKEN.finditer(text):
        tok = m.group(0)
        if not tok[0].isalpha():
            if current and tok in ",'’-&/":
                continue  # punctuation inside a shouted phrase
            close()
            continue
        letters = [c for c in tok if c.isalpha()]
        if tok.upper() in acronyms:
            if current:
                current.append(m)
            continue
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            current.append(m)
            shouted += 1
        else:
            close()
    close()
    return runs


def _sentence_case(text: str, start: int, end: int, acronyms: frozenset[str]) -> str:
    out = []
    first = sentence_start(text, start)
    for m in re.finditer(r"\S+|\s+", text[start:end]):
        tok = m.group(0)
        core = re.sub(r"[^\w'’]", "", tok)
        if tok.isspace() or core.upper() in acronyms:
            out.append(tok)
        elif core.upper() == "I" or core.upper().startswith(("I'", "I’")):
            out.append(tok[:1] + tok[1:].lower())
        else:
            low = tok.lower()
            out.append(low[:1].upper() + low[1:] if first else low)
        if not tok.isspace():
            first = tok.endswith((".", "!", "?"))
    return "".join(out)


def exclamation_runs(text: str) -> list[tuple[int, int]]:
    """Rows of three or more ! (or ?!?!) — "!!!", "?!?!", "! ! !"."""
    return [(m.start(), m.start() + len(m.group(0).rstrip())) for m in _EXCLAIM.finditer(text)
            if "!" in m.group(0) and len(m.group(0).strip()) >= 3]


def first_name(name: str | None) -> str | None:
    """The first name to address someone by, or None for a handle ("maria_s", "kuya.miguel99", "@ana")."""
    if not name:
        return None
    name = name.strip()
    if not name or name.startswith("@") or any(c.isdigit() or c in "_@/" for c in name):
        return None
    parts = name.split()
    if len(parts) == 1 and (name.islower() or "." in name):
        return None  # a lowercase single word is a handle more often than a name
    first = parts[0].strip(",.")
    if first.lower() in HONORIFICS and len(parts) > 1:
        first = parts[1].strip(",.")
    if len(first) < 2:
        return None
    return first[:1].upper() + first[1:] if first.islower() else first


def fill_variables(body: str, member_name: str | None, agent_name: str | None = None) -> str:
    """A saved reply's variables filled: {member_name}/{first_name}/{name} → the member's first name
    ("po" in Filipino greetings stays), {agent_name} → the teammate's first name. Unknown ones stay."""
    first = first_name(member_name)
    agent = first_name(agent_name) or (agent_name or "").split(" ")[0] or None

    def sub(m: re.Match[str]) -> str:
        if m.group(1) in ("agent_name", "agent"):
            return agent or m.group(0)
        return first or ""

    filled = _VARIABLE.sub(sub, body or "")
    # "Hi {member_name}!" without a name must not leave "Hi !"
    return re.sub(r"\s+([,!.?])", r"\1", filled) if not first else filled
