"""End-to-end checks of the server-rendered UI in a real browser (Chromium via Playwright).

One browser for the session, one context per test, one live server per test (see conftest.py).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kapwa.core import i18n
from kapwa.core.models import Activity, Conversation, Role, utcnow
from tests.support.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOT_PWNED = "typeof window.__pwned === 'undefined'"
# Markup that could run script if CSP were ever loosened: extra <script>s, on* handlers, javascript: URLs.
INJECTED_MARKUP = """() => {
  const bad = [];
  for (const s of document.scripts) if (!s.src.startsWith(location.origin + '/static/')) bad.push(s.outerHTML);
  for (const e of document.querySelectorAll('*')) for (const a of e.attributes) {
    if (a.name.startsWith('on') || /^\\s*javascript:/i.test(a.value)) bad.push(`<${e.tagName} ${a.name}=${a.value}>`);
  }
  return bad;
}"""


def _fil(message: str) -> str:
    """What the Filipino catalogue says for ``message`` (the English text when not yet translated)."""
    token = i18n.set_locale("fil")
    try:
        return i18n.gettext(message)
    finally:
        i18n._current.reset(token)


def _activity(rt, member, source, identity=None, message=None, title="Posted in #general", type_="posted"):
    with rt.db.write_sessions() as s, s.begin():
        s.add(Activity(
            workspace_id=member.workspace_id, member_id=member.id, source_id=source.id,
            identity_id=identity.id if identity else None, message_id=message.id if message else None,
            type=type_, occurred_at=utcnow(), title=title,
        ))


def _community(factory, rt):
    """A small workspace: one member with a Discord identity, one conversation with two messages."""
    source = factory.source("discord", name="Bayani Discord")
    member = factory.member("Maria Santos")
    ident = factory.identity(member, source, handle="maria_s")
    conv = factory.conversation(source, title="Cash-in did not arrive", started_by_member_id=member.id,
                                last_message_at=utcnow(), message_count=2)
    first = factory.message(conv, text="Hello po, my cash-in did not arrive.", identity=ident)
    factory.message(conv, text="Reference number 12345, salamat!", identity=ident)
    _activity(rt, member, source, ident, first, title="Asked about a cash-in")
    return {"source": source, "member": member, "identity": ident, "conv": conv}


# ------------------------------------------------------------------------------------------- sign-in


def test_secure_session_cookie_is_accepted_on_loopback(page, factory, sign_in):
    """cookie_secure=True stays on: Chromium stores and sends Secure cookies to http://127.0.0.1."""
    user = factory.user(Role.owner)
    sign_in(page, user)
    cookie = next(c for c in page.context.cookies() if c["name"] == "kapwa_session")
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    page.goto("/me")
    assert page.url.endswith("/me"), "the Secure session cookie was not sent back"


def test_browse_from_login_to_member_and_switch_language(page, factory, rt):
    data = _community(factory, rt)
    user = factory.user(Role.moderator, name="Jun Reyes")

    # Sign in through the form (with ?next= from the redirect of a protected page).
    page.goto("/")
    assert "/login?next=/" in page.url
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong e-mail or password")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()

    # Home.
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Community")
    expect(page.locator(".topbar .me")).to_contain_text("Jun Reyes")

    # Conversations list → conversation.
    page.locator(".topbar nav a[href='/conversations']").click()
    expect(page).to_have_url(re.compile(r"/conversations$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Conversations")
    page.get_by_role("link", name="Cash-in did not arrive").click()
    expect(page).to_have_url(re.compile(rf"/conversations/{data['conv'].id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cash-in did not arrive")
    messages = page.locator("article.message")
    expect(messages).to_have_count(2)
    expect(messages.nth(0).locator(".body")).to_have_text("Hello po, my cash-in did not arrive.")
    expect(messages.nth(1).locator(".body")).to_have_text("Reference number 12345, salamat!")
    expect(messages.nth(0).locator("header")).to_contain_text("@maria_s")

    # Author's name → member page with identities and activity.
    messages.nth(0).get_by_role("link", name="Maria Santos").click()
    expect(page).to_have_url(re.compile(rf"/members/{data['member'].id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Santos")
    identities = page.locator("section.card", has=page.get_by_role("heading", name="Identities"))
    expect(identities.locator("tbody tr")).to_have_count(1)
    expect(identities.locator("tbody tr")).to_contain_text("discord")
    expect(identities.locator("tbody tr")).to_contain_text("maria_s")
    expect(identities.locator("tbody tr")).to_contain_text("Bayani Discord")
    # The timeline interleaves messages and activities; the "posted" activity of a stored message is that
    # message, listed once.
    activity = page.locator("section.card", has=page.get_by_role("heading", name="Activity"))
    expect(activity.locator("ol.timeline li")).to_have_count(2)
    expect(activity.locator("ol.timeline li .body").nth(1)).to_have_text("Hello po, my cash-in did not arrive.")
    expect(activity).to_contain_text("Cash-in did not arrive")

    # Switch the UI language with the top-bar selector (auto-submits via /static/kapwa.js).
    member_url = page.url
    expect(page.locator(".topbar button.js-hide")).to_be_hidden()  # JS is on, so the button hides
    with page.expect_navigation():
        page.locator("#locale-select").select_option("fil")
    assert page.url == member_url, "after changing the language the same page should reload"
    expect(page.locator("html")).to_have_attribute("lang", "fil")
    expect(page.locator("#locale-select")).to_have_value("fil")
    members_fil = _fil("Members")
    expect(page.locator(".topbar nav a[href='/members']")).to_have_text(members_fil)
    expect(page.locator(".topbar nav a[href='/conversations']")).to_have_text(_fil("Conversations"))

    # It is stored on the user: it persists on another page and in the database.
    page.locator(".topbar nav a[href='/conversations']").click()
    expect(page).to_have_url(re.compile(r"/conversations$"))
    expect(page.locator("html")).to_have_attribute("lang", "fil")
    expect(page.locator(".topbar nav a[href='/members']")).to_have_text(members_fil)
    expect(page.get_by_role("heading", level=1)).to_contain_text(_fil("Conversations"))
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fil")

    # And back to English.
    with page.expect_navigation():
        page.locator("#locale-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".topbar nav a[href='/members']")).to_have_text("Members")


# ----------------------------------------------------------------------------------- hostile content

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '<a href="javascript:window.__pwned=1">click</a>',
    '<svg onload="window.__pwned=1">',
    '"><script>window.__pwned=1</script>',
    "<img src=x onerror=alert(document.domain)>",
]
EVIL_NAME = 'Evil "><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
EVIL_TITLE = '"><script>window.__pwned=1</script><svg onload="window.__pwned=1"> refund'
JS_URL = "javascript:window.__pwned=1"


def test_hostile_content_never_executes(new_page, live_server, factory, rt, sign_in):
    source = factory.source("discord", name='<script>window.__pwned=1</script>')
    member = factory.member(EVIL_NAME, location='<svg onload="window.__pwned=1">')
    ident = factory.identity(member, source, handle='"><svg onload="window.__pwned=1">', profile_url=JS_URL)
    conv = factory.conversation(source, title=EVIL_TITLE, url=JS_URL, started_by_member_id=member.id,
                                last_message_at=utcnow(), message_count=len(PAYLOADS) + 2)
    text_messages = [factory.message(conv, text=f"payload {i}: {p}", identity=ident, url=JS_URL)
                     for i, p in enumerate(PAYLOADS)]
    # A plain-text message with links the renderer makes clickable: one reflects a script into the
    # search box of the conversations list.
    reflect = f"{live_server}/conversations?status=all&q=%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E"
    factory.message(conv, text=f"see {reflect} and {live_server}/members?q=<script>x</script>", identity=ident)
    # A message with platform HTML: sanitised, keeps harmless markup.
    factory.message(
        conv, identity=ident, text="html message",
        html="<p>Hello <b>bold</b> <em>world</em></p>" + "".join(PAYLOADS)
        + f'<a href="{live_server}/members">members</a> <a href="{JS_URL}">js link</a>'
        + '<iframe src="javascript:window.__pwned=1"></iframe><form action="/logout"><button>x</button></form>',
    )
    _activity(rt, member, source, ident, text_messages[0], title=EVIL_TITLE)
    user = factory.user(Role.owner)

    page = new_page()
    context = page.context
    dialogs: list[str] = []
    csp_errors: list[str] = []
    context.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    def watch(p):
        p.on("dialog", lambda d: dialogs.append(d.message))
        p.on("console", lambda m: csp_errors.append(f"{p.url}: {m.text}")
             if m.type == "error" and "Content Security Policy" in m.text else None)

    watch(page)
    context.on("page", watch)
    # Nothing may leave loopback (links in bodies open in new tabs).
    context.route(lambda url: not url.startswith(live_server), lambda route: route.abort())

    def check(p, what: str):
        p.wait_for_load_state("load")
        assert p.evaluate(NOT_PWNED), f"script ran on {what} ({p.url})"
        assert p.evaluate(INJECTED_MARKUP) == [], f"live markup from hostile content on {what} ({p.url})"
        assert not dialogs, f"a dialog opened on {what}: {dialogs}"

    sign_in(page, user)
    conv_url = f"/conversations/{conv.id}"

    # Conversation page.
    page.goto(conv_url)
    check(page, "the conversation page")
    expect(page.get_by_role("heading", level=1)).to_have_text(EVIL_TITLE)
    assert page.title().startswith(EVIL_TITLE)
    bodies = page.locator("article.message .body")
    for i, p in enumerate(PAYLOADS):
        # Plain text is shown as text, tags and all.
        expect(bodies.nth(i)).to_have_text(f"payload {i}: {p}")
    expect(page.get_by_text("<script>window.__pwned=1</script>").first).to_be_visible()
    html_body = bodies.last
    expect(html_body.locator("b")).to_have_text("bold")
    expect(html_body.locator("em")).to_have_text("world")
    assert html_body.locator("script, img, svg, iframe, form, [onerror], [onload]").count() == 0
    expect(page.locator("article.message header").first).to_contain_text(EVIL_NAME)

    # Click every link in the message bodies.
    links = page.locator("article.message .body a")
    n_links = links.count()
    assert n_links >= 3, page.inner_html("section.thread")
    for i in range(n_links):
        link = page.locator("article.message .body a").nth(i)
        href, target = link.get_attribute("href"), link.get_attribute("target")
        if href and target == "_blank":
            with context.expect_page() as popup_info:
                link.click()
            popup = popup_info.value
            check(popup, f"the page opened by link {href!r}")
            popup.close()
        else:
            link.click()
            check(page, f"the page after clicking link {href!r}")
            if not page.url.endswith(conv_url):
                page.goto(conv_url)
        check(page, "the conversation page after clicking links")

    # The reflected search query is shown as a value, not markup.
    page.goto(reflect)
    check(page, "the searched conversations list")
    expect(page.locator("#cq")).to_have_value('"><script>window.__pwned=1</script>')

    # Member page, members list, conversations list, home.
    page.goto(f"/members/{member.id}")
    check(page, "the member page")
    expect(page.get_by_role("heading", level=1)).to_have_text(EVIL_NAME)
    expect(page.locator("ol.timeline")).to_contain_text(EVIL_TITLE)
    expect(page.get_by_role("cell", name='"><svg onload="window.__pwned=1">')).to_be_visible()
    expect(page.locator(".body").get_by_text("payload 0: <script>window.__pwned=1</script>")).to_be_visible()

    page.goto("/members")
    check(page, "the members list")
    expect(page.get_by_role("link", name=EVIL_NAME)).to_be_visible()

    page.goto("/conversations?status=all")
    check(page, "the conversations list")
    expect(page.get_by_role("link", name=EVIL_TITLE)).to_be_visible()
    expect(page.get_by_role("link", name=EVIL_NAME)).to_be_visible()

    page.goto("/")
    check(page, "home")
    page.goto("/sources")
    check(page, "sources")
    expect(page.locator("table.list")).to_contain_text("<script>window.__pwned=1</script>")

    assert not dialogs
    if csp_errors:  # fine either way (CSP is the second wall), but worth seeing with -s
        print("CSP reports:", *csp_errors, sep="\n  ")


# ------------------------------------------------------------------------------------- accessibility


def test_pages_have_no_serious_accessibility_violations(new_page, factory, rt, sign_in):
    from axe_playwright_python.sync_playwright import Axe

    data = _community(factory, rt)
    user = factory.user(Role.owner)
    factory.user(Role.analyst, name="Ana Lyst")
    axe = Axe()  # ships axe.min.js: works offline
    # axe is injected with page.evaluate (DevTools protocol), which the page's CSP (script-src 'self')
    # does not block, so the pages are audited as served, CSP included; no bypass_csp needed.
    page = new_page()
    found: list[str] = []

    def audit(url: str):
        page.goto(url)
        page.wait_for_load_state("load")
        results = axe.run(page).response
        for v in results["violations"]:
            if v["impact"] in ("serious", "critical"):
                nodes = "\n      ".join(f"{n['target']} {n.get('failureSummary', '')!r}" for n in v["nodes"][:8])
                found.append(f"{url}: {v['id']} ({v['impact']}): {v['help']}\n      {nodes}")
        return results

    assert audit("/login")["testEngine"]["name"] == "axe-core"
    sign_in(page, user)
    for url in ("/", "/members", f"/members/{data['member'].id}", "/conversations",
                f"/conversations/{data['conv'].id}", "/sources", "/team", "/audit", "/me"):
        audit(url)
    # A flash message and a Filipino page, too.
    with page.expect_navigation():
        page.locator("#locale-select").select_option("fil")
    audit(f"/conversations/{data['conv'].id}")
    assert not found, "serious/critical accessibility violations:\n  " + "\n  ".join(found)


# ------------------------------------------------------------------------------------------ keyboard


def _focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; if (!e || e === document.body) return 'body';"
        " return e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')"
        " + (e.type ? '[' + e.type + ']' : ''); }"
    )


def test_keyboard_order_and_skip_link(page, factory, rt, sign_in):
    data = _community(factory, rt)
    user = factory.user(Role.owner)

    page.goto("/login")
    seen = [_focused(page)]
    for _ in range(6):
        page.keyboard.press("Tab")
        seen.append(_focused(page))
    # The e-mail field has autofocus; Tab then cycles skip link → e-mail → password → submit
    # ("body" is the moment focus leaves the page for the browser's own UI).
    assert seen[0] == "#email", f"the e-mail field should have focus on load: {seen}"
    cycle = ["a.skip-link", "#email", "#password", "button.primary[submit]"]
    stops = [s for s in seen if s != "body"]
    expected = [cycle[(1 + i) % len(cycle)] for i in range(len(stops))]
    assert stops == expected, f"Tab order on /login: {seen}"

    sign_in(page, user)
    for url in ("/", "/conversations", f"/conversations/{data['conv'].id}", f"/members/{data['member'].id}"):
        page.goto(url)
        page.keyboard.press("Tab")
        skip = page.locator("a.skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_have_text("Skip to content")
        box = skip.bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen on {url}: {box}"
        page.keyboard.press("Enter")
        expect(page.locator("main#main")).to_be_focused()
        # The next Tab continues inside main, not back in the top bar.
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('main').contains(document.activeElement)"), (
            f"Tab after the skip link left main on {url}: {_focused(page)}"
        )


# -------------------------------------------------------------------------------------------- roles


def test_role_decides_what_the_ui_offers(new_page, factory, rt, sign_in):
    data = _community(factory, rt)
    conv_url = f"/conversations/{data['conv'].id}"
    status_form = f"form[action='{conv_url}']"

    analyst = new_page()
    sign_in(analyst, factory.user(Role.analyst))
    analyst.goto(conv_url)
    expect(analyst.get_by_role("heading", level=1)).to_have_text("Cash-in did not arrive")
    expect(analyst.locator(status_form)).to_have_count(0)
    expect(analyst.locator("#cst, #cas, #cpr")).to_have_count(0)
    expect(analyst.locator("aside form")).to_have_count(0)  # no status, tag or note forms
    expect(analyst.locator("aside dl").first).to_contain_text("new")
    expect(analyst.locator(".topbar a[href='/team']")).to_have_count(0)
    expect(analyst.locator(".topbar a[href='/audit']")).to_have_count(0)

    moderator = new_page()
    sign_in(moderator, factory.user(Role.moderator))
    moderator.goto(conv_url)
    expect(moderator.locator(".topbar a[href='/team']")).to_have_count(0)
    form = moderator.locator(status_form)
    expect(form).to_be_visible()
    expect(form.get_by_label("Status")).to_have_value("new")
    form.get_by_label("Status").select_option("resolved")
    with moderator.expect_navigation():
        form.get_by_role("button", name="Save").click()
    expect(moderator).to_have_url(re.compile(rf"{conv_url}$"))
    expect(moderator.get_by_role("status")).to_have_text("Saved")
    expect(moderator.locator("main p.muted .status")).to_have_text("resolved")
    expect(moderator.locator("main p.muted .status")).to_have_class(re.compile(r"\bstatus-resolved\b"))
    expect(moderator.locator(status_form).get_by_label("Status")).to_have_value("resolved")
    with rt.db.sessions() as s:
        assert s.get(Conversation, data["conv"].id).status == "resolved"

    # The analyst sees the new status after a reload, still without a form.
    analyst.reload()
    expect(analyst.locator("main p.muted .status")).to_have_text("resolved")
    expect(analyst.locator(status_form)).to_have_count(0)
