"""The call data file: loading, validation errors naming the field, placeholders."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from bot.call.facts import DEFAULT_CALL_FILE, CallDataError, load_call

SHARED_COMMUNES = Path(__file__).resolve().parents[2] / "shared" / "val-de-marne-communes.csv"


def write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEFAULT_CALL_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "call.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_default_file_loads_with_the_facts_of_the_call():
    call = load_call()
    assert (call.amounts.min, call.amounts.max, call.amounts.max_share_of_budget_percent) == (5000, 15000, 70)
    assert len(call.territory.communes) == 47
    assert call.past_editions[0].projects_received == 47
    assert call.past_editions[0].winners == 13
    assert call.past_editions[0].total_amount == 150000


@pytest.mark.skipif(not SHARED_COMMUNES.exists(), reason="../shared/val-de-marne-communes.csv absent")
def test_communes_are_those_of_the_shared_list():
    with SHARED_COMMUNES.open(encoding="utf-8") as handle:
        expected = {row["commune"]: row["postcodes"].split() for row in csv.DictReader(handle)}
    actual = {c.name: c.postcodes for c in load_call().territory.communes}
    assert actual == expected


def test_missing_file_is_refused_in_french(tmp_path):
    with pytest.raises(CallDataError, match="introuvable"):
        load_call(tmp_path / "absent.yml")


def test_malformed_yaml_is_refused(tmp_path):
    path = tmp_path / "call.yml"
    path.write_text("amounts: [oops\n", encoding="utf-8")
    with pytest.raises(CallDataError, match="mal formé"):
        load_call(path)


def test_missing_field_is_named(tmp_path):
    path = write_variant(tmp_path, lambda d: d["amounts"].pop("min"))
    with pytest.raises(CallDataError, match=r"amounts\.min"):
        load_call(path)


def test_wrong_type_is_named(tmp_path):
    path = write_variant(tmp_path, lambda d: d["amounts"].__setitem__("max", "quinze mille"))
    with pytest.raises(CallDataError, match=r"amounts\.max"):
        load_call(path)


def test_min_above_max_is_refused(tmp_path):
    path = write_variant(tmp_path, lambda d: d["amounts"].__setitem__("min", 20000))
    with pytest.raises(CallDataError, match="minimum"):
        load_call(path)


def test_placeholders_mean_not_published():
    call = load_call()
    assert not call.calendar.next_edition.published
    assert not call.contact.published
    assert call.calendar.latest_public.published


def test_error_messages_are_in_french(tmp_path):
    path = write_variant(tmp_path, lambda d: d["amounts"].pop("min"))
    with pytest.raises(CallDataError, match="champ obligatoire manquant"):
        load_call(path)


def test_call_or_apology_gives_the_facts():
    from bot.call.current import call_or_apology

    assert call_or_apology() == load_call()


def test_call_or_apology_gives_the_apology_and_logs_when_the_file_is_broken(tmp_path, monkeypatch, caplog):
    from bot.call.current import SERVICE_UNAVAILABLE, call_or_apology

    path = tmp_path / "call.yml"
    path.write_text("amounts: {min: 1}\n", encoding="utf-8")
    monkeypatch.setenv("CALL_FILE", str(path))
    assert call_or_apology() == SERVICE_UNAVAILABLE == (
        "Désolé, je rencontre un problème technique et ne peux pas répondre pour le moment. "
        "Réessayez dans quelques instants ; vos réponses précédentes sont conservées.")
    assert [r.getMessage().split(" : ")[0] for r in caplog.records] == ["Données de l'appel indisponibles"]
