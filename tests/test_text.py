import pytest

from bot.nlp.text import MAX_MESSAGE_CHARS, clean_user_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, ""),
        ("", ""),
        ("  bonjour  ", "bonjour"),
        ("/restart", "restart"),
        ('//inform{"x": 1}', 'inform{"x": 1}'),
        (12345, "12345"),
        ("a\x00b\x07c", "abc"),
        ("ligne 1\nligne 2", "ligne 1\nligne 2"),
        ("😀", "😀"),
    ],
)
def test_clean_user_text(raw, expected):
    assert clean_user_text(raw) == expected


def test_long_text_is_bounded():
    assert len(clean_user_text("a" * 10_000)) == MAX_MESSAGE_CHARS


@pytest.mark.parametrize("raw, expected", [
    ("<script>alert(1)</script>", ""), ("<SCRIPT>alert(2)", ""), ("<img src=x onerror=alert(1)>", ""),
    ("<b>40 000 €</b>", "40 000 €"), ("<style>p { color: red }</style>9 emplois", "9 emplois"),
    ("avant <!-- commentaire --> après", "avant  après"), ("< 15 000 €", "< 15 000 €"), ("<3 merci", "<3 merci"),
    ("a &lt; b", "a &lt; b"), ("sans balise", "sans balise"),
])
def test_without_markup_keeps_the_text_only(raw, expected):
    from bot.nlp.text import without_markup

    assert without_markup(raw) == expected
