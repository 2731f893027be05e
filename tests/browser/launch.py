"""How the browser tests and docs/screenshot.py start Voila and Debian's Chromium.

Every request to an address other than 127.0.0.1 is aborted: Voila's
template links a font stylesheet from a public CDN, and the machines the kit
is tested on have no internet access.
"""

import socket
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def only_loopback(route):
    """Continue a Playwright route to 127.0.0.1 (or a data/blob URL); abort any other."""
    host = urlparse(route.request.url).hostname
    if host == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
        route.continue_()
    else:
        route.abort()


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
