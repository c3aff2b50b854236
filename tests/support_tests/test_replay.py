"""The replay server the contract tests stand on: matches recorded exchanges, reports everything else."""

import httpx

from tests.support.replay import Exchange, ReplayServer


def test_replays_recorded_exchanges_and_reports_unmatched_requests():
    limited = Exchange({"method": "GET", "path": "/a", "query": {"x": "1"}},
                       {"status": 429, "headers": {"Retry-After": "30"}, "json": {"error": "slow down"}})
    with ReplayServer([limited]) as srv:
        r = httpx.get(srv.base_url + "/a?x=1&y=2")
        assert r.status_code == 429 and r.headers["retry-after"] == "30" and r.json() == {"error": "slow down"}
        assert httpx.get(srv.base_url + "/b").status_code == 599
        assert [u.path for u in srv.unmatched] == ["/b"] and len(srv.received) == 2
