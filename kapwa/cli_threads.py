"""`kapwa threads`: disentangle a chat log into conversations and print the reply links.

    kapwa threads --irc-log 2009-02-23_10.raw.txt              # lines 1000.. as `i j -`
    kapwa threads --irc-log channel.log --start 0

The log is in the Ubuntu IRC corpus format (``[HH:MM] <nick> text``, ``[HH:MM]  * nick action``,
``=== nick joined …``); lines are numbered from 0 as in that corpus. Each output line ``i j -`` says line ``i``
replies to line ``j`` (``j == i``: it starts a conversation) — the format Kummerfeld et al.'s graph-eval.py
scores (it reads a link in either order), so any log in this format can be scored against annotations.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kapwa.cli import app, fail


@app.command("threads")
def threads(
    irc_log: Annotated[Path, typer.Option("--irc-log", help="IRC log: [HH:MM] <nick> text lines, === system lines.",
                                          dir_okay=False)],
    start: Annotated[int, typer.Option("--start", min=0, help="First line to print a link for (0-based).")] = 1000,
) -> None:
    """Group an unthreaded chat log into conversations: print `i j -` (line i replies to line j)."""
    from kapwa.ingest.disentangle import IrcLogError, disentangle, read_irc_log

    if not irc_log.is_file():
        fail(f"--irc-log: no such file: {irc_log}")
    try:
        messages = read_irc_log(irc_log)
    except IrcLogError as exc:
        fail(f"--irc-log: {irc_log}: {exc}")
    except OSError as exc:
        fail(f"--irc-log: cannot read {irc_log}: {exc.strerror}")
    if not messages:
        fail(f"--irc-log: {irc_log}: the log is empty")
    if start >= len(messages):
        fail(f"--start: {start} is past the last line ({len(messages) - 1}) of {irc_log}")
    links = disentangle(messages)
    sys.stdout.write("".join(f"{i} {links[i]} -\n" for i in range(start, len(links))))
    sys.stdout.flush()
