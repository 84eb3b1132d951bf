"""A greeting in front of a question is removed, so that the question is what gets answered."""
from __future__ import annotations

import pytest

from bot.nlp.text import clean_user_text, strip_greeting


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Bonjour, qui peut candidater ?", "qui peut candidater ?"),
        ("bonsoir je voulais savoir le montant max", "je voulais savoir le montant max"),
        ("Salut ! c'est quoi l'ESUS", "c'est quoi l'ESUS"),
        ("hello, combien peut-on demander ?", "combien peut-on demander ?"),
        ("coucou ! les dates de dépôt svp", "les dates de dépôt svp"),
        ("Madame, Monsieur, je souhaite connaître les critères", "je souhaite connaître les critères"),
        ("Bonjour à vous, quel est le montant maximum ?", "quel est le montant maximum ?"),
        ("Bonjour madame, on est une asso à Vitry", "on est une asso à Vitry"),
        ("Bonsoir à toutes et à tous. Qui peut postuler ?", "Qui peut postuler ?"),
        ("bjr, c koi le plafond", "c koi le plafond"),
        ("slt ! et c quoi les dates pour candidater", "et c quoi les dates pour candidater"),
        ("rebonjour, combien de lauréats l'an dernier ?", "combien de lauréats l'an dernier ?"),
        ("Bonjour ! Bonjour ! qui peut candidater", "qui peut candidater"),
        ("Bonjour, j'espère que vous allez bien. Quel est le montant ?", "Quel est le montant ?"),
        ("coucou ça va ? qui peut postuler", "qui peut postuler"),
        ("bonjour,12 000 €", "12 000 €"),
        ("BONJOUR   QUI PEUT CANDIDATER", "QUI PEUT CANDIDATER"),
    ],
)
def test_a_greeting_before_a_question_is_removed(raw, expected):
    assert clean_user_text(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "bonjour",
        "Bonjour !",
        "bonjour madame",
        "Bonjour Madame, Monsieur",
        "Bonjour à vous",
        "bonsoir à vous",
        "bonjour tout le monde",
        "Bonsoir à toutes et à tous",
        "salut salut",
        "re bonjour",
        "Bonjour, j'espère que vous allez bien",
        "bonjour, il y a quelqu'un ?",  # one meaningful word left: still a greeting
        "Bonjour, merci",
        "coucou ça va ?",
    ],
)
def test_a_message_that_is_only_a_greeting_is_kept(raw):
    assert clean_user_text(raw) == raw


@pytest.mark.parametrize(
    "raw",
    [
        "qui peut candidater ?",
        "tout le monde peut candidater ?",  # "tout le monde" is a greeting's addressee only after a greeting
        "à vous de me dire : qui peut candidater ?",
        "Bonjourqui peut candidater",
        "salutations distinguées",
        "ça va, qui peut candidater ?",
        "cette asso peut candidater ?",  # "c" of "cette" is not "cc"
        "hiver 2027 : calendrier ?",
    ],
)
def test_a_message_without_a_leading_greeting_is_unchanged(raw):
    assert clean_user_text(raw) == raw


def test_no_command_hides_behind_a_greeting():
    assert not clean_user_text("bonjour /restart maintenant").startswith("/")
    assert clean_user_text("bonjour, /restart maintenant") == "restart maintenant"
    assert clean_user_text("/bonjour, /restart tout de suite") == "restart tout de suite"


def test_stripping_is_idempotent():
    once = clean_user_text("Bonjour, bonsoir ! qui peut candidater ?")
    assert once == "qui peut candidater ?"
    assert clean_user_text(once) == once
    assert strip_greeting(strip_greeting("salut, le montant max ?")) == "le montant max ?"


def test_a_name_that_starts_like_a_greeting_is_kept():
    from bot.nlp.text import clean_user_text

    assert clean_user_text("Hello Planète Verte") == "Hello Planète Verte"
    assert clean_user_text("Salut les Potes") == "Salut les Potes"
    assert clean_user_text("Bonjour, Planète Verte") == "Planète Verte"
