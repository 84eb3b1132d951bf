# The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
export VENV
export RASA_TELEMETRY_ENABLED = false

.PHONY: run test setup train bench eval-conversations lint clean

run:
	@bash scripts/run.sh

test:
	@bash scripts/test.sh

setup:
	@bash scripts/setup.sh

train: setup
	@bash scripts/train.sh

bench: setup
	@bash scripts/train.sh
	@$(VENV)/bin/python scripts/bench.py

eval-conversations: setup
	@bash scripts/train.sh
	@$(VENV)/bin/python scripts/eval_conversations.py

lint: setup
	@$(VENV)/bin/ruff check bot actions tests scripts

clean:
	rm -rf models results var .pytest_cache
