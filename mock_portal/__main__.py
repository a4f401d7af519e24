"""``python -m mock_portal [--host H] [--port P]``: the mock portal in the foreground."""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from bot.config import env_problems
from mock_portal.server import serve
from mock_portal.settings import PortalSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mock_portal", description=__doc__)
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 8765; 0 picks a free one)")
    args = parser.parse_args(argv)
    overrides: dict[str, object] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port is not None:
        overrides["port"] = args.port
    try:
        settings = PortalSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        print(f"error: {env_problems(exc, 'MOCK_PORTAL_')}", file=sys.stderr)
        sys.exit(2)
    serve(settings)


if __name__ == "__main__":
    main()
