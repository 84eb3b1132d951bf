"""The edition's facts: ``call.yml`` (edited by staff), its typed loader and the French formats."""
