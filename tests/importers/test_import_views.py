"""The /imports page and upload form: roles, saving the upload, running it in the background, progress."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.routing import APIRoute

from kapwa.core.models import Message, Role, Source
from kapwa.sources import import_views
from kapwa.web.app import create_app
from tests.importers import FIXTURES, count, messages

CSV = FIXTURES / "generic" / "messages.csv"
MAPPING = {"id": "post_id", "text": "body", "created_at": "posted", "author_id": "user",
           "author_name": "user_name", "thread_id": "thread", "parent_id": "reply_to", "title": "subject"}


@pytest.fixture
def app(rt, monkeypatch):
    """The app behind the shared `client`/`signed_in` fixtures; uploads run in a thread of this process."""
    monkeypatch.setattr(import_views, "_queue_has_import_job", lambda: False)
    app = create_app(rt=rt)
    if not any(isinstance(r, APIRoute) and r.path == "/imports" for r in app.routes):
        app.include_router(import_views.router)  # until the router is registered in kapwa.web.routes
    yield app
    import_views.wait_for_imports()


@pytest.fixture
def sign_in(signed_in):
    return lambda role: signed_in(role)[2]


def upload(client, csrf, path, fmt, **data):
    with path.open("rb") as fh:
        return client.post("/imports", data={"csrf_token": csrf, "format": fmt, **data},
                           files={"file": (path.name, fh, "application/octet-stream")},
                           follow_redirects=False)


def test_a_manager_uploads_a_file_and_sees_it_imported(rt, client, sign_in):
    csrf = sign_in(Role.manager)
    r = upload(client, csrf, CSV, "csv", mapping=json.dumps(MAPPING))
    assert r.status_code == 303 and r.headers["location"] == "/imports?watch=1"
    import_views.wait_for_imports()
    assert count(rt, Message) == 6
    with rt.db.sessions() as s:
        src = s.query(Source).one()
    saved = src.config["path"]
    assert saved.endswith(".csv") and "/uploads/" in saved and "messages" not in saved.rsplit("/", 1)[1]
    assert src.name == "CSV import: messages.csv"

    page = client.get("/imports")
    assert page.status_code == 200
    assert "CSV import: messages.csv" in page.text and "6 of 6 records" in page.text
    assert re.search(r'<progress id="progress-\d+" max="6" value="6"', page.text)
    assert 'http-equiv="refresh"' not in page.text  # nothing is running any more
    assert '<label for="import-file">' in page.text and 'enctype="multipart/form-data"' in page.text


def test_skip_bad_lists_the_bad_records_on_the_page(rt, client, sign_in, tmp_path):
    csrf = sign_in(Role.owner)
    broken = tmp_path / "broken.csv"
    broken.write_text(CSV.read_text(encoding="utf-8-sig").replace("1714560000", "kahapon"), encoding="utf-8")
    upload(client, csrf, broken, "csv", mapping=json.dumps(MAPPING), skip_bad="true")
    import_views.wait_for_imports()
    assert set(messages(rt)) == {"p1", "p2", "p3", "p5", "p6"}
    page = client.get("/imports").text
    assert "1 bad record skipped" in page and "line 6 · posted" in page


def test_without_skip_bad_the_page_shows_where_it_stopped(rt, client, sign_in, tmp_path):
    csrf = sign_in(Role.manager)
    broken = tmp_path / "broken.csv"
    broken.write_text(CSV.read_text(encoding="utf-8-sig").replace("1714560000", "kahapon"), encoding="utf-8")
    upload(client, csrf, broken, "csv", mapping=json.dumps(MAPPING))
    import_views.wait_for_imports()
    page = client.get("/imports").text
    assert "line 6, field &#39;posted&#39;" in page and "Stopped" in page


def test_analysts_see_the_page_but_cannot_upload(client, sign_in):
    csrf = sign_in(Role.analyst)
    page = client.get("/imports")
    assert page.status_code == 200 and "No imports yet." in page.text and 'type="file"' not in page.text
    assert upload(client, csrf, CSV, "csv").status_code == 403


def test_the_upload_needs_the_csrf_token(client, sign_in):
    sign_in(Role.owner)
    assert upload(client, "wrong", CSV, "csv").status_code == 403


def test_uploads_over_the_limit_or_of_unknown_format_are_refused(rt, client, sign_in, monkeypatch):
    csrf = sign_in(Role.manager)
    monkeypatch.setattr(import_views, "MAX_UPLOAD_BYTES", 100)
    r = upload(client, csrf, CSV, "csv")
    assert r.status_code == 303 and "kapwa_flash" in r.headers.get("set-cookie", "")
    assert "larger than the upload limit" in client.get("/imports").text
    assert upload(client, csrf, CSV, "spreadsheet").status_code == 303
    assert count(rt, Source) == 0
    assert not list((rt.settings.data_dir / "uploads").glob("*.csv"))  # the partial file was removed


def test_the_page_refreshes_only_when_asked_while_an_import_runs(rt, client, sign_in, factory):
    sign_in(Role.analyst)
    factory.source("import", name="CSV import: big.csv", config={"path": "/nowhere/big.csv", "format": "csv"},
                   sync_cursor=json.dumps({"records": 1500}))
    calm = client.get("/imports")
    assert "1,500 records" in calm.text and 'http-equiv="refresh"' not in calm.text
    assert 'href="/imports?watch=1"' in calm.text
    watching = client.get("/imports?watch=1")
    assert '<meta http-equiv="refresh" content="3">' in watching.text and watching.headers["refresh"] == "3"
    assert 'href="/imports">' in watching.text  # a way to stop it
