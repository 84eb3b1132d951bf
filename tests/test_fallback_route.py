"""Where a message the classifier did not understand goes, outside a form (bot.forms.cues.fallback_route)."""
from __future__ import annotations

import pytest

from bot.call.facts import get_call
from bot.forms.cues import fallback_route


@pytest.mark.parametrize(("text", "route"), [
    ("on est un collectif à Vitry, on voudrait 11 500 €, c'est possible ?", "described"),
    ("une asso a creteil en demarrage", "described"),
    ("que faites vous de mes donnees ?", "privacy"),
    ("c'est conforme au RGPD votre truc", "privacy"),
    ("je voudrais savoir si ma structure est eligible", "check"),
    ("on veut verifier notre projet", "check"),
    ("est ce qu'on peut beneficier de l'aide", "check"),
    ("quel temps fait il a creteil", "fallback"),
    ("blablabla", "fallback"),
    ("", "fallback"),
])
def test_route_with_the_call(text, route):
    assert fallback_route(text, get_call()) == route


def test_without_the_call_only_the_request_for_the_check_is_recognised():
    assert fallback_route("une asso a creteil en demarrage", None) == "fallback"
    assert fallback_route("que faites vous de mes donnees ?", None) == "fallback"
    assert fallback_route("je voudrais savoir si ma structure est eligible", None) == "check"
