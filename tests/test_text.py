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
