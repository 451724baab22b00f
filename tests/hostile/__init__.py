"""Hostile input: one test module per class of attack (issue 8), each bounded in time."""
