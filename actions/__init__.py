"""Rasa custom actions. Thin adapters: the logic lives in the ``bot`` package."""
