"""Accounts and security: passwords, sessions, CSRF, API tokens, rate limits, secrets, hostile content."""

from __future__ import annotations

from sqlalchemy import select, text

from kapwa.core.models import ApiToken, AuditEntry, Role, Source, User
from tests.support.factories import PASSWORD
from tests.support.web import login

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '<a href="javascript:window.__pwned=1">click</a>',
    '"><svg onload="window.__pwned=1">',
]


def test_passwords_are_argon2_hashed(rt, factory):
    user = factory.user(Role.owner, password="s3cret password!")
    with rt.db.sessions() as s:
        stored = s.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$") and "s3cret" not in stored


def test_session_cookie_is_secure_http_only_and_audited(client, factory, rt):
    user = factory.user(Role.moderator)
    r = login(client, user.email)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("kapwa_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    with rt.db.sessions() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).where(AuditEntry.actor_user_id == user.id))]
    assert "user.login" in actions


def test_wrong_password_and_unknown_user_look_the_same(client, factory):
    user = factory.user(Role.analyst)
    a = login(client, user.email, "wrong password")
    b = login(client, "nobody@example.org", "wrong password")
    assert a.status_code == b.status_code == 400
    assert "wrong e-mail or password" in a.text and "wrong e-mail or password" in b.text


def test_login_is_rate_limited(client, factory):
    user = factory.user(Role.analyst)
    for _ in range(5):
        assert login(client, user.email, "nope nope nope").status_code == 400
    r = login(client, user.email)  # even the right password is refused while limited
    assert r.status_code == 429 and "too many failed logins" in r.text


def test_login_form_needs_its_csrf_token(client, factory):
    user = factory.user(Role.owner)
    client.get("/login")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_forms_refuse_missing_or_wrong_csrf(signed_in, factory):
    client, _user, csrf = signed_in(Role.owner)
    conv = factory.conversation()
    for token in (None, "forged"):
        data = {"status": "resolved"} | ({"csrf_token": token} if token else {})
        r = client.post(f"/conversations/{conv.id}", data=data, follow_redirects=False)
        assert r.status_code == 403, token
    r = client.post(f"/conversations/{conv.id}", data={"status": "resolved", "csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "resolved" in client.get(f"/conversations/{conv.id}").text


def test_open_redirect_after_login_is_refused(client, factory):
    user = factory.user(Role.owner)
    client.get("/login")
    token = client.cookies.get("kapwa_login_csrf")
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token,
                                    "next": "//evil.example/steal"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_api_tokens_are_hashed_shown_once_and_revocable(signed_in, rt):
    client, user, csrf = signed_in(Role.analyst)
    r = client.post("/me/tokens", data={"name": "weekly report", "csrf_token": csrf})
    secret = r.text.split('id="newtok" readonly value="')[1].split('"')[0]
    assert secret.startswith("kpw_")
    with rt.db.sessions() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert secret not in (row.token_hash, row.prefix) and len(row.token_hash) == 64
    assert secret not in client.get("/me").text  # never shown again

    api = client.__class__(client.app, base_url="https://testserver")  # no cookies
    assert api.get("/api/v1/me").status_code == 401
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["email"] == user.email
    # Bearer clients need no CSRF token, but roles still apply: an analyst cannot change a conversation.
    assert api.patch("/api/v1/conversations/1", json={"status": "open"},
                     headers={"Authorization": f"Bearer {secret}"}).status_code == 403
    client.post(f"/me/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_connector_credentials_are_encrypted_at_rest(signed_in, rt):
    client, _, csrf = signed_in(Role.manager)
    secret = "xoxb-very-secret-slack-token-1234"
    r = client.post("/sources", data={"kind": "slack", "name": "Bayani Slack", "credentials": secret,
                                      "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    with rt.db.sessions() as s:
        raw = s.execute(text("SELECT credentials_encrypted FROM sources")).scalar_one()
        src = s.scalar(select(Source))
        audit = " ".join(str(a.changes) + a.summary for a in s.scalars(select(AuditEntry)))
    assert secret.encode() not in bytes(raw)
    assert rt.secrets.decrypt_json(src.credentials_encrypted) == {"token": secret}
    listing = client.get("/api/v1/sources").text + client.get("/sources").text
    assert secret not in listing and secret not in audit


def test_bad_credentials_json_names_the_field(signed_in):
    client, _, csrf = signed_in(Role.manager)
    r = client.post("/sources", data={"kind": "slack", "name": "x", "credentials": '{"token": ', "csrf_token": csrf})
    assert "credentials: not valid JSON" in r.text


def test_hostile_messages_are_escaped_or_sanitised(signed_in, factory):
    client, _, _ = signed_in(Role.analyst)
    member = factory.member(name=HOSTILE[0])
    src = factory.source()
    ident = factory.identity(member, src, handle=HOSTILE[1])
    conv = factory.conversation(src, title=HOSTILE[3])
    for h in HOSTILE:
        factory.message(conv, text=h, identity=ident)
    factory.message(conv, text="", html="".join(HOSTILE) + "<p>kept <b>bold</b></p>", identity=ident)
    pages = [f"/conversations/{conv.id}", f"/members/{member.id}", "/members", "/conversations?status=all", "/"]
    for page in pages:
        html = client.get(page).text
        assert "<script>window" not in html, page
        assert "onerror=" not in html.replace("onerror=&#34;", "").replace("onerror=&quot;", ""), page
        assert 'href="javascript:' not in html, page
        assert "<svg onload" not in html, page
    detail = client.get(f"/conversations/{conv.id}").text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in detail
    assert "<p>kept <b>bold</b></p>" in detail


def test_security_headers(client):
    r = client.get("/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"


def test_deactivated_user_is_signed_out(client, factory, rt):
    from kapwa.core.actions import Actor
    from kapwa.team.actions import do_update_user

    owner = factory.user(Role.owner)
    mod = factory.user(Role.moderator)
    assert login(client, mod.email).status_code == 303
    assert client.get("/").status_code == 200
    do_update_user(rt, Actor(workspace_id=owner.workspace_id, user_id=owner.id), mod.id, is_active=False)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_last_owner_cannot_be_demoted(rt, factory):
    import pytest

    from kapwa.core.actions import ActionError, Actor
    from kapwa.team.actions import do_update_user

    owner = factory.user(Role.owner)
    with pytest.raises(ActionError, match="at least one active owner"):
        do_update_user(rt, Actor(workspace_id=owner.workspace_id, user_id=owner.id), owner.id, role="analyst")
