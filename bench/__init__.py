"""Benchmarks: run by command, reported in the README, never asserted in tests."""
