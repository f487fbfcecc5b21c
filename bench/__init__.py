"""Benchmarks: figures printed by scripts, never timed tests (see README, "Benchmarks")."""
