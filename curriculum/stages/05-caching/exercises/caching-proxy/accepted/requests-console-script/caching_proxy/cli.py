import argparse
import sys

from .server import request_clear, serve


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="caching-proxy", description="Forward requests to an origin server and cache the responses."
    )
    parser.add_argument("--port", type=int, help="port the proxy listens on")
    parser.add_argument("--origin", help="URL of the server to forward requests to")
    parser.add_argument("--clear-cache", action="store_true", help="clear the cache of the running proxy")
    args = parser.parse_args(argv)

    if args.clear_cache:
        request_clear()
        print("Cache will be cleared before the next request.")
        return 0
    if args.port is None or not args.origin:
        parser.print_usage(sys.stderr)
        print("caching-proxy: --port and --origin are required", file=sys.stderr)
        return 2
    serve(args.port, args.origin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
