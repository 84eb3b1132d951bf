"""Rasa's spaCy model runs without its named-entity recogniser, which no component of our pipeline reads.

Rasa 3.6 (``rasa.nlu.utils.spacy_utils.SpacyNLP.load_model``) loads ``fr_core_news_sm`` with only the parser
disabled, so each message also goes through spaCy's NER: about half of spaCy's time per message on this
machine (3.1 ms instead of 1.5 ms), 6 % of the Rasa process's CPU under load. Our pipeline (config.yml) reads
from spaCy the tokens, their lemmas (morphologizer, attribute ruler, lemmatizer) and their vectors (tok2vec),
which the NER does not change; the entities come from DIET and our own readers, never from spaCy
(``SpacyEntityExtractor`` is not in the pipeline, which a test checks). :func:`install` wraps Rasa's
``load_model``: Rasa's own loading and checks, then the ``ner`` pipe removed.

Installed, like :mod:`bot.rasa.validation`, by the only Rasa input channel (:class:`bot.rasa.channels.SafeRestInput`),
which Rasa builds before it loads the model; training and ``rasa test`` keep the full model, whose features are
the same.
"""
from __future__ import annotations

from typing import Any

from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP

UNUSED_PIPES = ("ner",)
RASA_OWN = SpacyNLP.load_model  # the plain function (a staticmethod read from its class)


def load_model(spacy_model_name: str) -> SpacyModel:
    """Rasa's ``SpacyNLP.load_model``, then without the pipes no component reads."""
    loaded = RASA_OWN(spacy_model_name)
    nlp: Any = loaded.model
    for name in UNUSED_PIPES:
        if name in nlp.component_names:
            nlp.remove_pipe(name)
    return loaded


def install() -> None:
    """Use :func:`load_model` in this process (idempotent)."""
    SpacyNLP.load_model = staticmethod(load_model)
