"""Who a client is: the address it connects from, unless that is a proxy named in
TRACKER_TRUSTED_PROXIES; then the right-most address in X-Forwarded-For that is not one.

A client that can reach the server directly, or from the same host as a proxy, must not be
able to name itself: it would count as forty supporters and never meet a limit.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.e2e.test_cli import _free_port
from tests.e2e.writes import Site, build, open_site
from tracker.config import SettingsError, load_settings

PROXIES = "10.0.0.0/8, 192.0.2.1, 2001:db8:ffff::/48"


def client_from(site: Site, host: str) -> TestClient:
    return TestClient(site.client.app, client=(host, 40000))


def support(client: TestClient, number: int, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    status: int = client.post(f"/api/v1/issues/{number}/support", json={},
                              headers=headers).status_code
    return status


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[Site]:
    """Settings as they come: no proxy is trusted."""
    tracker = build(tmp_path / "data", rate_login="3/minute")
    with open_site(tracker) as site:
        yield site
    tracker.close()


@pytest.fixture
def proxied(tmp_path: Path) -> Iterator[Site]:
    tracker = build(tmp_path / "data", trusted_proxies=PROXIES, rate_login="3/minute")
    with open_site(tracker) as site:
        yield site
    tracker.close()


class TestNoTrustedProxy:
    def test_a_local_client_cannot_name_itself(self, plain: Site) -> None:
        number = plain.issue()
        local = client_from(plain, "127.0.0.1")
        codes = [support(local, number, f"203.0.113.{i}") for i in range(4)]
        assert codes == [200, 409, 409, 409]

    def test_a_local_client_meets_the_login_limit_whatever_it_forwards(self,
                                                                       plain: Site) -> None:
        local = client_from(plain, "127.0.0.1")
        codes = [local.post("/admin/login", data={"name": "x", "password": "y" * 12},
                            headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
                 for i in range(4)]
        assert codes == [401, 401, 401, 429]


class TestTrustedProxies:
    def test_the_client_is_the_right_most_address_the_proxy_did_not_add(
            self, proxied: Site) -> None:
        number = proxied.issue()
        proxy = client_from(proxied, "192.0.2.1")
        assert support(proxy, number, "203.0.113.5") == 200
        assert support(proxy, number, "203.0.113.6") == 200
        # A client writing its own X-Forwarded-For is still the address the proxy added.
        assert support(proxy, number, "198.51.100.1, 203.0.113.5") == 409
        assert support(proxy, number, "203.0.113.9, 203.0.113.6") == 409
        # Through a chain of trusted proxies, the first address outside them.
        assert support(proxy, number, "203.0.113.5, 10.1.2.3, 10.9.8.7") == 409
        assert support(proxy, number, "203.0.113.7, 10.1.2.3") == 200
        # Several X-Forwarded-For headers are one list, in order.
        repeated = proxy.post(f"/api/v1/issues/{number}/support", json={}, headers=[
            ("X-Forwarded-For", "198.51.100.2"), ("X-Forwarded-For", "203.0.113.7")])
        assert repeated.status_code == 409
        assert proxied.client.get(f"/api/v1/issues/{number}").json()["supporters"] == 3

    def test_a_client_not_behind_a_trusted_proxy_cannot_name_itself(self,
                                                                    proxied: Site) -> None:
        number = proxied.issue()
        direct = client_from(proxied, "198.51.100.50")
        assert [support(direct, number, f"203.0.113.{i}") for i in range(3)] == \
            [200, 409, 409]

    def test_an_ipv6_client_behind_a_proxy_is_its_64(self, proxied: Site) -> None:
        number = proxied.issue()
        proxy = client_from(proxied, "2001:db8:ffff::1")
        assert [support(proxy, number, a) for a in
                ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:3::1")] == [200, 409, 200]

    def test_the_login_limit_counts_the_client_behind_the_proxy(self, proxied: Site) -> None:
        proxy = client_from(proxied, "10.0.0.2")

        def attempt(address: str) -> int:
            status: int = proxy.post("/admin/login", data={"name": "x", "password": "y" * 12},
                                     headers={"X-Forwarded-For": address}).status_code
            return status

        assert [attempt("203.0.113.1") for _ in range(4)] == [401, 401, 401, 429]
        assert attempt("203.0.113.2") == 401

    @pytest.mark.parametrize("forwarded", ["unknown", "203.0.113.5:4711", "", "203.0.113.5,",
                                           "[2001:db8::1]", "_hidden", "203.0.113.5, evil",
                                           "2001:db8::1%eth0", "localhost"])
    def test_refuses_a_forwarded_value_that_is_not_an_address(self, proxied: Site,
                                                               forwarded: str) -> None:
        number = proxied.issue()
        before = proxied.position()
        answer = client_from(proxied, "192.0.2.1").post(
            f"/api/v1/issues/{number}/support", json={},
            headers={"X-Forwarded-For": forwarded})
        assert answer.status_code == 400 and answer.json()["field"] == "X-Forwarded-For"
        assert proxied.position() == before


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.internal", "10.0.0.1/8", "1.2.3"])
def test_a_trusted_proxies_setting_that_is_not_addresses_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="TRACKER_TRUSTED_PROXIES"):
        load_settings(trusted_proxies=value)


def test_the_server_itself_believes_no_forwarded_header(tmp_path: Path) -> None:
    """``tracker serve`` as run in production: uvicorn would otherwise take X-Forwarded-For
    from any client on 127.0.0.1 before the app ever saw the connection."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "serve", "--port", str(port)],
        env={**os.environ, "TRACKER_DATA_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"

    def post(path: str, forwarded: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{base}{path}", data=json.dumps({} if "support" in path else
                                             {"title": "Benches"}).encode(),
            headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.load(answer)
        except urllib.error.HTTPError as error:
            return error.code, None

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        _, written = post("/api/v1/issues", "203.0.113.1")
        support_path = f"/api/v1/issues/{written['number']}/support"
        assert [post(support_path, f"203.0.113.{i}")[0] for i in range(3)] == [200, 409, 409]
    finally:
        server.terminate()
        server.wait(timeout=20)
