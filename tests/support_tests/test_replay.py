import httpx
from tests.support.replay import ReplayServer, Exchange
def test_replay():
    with ReplayServer([Exchange({"method":"GET","path":"/a","query":{"x":"1"}},{"status":429,"headers":{"Retry-After":"30"},"json":{"e":1}})]) as srv:
        r = httpx.get(srv.base_url+"/a?x=1&y=2"); assert r.status_code==429 and r.headers["retry-after"]=="30"
        assert httpx.get(srv.base_url+"/b").status_code==599 and len(srv.unmatched)==1
