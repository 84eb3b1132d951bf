# The two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV ?= .venv
export VENV
export RASA_TELEMETRY_ENABLED = false

.PHONY: run run-cluster test setup train bench eval-conversations lint clean clean-data

run:
	@bash scripts/run.sh

# nginx, two Rasa instances and their action servers, the website; needs DATABASE_URL (PostgreSQL) and REDIS_URL.
run-cluster:
	@bash scripts/run_cluster.sh

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
	@$(VENV)/bin/mypy

# Build and test outputs only: the instance folder (INSTANCE_PATH, var/ by default) holds the database, the secret
# key, the security log and the outbox.
clean:
	rm -rf models results .pytest_cache .mypy_cache

# Deletes the instance folder (INSTANCE_PATH, var/ by default: database, secret key, security log, outbox) after a
# confirmation; CONFIRM=1 skips it.
clean-data:
	@instance="$${INSTANCE_PATH:-var}"; \
	if [ "$${CONFIRM:-}" != "1" ]; then \
	  read -r -p "Supprimer le dossier d'instance $$instance (base de données, clé secrète, journal, e-mails) ? C'est définitif. [y/N] " answer; \
	  case "$$answer" in y|Y|yes|YES|o|O|oui|OUI) ;; *) echo "Rien n'est supprimé."; exit 1;; esac; \
	fi; \
	echo "rm -rf $$instance"; rm -rf -- "$$instance"
