"""Chat disentanglement: turn an unthreaded chat stream (IRC, a Discord or Telegram channel, a Matrix room)
into conversations.

For every message we pick the one earlier message it replies to, or itself when it starts a conversation.
Explicit platform replies are taken as given; everything else is decided by a linear model over candidate
antecedents in a window (the previous 100 messages): addressee mentions ("nick: …", "@nick", a nick anywhere),
time gaps, the author's own recent messages and partners, shared words and fuzzy text similarity, question and
answer cues (features in :mod:`kapwa.ingest.disentangle_features`). The weights are learned from the train
split of the Ubuntu IRC corpus of Kummerfeld et al. (2019) by ``training/disentangle/train.py`` and shipped as
``disentangle_weights.json``. Pure Python; several thousand messages per second on one core.

    links = disentangle(messages)          # links[i] == j: message i replies to j; j == i starts one
    conv = conversations(links)            # conv[i]: index of the first message of i's conversation

Chat connectors call :func:`assign_threads` on each batch before yielding it::

    items = [...]                          # InboundItems of one fetch, any channels, any order
    assign_threads(items, context=recent)  # recent: the channel's last messages already stored (optional)
    yield Batch(items=items, cursor=...)

Only items with neither ``thread_id`` nor ``parent_id`` are changed; they get ``parent_id`` (the message they
reply to, unless they start a conversation) and ``thread_id`` ``"{channel}:{platform id of the first
message}"`` (or the thread of an already threaded message they join). The ingest pipeline then makes one
conversation per thread id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kapwa.ingest.disentangle_feature_ids import LEXICAL_PREFIX, N_FEATURES, NAMES
from kapwa.ingest.disentangle_features import FeatureStream
from kapwa.ingest.disentangle_text import ChatMessage

__all__ = ["ChatMessage", "IrcLogError", "Model", "assign_threads", "conversations", "default_model",
           "disentangle", "link_scores", "parse_irc_log", "read_irc_log", "read_links"]

WEIGHTS_PATH = Path(__file__).with_name("disentangle_weights.json")


# ------------------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class Model:
    """Linear weights over the named features of :mod:`kapwa.ingest.disentangle_features`, followed by one
    weight per word of ``lexicon`` (first words that make a new conversation more or less likely)."""

    weights: tuple[float, ...]
    window: int = 100
    meta: dict = field(default_factory=dict)
    lexicon: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.weights) != N_FEATURES + len(self.lexicon):
            raise ValueError(f"{len(self.weights)} weights for {N_FEATURES + len(self.lexicon)} features")

    @property
    def names(self) -> list[str]:
        return NAMES + [LEXICAL_PREFIX + w for w in self.lexicon]

    def lexicon_ids(self) -> dict[str, int]:
        return {w: N_FEATURES + k for k, w in enumerate(self.lexicon)}

    @classmethod
    def from_named(cls, named: dict[str, float], *, window: int = 100, meta: dict | None = None) -> Model:
        lexicon = tuple(n[len(LEXICAL_PREFIX):] for n in named if n.startswith(LEXICAL_PREFIX))
        unknown = sorted(n for n in set(named) - set(NAMES) if not n.startswith(LEXICAL_PREFIX))
        if unknown:
            raise ValueError(f"weights name unknown features: {', '.join(unknown[:5])}")
        weights = [float(named.get(n, 0.0)) for n in NAMES] + [named[LEXICAL_PREFIX + w] for w in lexicon]
        return cls(tuple(weights), window, meta or {}, lexicon)

    @classmethod
    def load(cls, path: Path | str = WEIGHTS_PATH) -> Model:
        data = json.loads(Path(path).read_text())
        return cls.from_named(data["weights"], window=int(data.get("window", 100)), meta=data.get("meta", {}))

    def named(self) -> dict[str, float]:
        return {n: round(w, 6) for n, w in zip(self.names, self.weights, strict=True)}

    def save(self, path: Path | str) -> None:
        data = {"window": self.window, "meta": self.meta, "weights": self.named()}
        Path(path).write_text(json.dumps(data, indent=1) + "\n")


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The shipped model (learned from the train split only)."""
    return Model.load()


# ---------------------------------------------------------------------------------------- disentangling


def disentangle(messages: Sequence[ChatMessage], *, model: Model | None = None,
                aliases: dict[str, str] | None = None, max_gap: float = 2 * 3600.0,
                addressed_max_gap: float = 24 * 3600.0) -> list[int]:
    """For each message, the index of the message it replies to (its own index: it starts a conversation).

    ``messages`` are in time order. ``aliases`` maps other spellings of speakers (display names, platform user
    ids) to their ``author``. Candidates older than ``max_gap`` seconds are never chosen, unless the message
    names their author (then up to ``addressed_max_gap``): after a long silence a new conversation starts.
    """
    model = model or default_model()
    w = model.weights
    stream = FeatureStream(window=model.window, max_gap=max_gap, addressed_max_gap=addressed_max_gap,
                           aliases=aliases or {}, lexicon=model.lexicon_ids())
    links: list[int] = []
    getw = w.__getitem__
    for i, msg in enumerate(messages):
        explicit = msg.reply_to
        if explicit is not None and 0 <= explicit < i:
            stream.push(msg, candidates=False)
            best_j = explicit
        else:
            best_j, best = i, None
            for j, feats in stream.push(msg):
                s = sum(map(getw, feats))
                if best is None or s > best:
                    best_j, best = j, s
        stream.link(i, best_j)
        links.append(best_j)
    return links


def conversations(links: Sequence[int]) -> list[int]:
    """Reply links → conversation ids (union-find): each message gets the index of its conversation's first
    message. ``links[i]`` may point anywhere in the sequence; ``links[i] == i`` adds nothing."""
    n = len(links)
    parent = list(range(n))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for i, j in enumerate(links):
        if not 0 <= j < n:
            raise ValueError(f"link {i} -> {j}: outside the {n} messages")
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(n)]


# ---------------------------------------------------------------------------------------------- IRC logs


class IrcLogError(ValueError):
    """A line that is not in the IRC log format; names the line."""

    def __init__(self, lineno: int, line: str, reason: str):
        snippet = line if len(line) <= 80 else line[:77] + "…"
        super().__init__(f"line {lineno} (message {lineno - 1}): {reason}: {snippet!r}")
        self.lineno = lineno


_IRC_MESSAGE = re.compile(
    r"^\[(\d{1,2}):(\d{2})(?::\d{2})?\] "
    r"(?:<([^>]*)>(?: ?(.*))?"  # <nick> text
    r"| ?\* (\S+)(?: (.*))?"  # * nick action
    r"|-([^\s:-][^\s:]*?)(?::\S*)?- ?(.*)"  # -nick:#channel- notice
    r"|\(([^/\s)]+)(?:/\S*)?\) ?(.*)"  # (nick/#channel) text
    r")$"
)
_IRC_SYSTEM_NICK = re.compile(r"^=== (\S+)")


def parse_irc_log(lines: Iterable[str]) -> list[ChatMessage]:
    """IRC log lines (``[HH:MM] <nick> text``, ``[HH:MM]  * nick action``, ``=== nick joined …``) → messages,
    one per line, so indexes match the file's 0-based line numbers. Raises :class:`IrcLogError` naming the
    first line that is none of these. Times wrap past midnight into the next day."""
    messages: list[ChatMessage] = []
    day = 0
    last_minute: int | None = None
    time: float | None = None
    for lineno, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        if line.startswith("==="):
            m = _IRC_SYSTEM_NICK.match(line)
            messages.append(ChatMessage(text=line, author=m.group(1) if m else None, time=time, system=True))
            continue
        if not line.strip():
            raise IrcLogError(lineno, line, "blank line (every line must be a message or a === line)")
        m = _IRC_MESSAGE.match(line)
        if m is None:
            if line.startswith("["):
                reason = "not a message (expected [HH:MM] <nick> text)"
            else:
                reason = "no [HH:MM] time stamp (expected [HH:MM] <nick> text or === …)"
            raise IrcLogError(lineno, line, reason)
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour > 23 or minute > 59:
            raise IrcLogError(lineno, line, f"impossible time {hour:02d}:{minute:02d}")
        of_day = hour * 60 + minute
        if last_minute is not None and of_day < last_minute - 12 * 60:
            day += 1
        last_minute = of_day
        time = (day * 1440 + of_day) * 60.0
        g = m.groups()
        if g[2] is not None:
            nick, text = g[2].strip(), g[3] or ""
        elif g[4] is not None:
            nick, text = g[4], g[5] or ""
        elif g[6] is not None:
            nick, text = g[6], g[7] or ""
        else:
            nick, text = g[8], g[9] or ""
        messages.append(ChatMessage(text=text, author=nick or None, time=time))
    return messages


def read_irc_log(path: Path | str) -> list[ChatMessage]:
    with open(path, encoding="utf-8", errors="replace", newline="") as fh:
        text = fh.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return parse_irc_log(lines)


# ------------------------------------------------------------------------------------- chat connectors


def _author_key(item) -> str | None:
    a = item.author
    if a is None:
        return None
    return a.handle or a.display_name or a.platform_user_id


def assign_threads(items: list, *, context: Sequence = (), model: Model | None = None) -> None:
    """Give unthreaded chat messages a thread: sets ``thread_id`` and ``parent_id`` in place on every
    :class:`~kapwa.connectors.base.InboundItem` in ``items`` that has neither.

    Items are grouped by ``channel`` and ordered by ``created_at``. Items that already carry a
    ``thread_id`` or ``parent_id`` (platform threads and replies) are kept as they are, and take part as
    antecedents; a platform reply links to its parent. ``context`` — the channel's latest messages already
    stored, with their ``thread_id`` — lets the first messages of a batch join conversations that started in
    an earlier batch; context items are never changed.
    """
    ctx_ids = {id(it) for it in context}
    groups: dict[str | None, list] = {}
    for it in [*context, *items]:
        groups.setdefault(it.channel, []).append(it)
    for channel, group in groups.items():
        group.sort(key=lambda it: (it.created_at, id(it) not in ctx_ids))
        if not any(id(it) not in ctx_ids and not it.thread_id and not it.parent_id for it in group):
            continue
        index = {it.platform_message_id: k for k, it in enumerate(group)}
        aliases: dict[str, str] = {}
        messages = []
        for it in group:
            key = _author_key(it)
            if key and it.author is not None:
                for alias in (it.author.handle, it.author.display_name, it.author.platform_user_id):
                    if alias:
                        aliases.setdefault(alias, key)
            parent = index.get(it.parent_id) if it.parent_id else None
            messages.append(ChatMessage(text=it.text or "", author=key, time=it.created_at.timestamp(),
                                        reply_to=parent))
        links = disentangle(messages, model=model, aliases=aliases)
        threads: list[str | None] = []
        for k, it in enumerate(group):
            fixed = id(it) in ctx_ids or it.thread_id or it.parent_id
            j = links[k]
            if fixed:
                if it.thread_id:
                    threads.append(it.thread_id)
                elif it.parent_id and it.parent_id in index and index[it.parent_id] < k:
                    threads.append(threads[index[it.parent_id]])
                else:
                    threads.append(None)  # the pipeline resolves it through its parent
                continue
            if j == k:
                root = f"{channel}:{it.platform_message_id}" if channel else it.platform_message_id
                it.thread_id, it.parent_id = root, None
                threads.append(root)
            else:
                it.parent_id = group[j].platform_message_id
                it.thread_id = threads[j]  # None when only the parent's stored thread knows
                threads.append(threads[j])


# ------------------------------------------------------------------------------------------- evaluation


def read_links(lines: Iterable[str]) -> set[tuple[int, int]]:
    """Reply links in the annotation format (``i j -``, either order, optional ``file:`` prefix) as
    (later, earlier) pairs — the way Kummerfeld et al.'s graph-eval.py reads them."""
    pairs: set[tuple[int, int]] = set()
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if ":" in line:
            line = line.split(":", 1)[1]
        nums = [int(n) for n in line.split() if n != "-"]
        source = max(nums)
        nums.remove(source)
        if not nums:
            pairs.add((source, source))
        for num in nums:
            pairs.add((source, num))
    return pairs


def link_scores(gold: set[tuple[int, int]], auto: set[tuple[int, int]]) -> tuple[float, float, float]:
    """Link precision, recall and F1 (in %): a predicted link counts when it is one of the gold links."""
    matched = len(gold & auto)
    p = 100.0 * matched / len(auto) if auto else 0.0
    r = 100.0 * matched / len(gold) if gold else 0.0
    f = 2 * p * r / (p + r) if matched else 0.0
    return p, r, f
