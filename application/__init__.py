"""Use-cases: one class per user intention, each running inside its own unit of work."""
