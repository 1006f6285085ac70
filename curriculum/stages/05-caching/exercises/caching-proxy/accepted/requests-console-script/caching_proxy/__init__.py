"""A caching HTTP proxy: `caching-proxy --port 3000 --origin http://dummyjson.com`."""
