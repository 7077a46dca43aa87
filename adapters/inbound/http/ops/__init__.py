"""The operator console at `/ops`: server-rendered HTML, no JavaScript."""
