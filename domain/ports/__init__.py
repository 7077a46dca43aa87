"""Ports: what the domain and the use-cases need from the outside, as small Protocols."""
