"""``iamwarden playground``: a local page to play with AssumeRole (issue 14, docs/playground.md).

Starts the playground (``iamwarden.web``) on 127.0.0.1 only and opens it in
the default browser unless ``--no-open``. ``--account FILE`` (repeatable)
loads accounts to pick a caller and a role from and to see who can become
admin. Runs until interrupted (Ctrl-C); exit status 0, or 2 for unusable
input (an account file that does not load, a port in use).
"""

from __future__ import annotations

import argparse
import sys
import webbrowser
from typing import Any

from ..i18n import N_
from ..loaders.authz_details import LoadError, load_world
from . import UsageError, message_of
from .language import translator_of

DEFAULT_PORT = 8765


def register(sub: Any) -> None:
    p = sub.add_parser(
        "playground",
        help="a local web page to edit policies and see AssumeRole decided and explained, live",
        description=(
            "Start a local web page (127.0.0.1 only; nothing leaves the machine) where you edit a "
            "caller's identity policy and a role's trust and permissions policies and see, as you "
            "type, the verdict and the picture of `iamwarden explain`, with validation findings in "
            "the editor. With --account, pick a caller and a role from the account and see who can "
            "become admin. Runs until Ctrl-C."
        ),
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                   help="port on 127.0.0.1 (default %(default)s; 0 picks a free one)")
    p.add_argument("--account", metavar="FILE", action="append", default=[],
                   help="get-account-authorization-details output (repeat per account)")
    p.add_argument("--no-open", action="store_true", help="do not open a browser; just print the address")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..web.api import Playground  # noqa: PLC0415 (only this command needs the web adapter)
    from ..web.server import bind, make_server, url  # noqa: PLC0415

    if not 0 <= args.port <= 65535:
        raise UsageError(N_("--port {port}: expected 0..65535", port=args.port))
    world = None
    if args.account:
        try:
            world = load_world(args.account)
        except LoadError as e:
            raise UsageError(message_of(e)) from None
    try:
        sock = bind(args.port)
    except OSError as e:
        raise UsageError(N_("--port {port}: cannot listen on 127.0.0.1:{port}: {error}", port=args.port,
                              error=e.strerror or str(e))) from None
    server = make_server(Playground(world, tuple(args.account)), sock)
    address = url(sock)
    _ = translator_of(args)  # the page has its own switch; this line follows IAMWARDEN_LANG
    print(_("iamwarden playground with {files}: {url}  (Ctrl-C to stop)", files=", ".join(args.account), url=address)
          if args.account else _("iamwarden playground: {url}  (Ctrl-C to stop)", url=address), flush=True)
    if not args.no_open:
        webbrowser.open(address)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    print(_("iamwarden playground: stopped"), file=sys.stderr)
    return 0
