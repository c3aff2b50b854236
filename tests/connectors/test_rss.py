"""RSS and Atom feeds, fetched from a real HTTP server on loopback: every entry becomes its own conversation,
syncs ask "has it changed?" and store nothing twice, failures read plainly on the sources page — and a feed
address that leads into the private network is refused before Kapwa connects anywhere."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from sqlalchemy import select

from kapwa.connectors import rss
from kapwa.connectors.base import AuthError, NotSupported, RateLimited, Unreachable
from kapwa.connectors.http_errors import NotFound, Rejected
from kapwa.connectors.rss import RefusedAddress, RssConnector, html_to_text
from kapwa.core.models import Conversation, Identity, Member, Message, Source, utcnow
from kapwa.ingest.sync import sync_source
from tests.connectors._helpers import create_source, sync_and_reload
from tests.support.replay import FIXTURES, load
from tests.support.services import free_port

UTC = dt.UTC


def exchanges(*names: str):
    """Fixture exchanges, with feed bodies read from the .xml files they name."""
    out = load(*(f"rss/{n}" for n in names))
    for ex in out:
        if "body_file" in ex.response:
            ex.response["body"] = (FIXTURES / "rss" / ex.response.pop("body_file")).read_text(encoding="utf-8")
    return out


def only(name: str, file: str = "errors.json"):
    return [ex for ex in exchanges(file) if ex.name == name]


@pytest.fixture
def loopback_allowed(monkeypatch):
    """The replay server lives on 127.0.0.1, which real feeds may not use."""
    monkeypatch.setattr(RssConnector, "allow_private_addresses", True)


def feed_source(rt, factory, url: str, **config) -> Source:
    return create_source(rt, factory, kind="rss", name="BayaniPay Blog", config={"url": url, **config})


def fetch_all(connector: RssConnector, cursor=None):
    batches = list(connector.fetch(cursor))
    return [it for b in batches for it in b.items], batches


def source_row(rt, source_id: int) -> Source:
    with rt.db.sessions() as s:
        return s.get(Source, source_id)


# ---------------------------------------------------------------------------------------- reading


def test_rss_items_become_posts_with_their_author_date_and_sanitised_html(srv, loopback_allowed):
    srv.add(*exchanges("feed.json"))
    items, batches = fetch_all(RssConnector({"url": f"{srv.base_url}/feed.xml"}, {}))
    by_id = {it.platform_message_id: it for it in items}
    assert set(by_id) == {"bayanipay-blog-1042", "https://blog.bayanipay.example/2026/04/maintenance",
                          "https://blog.bayanipay.example/2026/04/tips"}  # guid, else the link
    qr = by_id["bayanipay-blog-1042"]
    assert qr.created_at == dt.datetime(2026, 5, 1, 1, 0, tzinfo=UTC)  # 09:00 +08:00
    assert qr.title == "Bagong feature: QR Ph sa lahat ng tindahan" and qr.channel == "BayaniPay Blog"
    assert qr.url == "https://blog.bayanipay.example/2026/05/qr-ph" and qr.kind == "post"
    assert qr.thread_id == qr.platform_message_id  # each entry is its own conversation
    assert qr.author.display_name == "Maria Santos"
    assert "<strong>QR Ph</strong>" in qr.html and "<script>" not in qr.html
    assert qr.text == "Pwede mo nang i-scan ang QR Ph sa kahit anong tindahan.\n\nBasahin ang FAQ & mag-iwan ng tanong!"
    maint = by_id["https://blog.bayanipay.example/2026/04/maintenance"]
    assert maint.author.email == "support@bayanipay.example" and maint.author.display_name == "BayaniPay Support"
    assert maint.text == "Hindi magagamit ang app mula 1:00 hanggang 3:00 AM."
    assert by_id["https://blog.bayanipay.example/2026/04/tips"].author is None  # nobody named: no member
    assert [it.created_at for it in items] == sorted(it.created_at for it in items)
    assert batches[-1].cursor and '"etag": "W/\\"5f2a-1714528800\\""' in batches[-1].cursor


def test_atom_entries_keep_their_updates_as_edits(srv, loopback_allowed):
    srv.add(*exchanges("atom.json"))
    items, _ = fetch_all(RssConnector({"url": f"{srv.base_url}/history.atom"}, {}))
    incident, fixed = sorted(items, key=lambda it: it.created_at, reverse=True)
    assert incident.platform_message_id == "tag:status.bayanipay.example,2026:incident/8812"
    assert incident.created_at == dt.datetime(2026, 5, 1, 1, 0, tzinfo=UTC)
    assert incident.edited_at == dt.datetime(2026, 5, 1, 2, 30, tzinfo=UTC)
    assert incident.text == "Inaalam pa namin ang sanhi.\n\nUpdate 10:30: naayos na ang cash-in."
    assert (incident.author.display_name, incident.author.email, incident.author.profile_url) == (
        "Ben Dizon", "ben@bayanipay.example", "https://status.bayanipay.example/team/ben")
    assert incident.author.platform_user_id == "ben@bayanipay.example"
    assert fixed.edited_at is None and fixed.text == "Gumagana na ulit ang login para sa lahat."
    assert incident.channel == "BayaniPay Status"


def test_a_full_sync_then_a_conditional_one_that_stores_nothing_twice(srv, rt, factory, loopback_allowed):
    srv.add(*exchanges("feed.json"))
    src = feed_source(rt, factory, f"{srv.base_url}/feed.xml")
    first = sync_source(rt, src.id)
    second = sync_source(rt, src.id)
    asked = [r.headers for r in srv.received]
    assert first.ok and first.result.inserted == 3
    assert second.ok and second.result.inserted == 0
    assert "if-none-match" not in asked[0]
    assert asked[1]["if-none-match"] == 'W/"5f2a-1714528800"'
    assert asked[1]["if-modified-since"] == "Fri, 01 May 2026 01:00:00 GMT"
    with rt.db.sessions() as s:
        convs = s.scalars(select(Conversation).where(Conversation.source_id == src.id)).all()
        assert sorted(c.title for c in convs) == ["Bagong feature: QR Ph sa lahat ng tindahan",
                                                  "Limang tip para ligtas ang account mo",
                                                  "Paalala: maintenance sa Sabado"]
        assert all(c.message_count == 1 and c.channel == "BayaniPay Blog" for c in convs)
        assert s.scalar(select(Message).where(Message.platform_message_id == "bayanipay-blog-1042")).url == \
            "https://blog.bayanipay.example/2026/05/qr-ph"
        idents = {i.display_name: i for i in s.scalars(select(Identity).where(Identity.source_id == src.id))}
        assert set(idents) == {"Maria Santos", "BayaniPay Support"}
        assert idents["BayaniPay Support"].email == "support@bayanipay.example"
        assert len(s.scalars(select(Member)).all()) == 2
        row = s.get(Source, src.id)
        assert row.health == "ok" and row.last_error is None and row.items_last_sync == 0


def test_an_edited_entry_updates_the_stored_message(srv, rt, factory, loopback_allowed):
    original = exchanges("atom.json")[0]
    edited = exchanges("atom.json")[0]
    edited.response["body"] = edited.response["body"].replace("naayos na ang cash-in.",
                                                              "naayos na ang cash-in sa lahat ng tindahan.")
    original.times = 1
    srv.add(original, edited)
    src = feed_source(rt, factory, f"{srv.base_url}/history.atom")
    sync_source(rt, src.id)
    again = sync_source(rt, src.id)
    assert again.result.updated == 1 and again.result.inserted == 0
    with rt.db.sessions() as s:
        msg = s.scalar(select(Message).where(Message.platform_message_id.like("%8812")))
        assert msg.text.endswith("naayos na ang cash-in sa lahat ng tindahan.") and msg.edited_at is not None


def test_redirects_are_followed(srv, loopback_allowed):
    srv.add(*exchanges("redirect.json"))
    items, _ = fetch_all(RssConnector({"url": f"{srv.base_url}/old-feed"}, {}))
    assert [r.path for r in srv.received] == ["/old-feed", "/feed.xml"]
    assert len(items) == 3


def test_the_connection_goes_to_the_checked_address_under_the_feeds_own_name(srv, monkeypatch, loopback_allowed):
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **kw: real(
        "127.0.0.1" if host == "feeds.bayanipay.test" else host, *a, **kw))
    srv.add(*exchanges("feed.json"))
    port = srv.base_url.rsplit(":", 1)[1]
    items, _ = fetch_all(RssConnector({"url": f"http://feeds.bayanipay.test:{port}/feed.xml"}, {}))
    assert srv.received[0].headers["host"] == f"feeds.bayanipay.test:{port}"
    assert len(items) == 3


def test_a_page_that_is_not_a_feed_says_so(srv, loopback_allowed):
    srv.add(*exchanges("not_a_feed.json"))
    with pytest.raises(Rejected) as caught:
        fetch_all(RssConnector({"url": f"{srv.base_url}/blog"}, {}))
    assert caught.value.message == "The address did not return an RSS or Atom feed (it sent text/html)."
    assert caught.value.transient is False


def test_feeds_larger_than_the_limit_are_refused(srv, monkeypatch, loopback_allowed):
    monkeypatch.setattr(rss, "MAX_BYTES", 1024)
    srv.add(*exchanges("feed.json"))
    with pytest.raises(Rejected, match="is larger than 0 MB; Kapwa reads smaller feeds only"):
        fetch_all(RssConnector({"url": f"{srv.base_url}/feed.xml"}, {}))


def test_basic_auth_credentials_are_sent_for_feeds_behind_a_login(srv, loopback_allowed):
    srv.add(*exchanges("feed.json"))
    fetch_all(RssConnector({"url": f"{srv.base_url}/feed.xml"}, {"username": "members", "password": "s3cret"}))
    assert srv.received[0].headers["authorization"] == "Basic bWVtYmVyczpzM2NyZXQ="


def test_the_feeds_login_is_not_sent_along_a_redirect_to_another_host(srv, monkeypatch, loopback_allowed):
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **kw: real(
        "127.0.0.1" if host == "cdn.bayanipay.test" else host, *a, **kw))
    moved, feed = exchanges("redirect.json")
    port = srv.base_url.rsplit(":", 1)[1]
    moved.response["headers"] = {"Location": f"http://cdn.bayanipay.test:{port}/feed.xml"}
    srv.add(moved, feed)
    items, _ = fetch_all(RssConnector({"url": f"{srv.base_url}/old-feed", "username": "members"},
                                      {"password": "s3cret"}))
    first, second = srv.received
    assert first.headers["authorization"] == "Basic bWVtYmVyczpzM2NyZXQ="
    assert second.headers["host"] == f"cdn.bayanipay.test:{port}" and "authorization" not in second.headers
    assert len(items) == 3


# ---------------------------------------------------------------------------------- private addresses


def test_loopback_feed_urls_are_refused_by_default_and_the_source_says_why(srv, rt, factory):
    srv.add(*exchanges("feed.json"))
    src = feed_source(rt, factory, f"{srv.base_url}/feed.xml")
    outcome = sync_source(rt, src.id)
    assert srv.received == []  # refused before connecting
    assert outcome.error == "feed URL points to a private address (127.0.0.1); not allowed"
    row = source_row(rt, src.id)
    assert row.last_error == outcome.error and row.health == "failing"  # a person must change the address
    assert row.next_sync_at >= utcnow() + dt.timedelta(minutes=59)


@pytest.mark.parametrize("addresses", [
    ["10.0.0.5"], ["192.168.1.10"], ["172.16.4.4"], ["169.254.169.254"], ["100.64.0.1"], ["0.0.0.0"],
    ["::1"], ["fd00::1"], ["fe80::1%eth0"], ["::ffff:127.0.0.1"], ["224.0.0.1"],
    ["93.184.215.14", "10.1.2.3"],  # one private answer among public ones is enough to refuse
])
def test_every_private_answer_is_refused(monkeypatch, addresses):
    def fake(host, port, *args, **kwargs):
        fam = {True: socket.AF_INET6, False: socket.AF_INET}
        return [(fam[":" in a], socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with pytest.raises(RefusedAddress) as caught:
        fetch_all(RssConnector({"url": "https://intranet.bayanipay.example/feed.xml"}, {}))
    private = next(a for a in addresses if not rss._is_public(a))
    assert caught.value.message == f"feed URL points to a private address ({private}); not allowed"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://files.example.org/feed.xml",
                                 "gopher://127.0.0.1:6379/_FLUSHALL", "//no-scheme.example.org/feed"])
def test_only_http_and_https_are_fetched(url, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: pytest.fail("must not even resolve"))
    with pytest.raises(RefusedAddress, match="must start with http:// or https://"):
        fetch_all(RssConnector({"url": url}, {}))


def test_a_redirect_into_the_private_network_is_refused(srv, monkeypatch):
    # Pretend the replay server's address is on the public internet; the redirect leads to cloud metadata.
    monkeypatch.setattr(rss, "_is_public", lambda address: address == "127.0.0.1")
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **kw: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))] if host == "metadata.test"
        else real(host, port, *a, **kw)))
    moved = load("rss/redirect.json")[0]
    moved.response["headers"] = {"Location": "http://metadata.test/latest/meta-data/"}
    srv.add(moved)
    with pytest.raises(RefusedAddress, match=r"private address \(169\.254\.169\.254\)"):
        fetch_all(RssConnector({"url": f"{srv.base_url}/old-feed"}, {}))
    assert [r.path for r in srv.received] == ["/old-feed"]


def test_a_source_config_cannot_switch_the_protection_off():
    connector = RssConnector({"url": "http://127.0.0.1/feed.xml", "allow_private_addresses": True}, {})
    with pytest.raises(RefusedAddress):
        fetch_all(connector)


def test_an_operator_setting_can_switch_the_protection_off(srv):
    class Settings:
        rss_allow_private_addresses = True

    srv.add(*exchanges("feed.json"))
    items, _ = fetch_all(RssConnector({"url": f"{srv.base_url}/feed.xml"}, {}, settings=Settings()))
    assert len(items) == 3


# --------------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("name", "cls", "words", "at_least"), [
    ("401", AuthError, "The feed at 127.0.0.1 did not accept the credentials (HTTP 401)", 3600),
    ("403", AuthError, "The feed at 127.0.0.1 refused access (HTTP 403)", 3600),
    ("404", NotFound, "The feed at 127.0.0.1 has no such feed (HTTP 404)", 3600),
    ("410", NotFound, "The feed at 127.0.0.1 no longer has that feed (HTTP 410)", 3600),
    ("429", RateLimited, "The feed at 127.0.0.1 asked Kapwa to slow down (HTTP 429); trying again in about 10 minutes.", 600),
    ("500", Unreachable, "The feed at 127.0.0.1 is having trouble right now (HTTP 500); Kapwa will try again later.", 40),
    ("503", Unreachable, "The feed at 127.0.0.1 is having trouble right now (HTTP 503)", 1800),
])
def test_http_failures_read_plainly_and_set_the_next_try(srv, rt, factory, loopback_allowed, name, cls, words, at_least):
    srv.add(*only(name))
    with pytest.raises(cls) as caught:
        fetch_all(RssConnector({"url": f"{srv.base_url}/feed.xml"}, {}))
    assert caught.value.message.startswith(words)
    src = feed_source(rt, factory, f"{srv.base_url}/feed.xml")
    before, outcome, row = sync_and_reload(rt, src.id)
    assert not outcome.ok and row.last_error == caught.value.message
    assert row.health == ("degraded" if caught.value.transient else "failing")
    assert row.next_sync_at >= before + dt.timedelta(seconds=at_least)


def test_an_unreachable_server_is_unreachable(loopback_allowed):
    url = f"http://127.0.0.1:{free_port()}/feed.xml"
    with pytest.raises(Unreachable, match="Could not connect to 127.0.0.1: the connection was refused"):
        fetch_all(RssConnector({"url": url}, {}))


# ------------------------------------------------------------------------------------ the rest


def test_feeds_are_read_only():
    connector = RssConnector({"url": "https://blog.bayanipay.example/feed.xml"}, {})
    with pytest.raises(NotSupported):
        connector.reply("t", "p", "Salamat!")
    with pytest.raises(NotSupported):
        connector.publish("Bagong post")


def test_connection_test_names_the_feed(srv, loopback_allowed):
    srv.add(*exchanges("feed.json"))
    assert RssConnector({"url": f"{srv.base_url}/feed.xml"}, {}).test_connection() == \
        "Feed “BayaniPay Blog” with 3 entries"


def test_html_to_text_keeps_what_people_wrote():
    html = ('<p>Hi <a href="https://x.example/@maria">@<span>maria</span></a>,</p><p>Link: '
            '<a href="https://example.com/page/that/is/long"><span class="invisible">https://</span>'
            '<span class="ellipsis">example.com/page</span><span class="invisible">/that/is/long</span></a>'
            '<br>Bagong linya &amp; emoji <img class="emoji" alt=":pray:" src="x.png"></p><script>alert(1)</script>')
    assert html_to_text(html) == ("Hi @maria,\n\nLink: https://example.com/page/that/is/long\n"
                                  "Bagong linya & emoji :pray:")
    assert html_to_text(None) == "" and html_to_text("plain") == "plain"
