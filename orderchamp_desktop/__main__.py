"""Command line entry point: the desktop app by default, or a headless command.

Kept light: nothing heavy is imported until the chosen command needs it, so
`--version` is instant and the GUI can paint before httpx and keyring load.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence

from orderchamp_desktop import APP_NAME, __version__

EXPORT_KINDS = ("orders", "products", "inventory", "invoices")


API_URL_HELP = "GraphQL endpoint (default: the live Orderchamp API, or ORDERCHAMP_API_URL)"
DATA_DIR_HELP = ("where the cache, settings and logs live "
                 "(default: your user data folder, or ORDERCHAMP_DESKTOP_DATA_DIR)")


def _global_options() -> argparse.ArgumentParser:
    """--api-url and --data-dir again for after the command (`sync --data-dir X`).

    SUPPRESS: when not given after the command, the value given before it (or None) stays.
    """
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--api-url", default=argparse.SUPPRESS, help=API_URL_HELP)
    options.add_argument("--data-dir", default=argparse.SUPPRESS, help=DATA_DIR_HELP)
    return options


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535; 0 takes any free one)")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orderchamp-desktop",
        description=f"{APP_NAME}: your Orderchamp wholesale orders, stock and invoices on the desktop.",
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--api-url", help=API_URL_HELP)
    parser.add_argument("--data-dir", help=DATA_DIR_HELP)
    parser.add_argument("--demo", action="store_true",
                        help="open the app on the built-in demo sandbox")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation works, then quit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    options = _global_options()

    sync = commands.add_parser("sync", parents=[options],
                               help="download new and changed data into the local cache")
    sync.add_argument("--full", action="store_true", help="download everything again")

    export = commands.add_parser("export", parents=[options],
                                 help="write cached data as CSV or JSON (works offline)")
    export.add_argument("kind", choices=EXPORT_KINDS)
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")

    sandbox = commands.add_parser("sandbox", help="run the local Orderchamp-shaped demo API server")
    sandbox.add_argument("--port", type=_port, default=0, help="port on 127.0.0.1 (default: any free)")
    sandbox.add_argument("--seed", type=int, default=42)
    sandbox.add_argument("--orders", type=int, default=2000)
    sandbox.add_argument("--products", type=int, default=150)
    sandbox.add_argument("--restore-rate", type=float, default=50.0,
                         help="throttle bucket refill in points per second (live API: 50)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.self_test:
        from orderchamp_desktop.selftest import run_self_test

        return int(run_self_test())
    if args.command is None:
        gc.disable()  # until the window has painted: see app.resume_garbage_collection
        from orderchamp_desktop.app import run_gui

        return int(run_gui(args))
    from orderchamp_desktop import cli

    return cli.run_command(args)


if __name__ == "__main__":
    sys.exit(main())
