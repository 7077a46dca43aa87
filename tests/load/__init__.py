"""The load test that counts (issue 4, point 7): `python -m tests.load.run_load --orders N`."""
