"""Simulated applicants: seeded dialogues from profiles x phrasings, played over the REST webhook.

- ``phrasings``: how applicants write each kind of answer (numbers, communes, legal forms, yes/no...);
- ``profiles``: the seeded generator of dialogues (one phrasing class per dialogue);
- ``player``: plays a dialogue through the webhook and checks it against the rules engine;
- ``report``: the table per phrasing class, transcripts and the JSON report.

Run: ``make eval-conversations`` or ``pytest -m rest tests/test_simulated_applicants.py``.
"""
