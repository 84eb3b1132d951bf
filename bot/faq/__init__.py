"""Answers about the call, rendered from the call facts."""
