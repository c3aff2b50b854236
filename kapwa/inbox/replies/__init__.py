"""Replies through the platform: compose in Kapwa, send through the conversation's source, in-thread.

The life of a reply (``Reply.status``)::

    draft ──submit──▶ pending_approval ──approve──▶ approved ──claim──▶ sending ──▶ sent
                 └──(no approval needed)──────────▶ approved              └──▶ failed ──retry──▶ approved
                      pending_approval ──reject──▶ rejected (the author may edit and resubmit)
    draft / pending_approval / approved / failed / rejected ──cancel──▶ cancelled

**When a reply needs approval** (:mod:`kapwa.inbox.replies.rules`): when its source says "replies through this
source need approval" (``Source.reply_approval``), or when its author's role is one of the workspace's "roles
whose replies need approval" (``Workspace.settings["reply_approval_roles"]``, moderator and/or manager; never
owner). Reviewers are managers and owners. **Nobody approves their own reply** — a manager who writes through a
source that needs approval waits for another manager or owner — with one exception so a team cannot lock
itself out: when the author is the workspace's only active reviewer, they may approve it themself (the history
says so).

**Nothing is sent twice** (:mod:`kapwa.inbox.replies.send`): the send job claims a reply with one conditional
``UPDATE … SET status='sending' WHERE status='approved'``; a second worker, a re-delivered job or a double
click finds nothing to claim. The platform call happens outside any transaction; its result is committed
afterwards, together with the outbound message (unique per source + platform id, so the next sync recognises
it). If Kapwa dies between the platform call and that commit, the reply stays ``sending``: after a few minutes
(or at once, when the platform did not answer in time) it shows as **"unknown — check the platform"** and is
never re-sent automatically. A person looks and says "it was sent" or "send it again". A periodic job first
tries to settle it without a person: when a sync has meanwhile brought in an outbound message in that
conversation with the reply's exact text, written after the attempt, the reply is linked to it and marked
sent. (The idempotency key is never put into the visible text.)
"""
