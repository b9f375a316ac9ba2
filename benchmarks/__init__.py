"""Benchmarks of server time, load, key rotation and the browser flow; run them with scripts/benchmark."""
