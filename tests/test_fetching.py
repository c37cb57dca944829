"""Tests for index.fetching: what `/add URL` may reach (only public addresses, unless an operator allows a
host), redirects checked at every hop, the deadline of a whole fetch, and the page's reading (mock transport).
Servers run on 127.0.0.1 only; nothing reaches the network."""

from __future__ import annotations

import contextlib
import gzip
import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import pytest

from index.errors import ConfigError, ReadError
from index.fetching import FetchPolicy, GuardedBackend, _Deadline, fetch_url, is_public_address
from index.settings import Settings

PAGE = """<html><head><title>Storm hits coast | Daily Planet</title>
<meta property="og:title" content="Storm hits coast">
<meta property="og:site_name" content="Daily Planet">
<link rel="canonical" href="https://planet.example/storm"></head>
<body><nav>Home | World | Sport</nav><article><h1>Storm hits coast</h1>
<p>A powerful storm hit the coast on Tuesday, officials said. Thousands of homes lost power overnight.</p>
<p>"We have never seen anything like it," said Mayor Jane Doe. The cleanup will take weeks, according to the
city council, and the costs are not yet known.</p></article><footer>Copyright 2024</footer></body></html>"""
ROOT = Path(__file__).resolve().parent.parent
SECRET_PAGE = PAGE.replace("Storm hits coast", "Internal payroll memo")


# --- the address classifier -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "10.255.255.255",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "100.127.255.255",
        "192.0.0.8",
        "198.18.0.1",
        "224.0.0.1",  # multicast
        "239.255.255.250",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "febf::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 around 127.0.0.1
        "2002:c0a8:101::",  # 6to4 around 192.168.1.1
        "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
        "2001:db8::1",  # documentation
        "2001::1",  # Teredo
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"],
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def test_the_allow_setting_names_hosts_and_networks() -> None:
    policy = FetchPolicy.parse_allow("Intranet.Example, 10.1.0.0/16, fd00::/8")
    assert policy.allow_hosts == {"intranet.example"}
    assert policy.allows("intranet.example", ipaddress.ip_address("192.168.3.4"))
    assert policy.allows("wiki.corp", ipaddress.ip_address("10.1.2.3"))
    assert not policy.allows("wiki.corp", ipaddress.ip_address("10.2.0.1"))
    assert policy.allows("x", ipaddress.ip_address("fd00::5"))
    assert not FetchPolicy().allows("localhost", ipaddress.ip_address("127.0.0.1"))
    with pytest.raises(ConfigError, match="NEWSBOT_FETCH_ALLOW"):
        FetchPolicy.parse_allow("http://intranet/")


def test_the_settings_read_the_allow_list_and_the_deadline() -> None:
    settings = Settings.from_env({"NEWSBOT_FETCH_ALLOW": "localhost,10.0.0.0/8", "NEWSBOT_FETCH_DEADLINE": "5"})
    assert settings.fetch_allow == "localhost,10.0.0.0/8" and settings.fetch_deadline == 5
    assert Settings.from_env({}).fetch_deadline == 30
    for env in ({"NEWSBOT_FETCH_ALLOW": "a b/c"}, {"NEWSBOT_FETCH_DEADLINE": "soon"}, {"NEWSBOT_FETCH_DEADLINE": "0"}):
        with pytest.raises(ConfigError):
            Settings.from_env(env)


def test_a_name_that_resolves_to_any_internal_address_is_refused() -> None:
    def resolve(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port)),
        ]

    backend = GuardedBackend(FetchPolicy(), _Deadline("http://mixed.example/", 10), resolve=resolve)
    with pytest.raises(ReadError, match="internal address"):
        backend.addresses("mixed.example", 80)


def test_the_connection_goes_to_the_address_that_was_checked() -> None:
    """A second lookup (DNS rebinding) is never made: the backend connects to the address it checked."""
    answers = iter(["93.184.216.34", "127.0.0.1"])
    looked_up: list[str] = []

    def resolve(host: str, port: int, **kwargs: object) -> list[tuple[object, ...]]:
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    backend = GuardedBackend(FetchPolicy(), _Deadline("http://rebind.example/", 10), resolve=resolve)
    connected: list[str] = []

    class Recorder:
        def connect_tcp(self, host: str, *args: object) -> None:
            connected.append(host)
            raise __import__("httpcore").ConnectError("not really")

    backend._tcp = Recorder()  # type: ignore[assignment]
    with pytest.raises(Exception, match="not really"):
        backend.connect_tcp("rebind.example", 80)
    assert looked_up == ["rebind.example"] and connected == ["93.184.216.34"]


# --- servers on 127.0.0.1 -------------------------------------------------------------------------------


class _Site(BaseHTTPRequestHandler):
    trickle_seconds = 0.2

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.startswith("/to-loopback"):
            self._send(302, b"", location=f"http://127.0.0.1:{self.server.server_address[1]}/secret")
        elif self.path.startswith("/redirect?to="):
            location = unquote(self.path.partition("=")[2])
            self._send(302, b"", location=location.replace("PORT", str(self.server.server_address[1])))
        elif self.path.startswith("/loop"):
            self._send(302, b"", location="/loop")
        elif self.path.startswith("/trickle"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(300):  # a byte at a time, never reaching the read timeout
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(self.trickle_seconds)
        elif self.path.startswith("/secret"):
            self._send(200, SECRET_PAGE.encode())
        else:
            self._send(200, PAGE.encode())

    def _send(self, status: int, body: bytes, location: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def site() -> Iterator[int]:
    """Yield the port of a small web site on 127.0.0.1 (a page, a secret page, redirects, a trickle)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.1", "2130706433", "0.0.0.0", "[::1]"])
def test_internal_addresses_are_refused_before_connecting(site: int, host: str) -> None:
    with pytest.raises(ReadError, match="internal address") as info:
        fetch_url(f"http://{host}:{site}/secret")
    assert "only public web addresses" in info.value.reason


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """Yield a listening socket on 127.0.0.1 that nothing should ever connect to."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.setblocking(False)
        yield server
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing connected


# how the loopback address can be spelled in a link (browsers read each as 127.0.0.1) and links that are no link
INTERNAL_SPELLINGS = [
    "0177.0.0.1", "127.000.000.001", "0x7f.1", "0X7F.0.0.01", "0x7f000001", "017700000001", "2130706433",
    "127.1", "127.0.0.1.", "0", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
]
MALFORMED = [
    "http://08.0.0.1:PORT/", "http://127.0.0.256:PORT/", "http://1.127.0.0.1:PORT/", "http://a..1:PORT/",
    "http://x.1:PORT/", "http://127.0.0.1:99999/", "http://127.0.0.1:-1/", "http://127.0.0.1:PORT0000/",
    "http://127.0.0.1:abc/", "http://127.0.0.1:0/", "http://:PORT/", "http:///secret", "http://",
    "http://127.0.0.1 :PORT/", "http:// 127.0.0.1:PORT/", "http://127.0.0.1:PORT/a b", "http://127.0.0.1\t:PORT/",
    "http://127.0.0.1:PORT/\n", "http://[::1:PORT/", "http://[127.0.0.1]:PORT/", "http://exa mple.invalid/",
    "http://xn--.invalid/", "http://a\x00b.invalid/",
]


@pytest.mark.parametrize("host", INTERNAL_SPELLINGS)
def test_every_spelling_of_an_internal_address_is_refused(listener: socket.socket, host: str) -> None:
    port = listener.getsockname()[1]
    with pytest.raises(ReadError, match="internal address") as info:
        fetch_url(f"http://{host}:{port}/secret")
    assert "only public web addresses" in info.value.reason and "\n" not in str(info.value)


@pytest.mark.parametrize("link", MALFORMED)
@pytest.mark.parametrize("allow", ["", "127.0.0.1"])
def test_a_malformed_link_is_refused_in_one_line_before_connecting(
    listener: socket.socket, link: str, allow: str
) -> None:
    url = link.replace("PORT", str(listener.getsockname()[1]))
    with pytest.raises(ReadError) as info:  # and no other exception
        fetch_url(url, FetchPolicy.parse_allow(allow))
    assert info.value.reason and "\n" not in info.value.reason
    assert "internal address" not in info.value.reason  # refused as malformed, before any address is looked up


def test_a_numeric_host_is_read_as_browsers_read_it(site: int) -> None:
    """An operator who allows 127.0.0.1 allows it in every spelling: the check sees the address reached."""
    for host in ("0177.0.0.1", "127.000.000.001", "0x7f.1", "2130706433"):
        article = fetch_url(f"http://{host}:{site}/page", FetchPolicy.parse_allow("127.0.0.1"))
        assert article.source.title == "Storm hits coast" and article.doc_id == f"http://{host}:{site}/page"


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://0177.0.0.1:PORT/secret", r"127\.0\.0\.1 is an internal address"),
        ("http://127.0.0.1:99999/secret", "redirected to .*: not a well-formed link"),
        ("http://08.0.0.1/secret", "redirected to .*: its host 08.0.0.1 ends in a number"),
        ("http://[::1/secret", "not a well-formed link"),
        ("ftp://127.0.0.1/secret", "only http"),
    ],
)
def test_a_redirect_to_an_odd_link_is_refused_in_one_line(site: int, location: str, reason: str) -> None:
    url = f"http://localhost:{site}/redirect?to={quote(location, safe='')}"
    with pytest.raises(ReadError, match=reason):
        fetch_url(url, FetchPolicy.parse_allow("localhost"))


def test_a_redirect_into_an_internal_address_is_refused(site: int) -> None:
    policy = FetchPolicy.parse_allow("localhost")  # the first hop is allowed, the second is not
    with pytest.raises(ReadError, match=r"127\.0\.0\.1 is an internal address"):
        fetch_url(f"http://localhost:{site}/to-loopback", policy)


def test_an_allowed_intranet_host_is_fetched(site: int) -> None:
    for allow, host in (("127.0.0.1", "127.0.0.1"), ("localhost", "localhost"), ("127.0.0.0/8", "127.1")):
        article = fetch_url(f"http://{host}:{site}/page", FetchPolicy.parse_allow(allow))
        assert article.source.title == "Storm hits coast" and "officials said" in article.text
    redirected = fetch_url(f"http://127.0.0.1:{site}/to-loopback", FetchPolicy.parse_allow("127.0.0.1"))
    assert redirected.source.title == "Internal payroll memo"


def test_redirects_are_followed_at_most_five_times(site: int) -> None:
    with pytest.raises(ReadError, match="too many redirects"):
        fetch_url(f"http://127.0.0.1:{site}/loop", FetchPolicy.parse_allow("127.0.0.1"))


def test_a_whole_fetch_has_a_deadline(site: int) -> None:
    policy = FetchPolicy.parse_allow("127.0.0.1", deadline=1.0, timeout=20.0)
    with pytest.raises(ReadError, match="took longer than 1 s"):
        fetch_url(f"http://127.0.0.1:{site}/trickle", policy)


def test_the_engine_fetches_with_the_settings_allow_list_and_deadline(site: int, tmp_path, fake_encoder) -> None:  # type: ignore[no-untyped-def]
    from index.engine import Engine

    closed = Engine.open(Settings(data_dir=tmp_path / "a", progress=False, ranker="fusion"), encoder=fake_encoder)
    try:
        with pytest.raises(ReadError, match="internal address"):
            closed.add_url(f"http://127.0.0.1:{site}/page")
        assert closed.library.summary(0).articles == 0
    finally:
        closed.close()
    settings = Settings(
        data_dir=tmp_path / "b", progress=False, ranker="fusion", fetch_allow="127.0.0.1", fetch_deadline=3
    )
    opened = Engine.open(settings, encoder=fake_encoder)
    try:
        assert opened.add_url(f"http://127.0.0.1:{site}/page").articles_added == 1
        with pytest.raises(ReadError, match="took longer than 3 s"):
            opened.add_url(f"http://127.0.0.1:{site}/trickle")
    finally:
        opened.close()


# --- reading what was fetched (no network: a mock transport) ---------------------------------------------


def mock(handler) -> httpx.MockTransport:  # type: ignore[no-untyped-def]
    """Return a transport that answers with the handler (no network), its body unread as a network's is (a
    Response made from bytes is read, and decoded, at once; fetch_url reads the raw stream)."""

    def streamed(request: httpx.Request) -> httpx.Response:
        r = handler(request)
        return httpx.Response(r.status_code, headers=r.headers, stream=httpx.ByteStream(r.content))

    return httpx.MockTransport(streamed)


def test_fetch_url_reads_an_html_page_after_a_redirect() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "https://planet.example/storm"})
        return httpx.Response(
            200, headers={"content-type": "text/html; charset=utf-8"}, content=PAGE.encode()
        )

    article = fetch_url("https://planet.example/old", transport=mock(handler))
    assert article.doc_id == "https://planet.example/old"
    assert article.source.title == "Storm hits coast"
    assert "officials said" in article.text


def test_fetch_url_reads_plain_text() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/plain"}, content=b"A plain\nwrapped story.")

    article = fetch_url("http://x.example/a.txt", transport=mock(handler))
    assert article.text == "A plain wrapped story."
    assert article.source.url == "http://x.example/a.txt"


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(404), "HTTP 404"),
        (httpx.Response(200, headers={"content-type": "application/pdf"}, content=b"%PDF"), "content type"),
        (
            httpx.Response(200, headers={"content-type": "text/html"}, content=b"<html>" + b"x" * 2000),
            "too large",
        ),
        (httpx.Response(200, headers={"content-type": "text/html"}, content=b""), "empty"),
    ],
)
def test_fetch_url_errors(response: httpx.Response, reason: str) -> None:
    with pytest.raises(ReadError, match=reason):
        fetch_url("https://x.example/", FetchPolicy(max_bytes=1000), transport=mock(lambda request: response))


def test_fetch_url_refuses_other_schemes_and_reports_timeouts() -> None:
    with pytest.raises(ReadError, match="only http"):
        fetch_url("file:///etc/passwd")
    with pytest.raises(ReadError, match="only http"):
        fetch_url("ftp://x.example/a")

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(ReadError, match="timed out after 3 s"):
        fetch_url("https://x.example/", FetchPolicy(timeout=3), transport=mock(slow))

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ReadError, match="could not be downloaded"):
        fetch_url("https://x.example/", transport=mock(refused))


# --- content codings, undone here as bounded streams (servers on 127.0.0.1) --------------------------------


class _Pages(BaseHTTPRequestHandler):
    """Serves `server.pages[path]`, a (headers, body) pair, and records each request's headers."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.server.seen.append(dict(self.headers))  # type: ignore[attr-defined]
        headers, body = self.server.pages[self.path]  # type: ignore[attr-defined]
        self.send_response(200)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client stopped reading: what a refusal does
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def pages() -> Iterator[ThreadingHTTPServer]:
    """Yield a web server on 127.0.0.1 whose `pages` (path -> headers, body) the test fills in."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    server.pages = {}  # type: ignore[attr-defined]
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _url(server: ThreadingHTTPServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def gzipped(data: bytes) -> bytes:
    """Return `data` in gzip's format."""
    return gzip.compress(data, mtime=0)


def gzip_twice_zeros(size_mib: int) -> bytes:
    """Return `size_mib` MiB of zero bytes gzipped, and that gzipped again, built a MiB at a time: 1 GiB makes
    about 2.5 KB. The inner stream repeats one deflate block (each ends in a full flush, so each is the same)."""
    mib = bytes(1 << 20)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(mib) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size_mib):
        crc = zlib.crc32(mib, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (size_mib << 20) & 0xFFFFFFFF)
    return gzipped(header + block * size_mib + deflate.flush() + trailer)


MEASURE_PEAK = """
import json, resource, sys
from index.fetching import FetchPolicy, fetch_url
from index.errors import ReadError
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    fetch_url(sys.argv[1], FetchPolicy.parse_allow("127.0.0.1"))
    outcome = "read"
except ReadError as e:
    outcome = e.reason
print(json.dumps({"baseline_kib": baseline, "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "outcome": outcome}))
"""


def test_a_page_gzipped_twice_is_refused_within_a_few_mb(pages: ThreadingHTTPServer) -> None:
    """1 GiB of zeros gzipped twice (2.5 KB on the wire): each layer stops at the 5 MB limit, so the fetching
    process's peak memory stays near what importing the fetcher takes (it reached 2 GB when httpx decoded)."""
    body = gzip_twice_zeros(1024)
    assert len(body) < 4000
    pages.pages["/bomb"] = ({"Content-Encoding": "gzip, gzip"}, body)
    run = subprocess.run(
        [sys.executable, "-c", MEASURE_PEAK, _url(pages, "/bomb")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    measured = json.loads(run.stdout)
    print(f"baseline {measured['baseline_kib'] / 1024:.1f} MiB, peak {measured['peak_kib'] / 1024:.1f} MiB")
    assert measured["outcome"].startswith("too large (over 5,000,000 bytes")
    assert measured["peak_kib"] < measured["baseline_kib"] + 60 * 1024


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzipped),
        ("x-gzip", gzipped),
        ("identity, gzip", gzipped),
        ("deflate", zlib.compress),  # zlib-wrapped, as the standard says
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send and browsers read
        ("gzip, deflate", lambda data: zlib.compress(gzipped(data))),
        ("", lambda data: data),
    ],
)
def test_compressed_pages_are_read(pages: ThreadingHTTPServer, coding: str, encode) -> None:  # type: ignore[no-untyped-def]
    pages.pages["/p"] = ({"Content-Encoding": coding} if coding else {}, encode(PAGE.encode()))
    article = fetch_url(_url(pages, "/p"), FetchPolicy.parse_allow("127.0.0.1"))
    assert article.source.title == "Storm hits coast" and "officials said" in article.text
    assert pages.seen[-1]["Accept-Encoding"] == "gzip, deflate"  # only what newsbot undoes itself


def test_a_page_larger_than_one_decoding_step_is_read_whole(pages: ThreadingHTTPServer) -> None:
    text = "".join(f"Paragraph {i} says the council met on Tuesday, officials said.\n\n" for i in range(5000))
    pages.pages["/big"] = (
        {"Content-Encoding": "gzip, gzip", "Content-Type": "text/plain"}, gzipped(gzipped(text.encode()))
    )
    article = fetch_url(_url(pages, "/big"), FetchPolicy.parse_allow("127.0.0.1"))
    assert len(text) > 300_000 and article.text.count("Paragraph") == 5000 and "Paragraph 4999 says" in article.text


@pytest.mark.parametrize(
    ("coding", "body", "reason"),
    [
        ("gzip, gzip, gzip", gzipped(gzipped(gzipped(PAGE.encode()))), "is compressed 3 times"),
        ("compress", PAGE.encode(), r"content encoding newsbot cannot read \(compress\)"),
        ("br", PAGE.encode(), r"content encoding newsbot cannot read \(br\)"),
        ("gzip, zstd", PAGE.encode(), r"content encoding newsbot cannot read \(zstd\)"),
        ("gzip", bytes(100) + PAGE.encode(), "gzip content is damaged"),
        ("gzip", gzipped(b"<p>" + b" " * 6_000_000 + b"</p>"), r"too large \(over 5,000,000 bytes once"),
    ],
)
def test_unreadable_codings_are_refused(pages: ThreadingHTTPServer, coding: str, body: bytes, reason: str) -> None:
    pages.pages["/p"] = ({"Content-Encoding": coding}, body)
    with pytest.raises(ReadError, match=reason):
        fetch_url(_url(pages, "/p"), FetchPolicy.parse_allow("127.0.0.1"))


def test_the_declared_length_is_still_honoured(pages: ThreadingHTTPServer) -> None:
    pages.pages["/p"] = ({"Content-Length": "6000000", "Content-Encoding": "gzip"}, gzipped(PAGE.encode()))
    with pytest.raises(ReadError, match=r"too large \(6,000,000 bytes; the limit is 5,000,000\)"):
        fetch_url(_url(pages, "/p"), FetchPolicy.parse_allow("127.0.0.1"))
