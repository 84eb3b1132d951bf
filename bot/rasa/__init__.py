"""Adapters to Rasa: the REST channel, the tracker store, endpoints, validation, the action server.

The only modules of ``bot`` that import ``rasa`` or ``rasa_sdk``.
"""
