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
    ("avant <!-- commentaire --> après", "avant   après"), ("< 15 000 €", "< 15 000 €"), ("<3 merci", "<3 merci"),
    ("a &lt; b", "a &lt; b"), ("sans balise", "sans balise"), ("R&D < 3 emplois", "R&D < 3 emplois"),
    ("<script/>alert(1)", ""), ("<script />alert(2)</script>", ""), ("< script>alert(1)</script>", ""),
    ("<style/>p{x:3}", ""), ("<scr<script>ipt>alert(1)</script>", "<scr"), ("budget <![ 5000 €", "budget <![ 5000 €"),
])
def test_without_markup_keeps_the_text_only(raw, expected):
    from bot.nlp.text import without_markup

    assert without_markup(raw) == expected


@pytest.mark.parametrize("unit", ["<a\n", "<a/", "<a ", "<script", "<", "<b>1</b>"])
def test_without_markup_reads_a_whole_message_of_odd_markup(unit):
    from bot.nlp.text import without_markup

    text = unit * (MAX_MESSAGE_CHARS // len(unit))
    assert "1" not in without_markup(text) or unit == "<b>1</b>"  # no exception, nothing from a script
