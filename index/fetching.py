"""Fetching an article from the web for `/add URL` and `newsbot index URL`, safely: only public addresses, a
deadline for the whole fetch, and a size limit.

Every connection, the first and each redirect hop (followed here, at most `MAX_REDIRECTS`), goes through
`GuardedBackend`: it resolves the host itself, refuses the whole name when any of its addresses is not public
(loopback, private, link-local, unique-local, CGNAT, multicast, reserved, unspecified, IPv4-mapped or
embedded private IPv4) unless the operator's `FetchPolicy.allow` names the host or its network, and then
connects to the very address it checked, so a name that resolves elsewhere a second time (DNS rebinding)
cannot slip through. TLS still verifies the certificate for, and sends SNI with, the URL's host name.

A link is checked before anything connects (`checked_url`): a malformed one is refused in newsbot's words, and a
host that ends in a number is read as browsers read it (0177.0.0.1, 0x7f.1 and 2130706433 are 127.0.0.1), so the
address check sees the address that would be reached. The body is read raw and its content codings undone here,
as streams, at most `MAX_CODINGS` layers (gzip, deflate), every layer stopping at the size limit: a page
compressed twice cannot inflate past it in memory.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache, partial
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from index.errors import ConfigError, ReadError
from index.model import Article
from index.reading.articles import _decode, _html_article, _text_article

MAX_REDIRECTS = 5
MAX_CODINGS = 2  # content-coding layers undone (`Content-Encoding: gzip, gzip` is two); more are refused
ACCEPT_ENCODING = "gzip, deflate"  # what `_Inflater` undoes; br is not asked for (no bounded decoder installed)
_STEP = 64 * 1024  # the most bytes one layer's decoder produces at a time
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges refused even where Python's `is_global` says otherwise (or may, in another Python version).
_REFUSED = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",  # local-use NAT64
        "fc00::/7",  # unique-local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address: IPAddress) -> bool:
    """Return whether `address` is a public unicast address, the only kind `/add` may connect to."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
        if address.teredo is not None:
            return False  # a tunnel to an address we cannot check
    if any(address in net for net in _REFUSED if net.version == address.version):
        return False
    return (
        address.is_global
        and not address.is_private
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_multicast
        and not address.is_reserved
        and not address.is_unspecified
    )


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may reach and how long and large it may be: `allow` lists host names and networks an
    operator opened (an intranet); everything else must be public."""

    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IPNetwork, ...] = ()
    deadline: float = 30.0  # seconds for the whole fetch, redirects included
    timeout: float = 20.0  # seconds for one connect or read
    max_bytes: int = 5_000_000

    @classmethod
    def parse_allow(cls, raw: str, **limits: Any) -> FetchPolicy:
        """Return a policy from NEWSBOT_FETCH_ALLOW's value: host names and/or CIDRs, comma separated."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for item in (part.strip() for part in raw.replace(";", ",").split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = item.lower().rstrip(".")
            if not all(label and len(label) <= 63 for label in name.split(".")) or any(
                c in name for c in "/:@ []"
            ):
                raise ConfigError(
                    f"NEWSBOT_FETCH_ALLOW: {item!r} is neither a host name nor a network like 10.1.0.0/16"
                )
            hosts.add(name)
        return cls(allow_hosts=frozenset(hosts), allow_networks=tuple(networks), **limits)

    def allows(self, host: str, address: IPAddress) -> bool:
        """Return whether a connection to `host` at `address` is permitted."""
        if is_public_address(address):
            return True
        if host.lower().rstrip(".").strip("[]") in self.allow_hosts:
            return True
        return any(address in net for net in self.allow_networks if net.version == address.version)


@dataclass
class _Deadline:
    """The moment the whole fetch must be over."""

    url: str
    seconds: float
    at: float = field(init=False)

    def __post_init__(self) -> None:
        self.at = time.monotonic() + self.seconds

    def clamp(self, timeout: float | None) -> float:
        """Return `timeout` shortened to what is left; raise ReadError when nothing is."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise ReadError(self.url, f"took longer than {self.seconds:g} s; gave up")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Return up to `max_bytes`, waiting no longer than the deadline."""
        return self._stream.read(max_bytes, self._deadline.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send `buffer`, waiting no longer than the deadline."""
        self._stream.write(buffer, self._deadline.clamp(timeout))

    def close(self) -> None:
        """Close the connection."""
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        """Return the stream after the TLS handshake (certificate checked for `server_hostname`)."""
        tls = self._stream.start_tls(ssl_context, server_hostname, self._deadline.clamp(timeout))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        """Return the underlying stream's extra info."""
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's network backend that resolves, checks against the policy, then connects to that address."""

    def __init__(self, policy: FetchPolicy, deadline: _Deadline, resolve: Any = socket.getaddrinfo) -> None:
        self.policy = policy
        self.deadline = deadline
        self._resolve = resolve
        self._tcp = httpcore.SyncBackend()

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Return the addresses `host` resolves to, every one permitted; raise ReadError otherwise."""
        name = host.strip("[]")
        try:
            infos = self._resolve(name, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            raise ReadError(self.deadline.url, f"the host {name} cannot be found") from e
        found: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in found:
                found.append(address)
        refused = [a for a in found if not self.policy.allows(name, a)]
        if refused or not found:
            shown = refused[0] if refused else name
            raise ReadError(
                self.deadline.url,
                f"{name} is an internal address ({shown}); only public web addresses can be added "
                "(an operator can allow intranet hosts with NEWSBOT_FETCH_ALLOW)",
            )
        return found

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Return a connection to the first reachable permitted address of `host`."""
        last: Exception | None = None
        for address in self.addresses(host, port):
            try:
                stream = self._tcp.connect_tcp(
                    str(address), port, self.deadline.clamp(timeout), local_address, socket_options
                )
            except httpcore.ConnectError as e:
                last = e
                continue
            return _DeadlineStream(stream, self.deadline)
        assert last is not None
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        """Refuse: a fetch never uses a Unix socket."""
        raise ReadError(self.deadline.url, "Unix sockets cannot be fetched")

    def sleep(self, seconds: float) -> None:
        """Sleep (httpcore's retries)."""
        time.sleep(seconds)


@cache
def _ssl_context() -> ssl.SSLContext:
    """Return the TLS context every fetch uses (certificates verified), made once: loading the CA bundle costs
    about 0.1 s, which a poll of many feeds would pay for each feed and each item's page."""
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport, its connection pool using `GuardedBackend` and no proxy from the environment."""

    def __init__(self, backend: GuardedBackend) -> None:
        super().__init__(verify=_ssl_context(), trust_env=False)
        self._pool = httpcore.ConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=4,
            network_backend=backend,
        )


def checked_url(url: str) -> str:
    """Return `url` ready to fetch, a host that ends in a number written as the dotted IPv4 address it means
    (as browsers read 0177.0.0.1, 0x7f.1 or 2130706433); raise ReadError for anything but a well-formed
    http(s) link."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise ReadError(url, "a link cannot contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port, host = parts.port, parts.hostname
    except ValueError as e:  # "Port out of range 0-65535", "Invalid IPv6 URL", ...
        raise ReadError(url, f"not a well-formed link ({e})") from e
    if parts.scheme.lower() not in ("http", "https"):
        raise ReadError(url, "only http:// and https:// links can be read")
    if not host:
        raise ReadError(url, "the link has no host name")
    if port == 0:
        raise ReadError(url, "port 0 cannot be fetched")
    target = url
    if ":" not in host:  # not an IPv6 literal
        try:
            address = _numeric_ipv4(host)
        except ValueError:
            raise ReadError(url, f"its host {host} ends in a number but is no IPv4 address") from None
        if address is not None and str(address) != host:
            userinfo, _, _ = parts.netloc.rpartition("@")
            netloc = (f"{userinfo}@" if userinfo else "") + str(address) + (f":{port}" if port is not None else "")
            target = parts._replace(netloc=netloc).geturl()
    try:
        httpx.URL(target).host  # noqa: B018 - its host is decoded (IDNA) when asked for
    except (httpx.InvalidURL, UnicodeError) as e:  # an invalid international name, a stray character, ...
        raise ReadError(url, f"not a well-formed link ({e})") from e
    return target


def _checked_location(url: str, response: httpx.Response) -> None:
    """Write a redirect's Location as `checked_url` returns it, absolute (httpx parses it before `_download`
    sees it, and 0177.0.0.1 would be its error); raise ReadError, naming `url`, for one that cannot be fetched.
    httpx calls this on every response (a response hook)."""
    if not response.has_redirect_location:  # a 304 (a conditional GET) is a 3xx too, without a Location
        return
    location = response.headers["location"]
    try:
        target = checked_url(urljoin(str(response.request.url), location))
    except ValueError as e:  # urljoin's
        raise ReadError(url, f"redirected to {location}: not a well-formed link ({e})") from e
    except ReadError as e:
        raise ReadError(url, f"redirected to {e.name}: {e.reason}") from e
    if target != location:
        response.headers["location"] = target


def _numeric_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address a URL's host means when it ends in a number (the WHATWG URL rules: up to four
    decimal, 0-octal or 0x-hex parts, the last filling the remaining bytes); None when it does not end in one;
    raise ValueError when it does but is no address (256.1.1.1, 08.0.0.1, 1.2.3.4.5, a.1)."""
    labels = host.split(".")
    if len(labels) > 1 and not labels[-1]:
        labels.pop()  # one trailing dot
    if not (labels[-1].isascii() and labels[-1].isdigit()):
        try:
            _ipv4_part(labels[-1])  # 0x7f: a number too
        except ValueError:
            return None  # a name
    if len(labels) > 4:
        raise ValueError(host)
    numbers = [_ipv4_part(label) for label in labels]
    if any(n > 255 for n in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(host)
    return ipaddress.IPv4Address(sum(n << (8 * (3 - i)) for i, n in enumerate(numbers[:-1])) + numbers[-1])


def _ipv4_part(label: str) -> int:
    """Return the number one part of a numeric host spells (decimal, 0-octal, 0x-hex); raise ValueError."""
    if not label:
        raise ValueError(label)
    if label[:2].lower() == "0x":
        digits, base = label[2:] or "0", 16
    elif len(label) > 1 and label.startswith("0"):
        digits, base = label[1:], 8
    else:
        digits, base = label, 10
    if not digits.isascii() or not digits.isalnum():
        raise ValueError(label)
    return int(digits, base)


@dataclass(frozen=True)
class Fetched:
    """What one fetch brought back: the body (empty when the server said 304 Not Modified), its content type
    and charset, and the validators a conditional GET sends back next time."""

    url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """Return whether the server said nothing changed since the validators sent (HTTP 304)."""
        return self.status == 304


@dataclass(frozen=True)
class Wanted:
    """What a fetch asks for (`accept`, the Accept header), which content types it reads (`readable`) and what
    the message calls the kind refused ("a web page or text")."""

    accept: str
    readable: Callable[[str], bool]
    name: str


def _is_page_type(content_type: str) -> bool:
    """Return whether a content type is one `/add` reads: HTML or text (or none declared)."""
    return not content_type or "html" in content_type or content_type.startswith("text/")


PAGE = Wanted("text/html,text/plain;q=0.9", _is_page_type, "a web page or text")


def fetch(
    url: str,
    policy: FetchPolicy | None = None,
    *,
    wanted: Wanted = PAGE,
    etag: str | None = None,
    last_modified: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """Return the body at an http(s) URL within the policy (public addresses, the deadline, the size limit);
    with `etag` or `last_modified` the GET is conditional and a 304 comes back as `Fetched.not_modified`. Raise
    ReadError when it cannot be fetched, when its content type is not what is `wanted`, or when it (or a redirect)
    leads to an address the policy does not permit. `transport` replaces the network (and with it the address
    checks) in tests; its responses must be unread streams, as the network's are."""
    policy = policy or FetchPolicy()
    target = checked_url(url)
    deadline = _Deadline(url, policy.deadline)
    transport = transport or GuardedTransport(GuardedBackend(policy, deadline))
    headers = {
        "User-Agent": "newsbot/0.1 (+article reader)", "Accept": wanted.accept, "Accept-Encoding": ACCEPT_ENCODING
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.Client(
            follow_redirects=False, timeout=policy.timeout, transport=transport, headers=headers, trust_env=False,
            event_hooks={"response": [partial(_checked_location, url)]},
        ) as client:
            return _download(client, url, target, policy, deadline, wanted)
    except httpx.TimeoutException as e:
        if time.monotonic() >= deadline.at:
            raise ReadError(url, f"took longer than {policy.deadline:g} s; gave up") from e
        raise ReadError(url, f"timed out after {policy.timeout:g} s") from e
    except httpx.HTTPError as e:
        raise ReadError(url, f"could not be downloaded ({type(e).__name__}: {e})") from e
    except httpx.InvalidURL as e:  # checked_url should have refused it; never a traceback either way
        raise ReadError(url, f"not a well-formed link ({e})") from e


def fetch_url(url: str, policy: FetchPolicy | None = None, *, transport: httpx.BaseTransport | None = None) -> Article:
    """Return the article at an http(s) URL, downloaded (see `fetch`) and extracted; raise ReadError when it
    cannot be, or when it (or a redirect) leads to an address the policy does not permit."""
    fetched = fetch(url, policy, transport=transport)
    body, content_type, charset = fetched.body, fetched.content_type, fetched.charset
    if not body.strip():
        raise ReadError(url, "the page is empty")
    try:
        if "html" in content_type or (not content_type and body.lstrip()[:1] == b"<"):
            return _html_article(body, url, url, None)
        text = (
            _decode(body) if charset in (None, "utf-8", "UTF-8") else body.decode(charset, errors="replace")
        )
        article = _text_article(text, url, None, markdown=False)
        return Article(source=replace(article.source, url=article.source.url or url), text=article.text)
    except (ValueError, LookupError) as e:
        raise ReadError(url, str(e)) from e


def _download(
    client: httpx.Client, url: str, target: str, policy: FetchPolicy, deadline: _Deadline,
    wanted: Wanted,
) -> Fetched:
    """Return what `target` (`url` checked) answers, following at most MAX_REDIRECTS redirects."""
    for _ in range(MAX_REDIRECTS + 1):
        deadline.clamp(None)
        with client.stream("GET", target) as response:
            if response.has_redirect_location:
                target = response.headers["location"]  # absolute and checked (`_checked_location`)
                continue
            etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
            if response.status_code == 304:
                return Fetched(url, 304, etag=etag, last_modified=modified)
            if response.status_code >= 300:  # an error, or a 3xx that leads nowhere
                raise ReadError(url, f"the server answered HTTP {response.status_code}")
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if not wanted.readable(content_type):
                raise ReadError(url, f"not {wanted.name} (content type {content_type})")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                raise ReadError(url, f"too large ({int(declared):,} bytes; the limit is {policy.max_bytes:,})")
            chunks = _raw_chunks(response, url, policy, deadline)
            for coding in _codings(response, url):
                chunks = _decoded(chunks, coding, url, policy)
            body = b"".join(chunks)
            return Fetched(url, response.status_code, body, content_type, response.charset_encoding, etag, modified)
    raise ReadError(url, f"too many redirects (more than {MAX_REDIRECTS})")


def _codings(response: httpx.Response, url: str) -> list[str]:
    """Return the response's content codings in the order to undo them (the last applied first), `identity`
    left out; raise ReadError for one newsbot cannot undo or for more than MAX_CODINGS."""
    named = [c.strip().lower() for c in response.headers.get_list("content-encoding", split_commas=True)]
    codings = [c for c in named if c and c != "identity"]
    unknown = [c for c in codings if c not in _Inflater.CODINGS]
    if unknown:
        raise ReadError(url, f"uses a content encoding newsbot cannot read ({', '.join(unknown)})")
    if len(codings) > MAX_CODINGS:
        raise ReadError(
            url, f"is compressed {len(codings)} times ({', '.join(codings)}); newsbot undoes at most {MAX_CODINGS}"
        )
    return codings[::-1]


def _raw_chunks(response: httpx.Response, url: str, policy: FetchPolicy, deadline: _Deadline) -> Iterator[bytes]:
    """Yield the body's bytes as they came (no content coding undone); raise ReadError past the size limit or
    the deadline."""
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > policy.max_bytes:
            raise ReadError(url, f"too large (over {policy.max_bytes:,} bytes)")
        deadline.clamp(None)
        yield chunk


def _decoded(chunks: Iterator[bytes], coding: str, url: str, policy: FetchPolicy) -> Iterator[bytes]:
    """Yield `chunks` with one content coding undone, at most _STEP bytes at a time; raise ReadError once more
    than the size limit comes out, or when the compressed data is damaged. Bytes after the end are ignored."""
    inflater = _Inflater(coding)
    size = 0
    try:
        for chunk in chunks:
            for piece in inflater.pieces(chunk):
                size += len(piece)
                if size > policy.max_bytes:
                    raise ReadError(url, f"too large (over {policy.max_bytes:,} bytes once decompressed)")
                yield piece
            if inflater.ended:
                return
    except zlib.error as e:
        raise ReadError(url, f"its {coding} content is damaged ({e})") from e


class _Inflater:
    """One content coding (gzip, or deflate with or without its zlib wrapper, as browsers accept it) undone as
    a stream: no step produces more than _STEP bytes, whatever the input."""

    CODINGS = ("gzip", "x-gzip", "deflate")

    def __init__(self, coding: str) -> None:
        gzip = coding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
        self._head = b""  # deflate: the first bytes, until two say whether a zlib header wraps the stream

    @property
    def ended(self) -> bool:
        """Return whether the compressed stream has ended."""
        return self._zlib is not None and self._zlib.eof

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """Yield what `data` decompresses to, at most _STEP bytes at a time."""
        if self._zlib is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)
        while not self._zlib.eof:
            out = self._zlib.decompress(data, _STEP)
            data = self._zlib.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < _STEP:  # all input taken and room to spare: nothing is pending
                return


def _zlib_header(data: bytes) -> bool:
    """Return whether `data` starts with a zlib header (RFC 1950: deflate, a window of at most 32 KB)."""
    return data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and (data[0] << 8 | data[1]) % 31 == 0
