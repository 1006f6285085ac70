"""A small HTTP server: a greeting, a health check and an echo."""
