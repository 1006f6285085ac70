"""Caching proxy on aiohttp, with the cache in a JSON file.

    python proxy.py --port 3000 --origin http://dummyjson.com
    python proxy.py --clear-cache

The cache file lives next to this script, so a second process can clear it and a restarted
proxy finds its cache again. Every GET answer is cached, errors included.
"""

import argparse
import base64
import json
import os
from pathlib import Path

from aiohttp import ClientSession, web

CACHE_FILE = Path(__file__).with_name("cache.json")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}


def load_cache():
    try:
        return json.loads(CACHE_FILE.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def save_cache(cache):
    tmp = CACHE_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(cache))
    os.replace(tmp, CACHE_FILE)  # readers never see half a file


def make_response(entry, cache_status):
    headers = dict(entry["headers"])
    headers["X-Cache"] = cache_status
    return web.Response(status=entry["status"], headers=headers, body=base64.b64decode(entry["body"]))


async def handle(request):
    app = request.app
    key = f"{request.method}:{request.raw_path}"
    if request.method == "GET":
        entry = load_cache().get(key)
        if entry:
            return make_response(entry, "HIT")

    body = await request.read()
    out_headers = {}
    if "Content-Type" in request.headers:
        out_headers["Content-Type"] = request.headers["Content-Type"]
    url = app["origin"] + request.raw_path
    try:
        async with app["session"].request(
            request.method, url, data=body or None, headers=out_headers, allow_redirects=False
        ) as resp:
            entry = {
                "status": resp.status,
                "headers": [[k, v] for k, v in resp.headers.items() if k.lower() not in HOP_BY_HOP],
                "body": base64.b64encode(await resp.read()).decode(),
            }
    except OSError as exc:
        return web.Response(status=502, text=f"bad gateway: {exc}", headers={"X-Cache": "MISS"})

    if request.method == "GET":
        cache = load_cache()
        cache[key] = entry
        save_cache(cache)
    return make_response(entry, "MISS")


async def open_session(app):
    app["session"] = ClientSession(auto_decompress=False)
    yield
    await app["session"].close()


def main():
    parser = argparse.ArgumentParser(prog="caching-proxy")
    parser.add_argument("--port", type=int)
    parser.add_argument("--origin")
    parser.add_argument("--clear-cache", action="store_true")
    args = parser.parse_args()

    if args.clear_cache:
        count = len(load_cache())
        save_cache({})
        print(f"Cache cleared ({count} entries)")
        return
    if not args.port or not args.origin:
        parser.error("--port and --origin are required")

    app = web.Application()
    app["origin"] = args.origin.rstrip("/")
    app.cleanup_ctx.append(open_session)
    app.router.add_route("*", "/{tail:.*}", handle)
    print(f"Caching proxy on :{args.port} -> {app['origin']}")
    web.run_app(app, host="0.0.0.0", port=args.port, print=None)


if __name__ == "__main__":
    main()
