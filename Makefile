# dateline: make setup | es-start | es-stop | run | test | lint | lock
SHELL := /bin/bash
VENV ?= .venv
ES_PORT ?= 9200
export ES_PORT
export ES_URL ?= http://127.0.0.1:$(ES_PORT)

.PHONY: setup es-start es-stop run test lint lock compose-plugin

setup: $(VENV)/.installed .es/lib/.fetched

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# Regenerate constraints.txt from a fresh resolution of pyproject.toml's ranges.
lock:
	rm -rf .venv-lock && python3 -m venv .venv-lock && .venv-lock/bin/pip install -q -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; .venv-lock/bin/pip freeze --exclude-editable | grep -v '^dateline'; } > constraints.new
	mv constraints.new constraints.txt && rm -rf .venv-lock

# Elasticsearch 7.10.2 and its modules as jars from Maven Central (see pom.xml).
.es/lib/.fetched: pom.xml
	mvn -q -B dependency:copy-dependencies -DoutputDirectory=.es/lib
	touch $@

es-start: .es/lib/.fetched
	.ci/es-node start

es-stop:
	.ci/es-node stop

run: setup es-start
	$(VENV)/bin/dateline index rebuild --source seeds/
	$(VENV)/bin/dateline serve

test: setup es-start
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check core indexer service tests bench

# `docker compose` for checking docker-compose.yml where only the docker client is installed:
# the Compose v2 plugin built from its Go module.
COMPOSE_VERSION ?= v2.29.7
compose-plugin:
	@docker compose version >/dev/null 2>&1 || { \
	  GOBIN=$$HOME/.docker/cli-plugins-build go install github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION) && \
	  mkdir -p $$HOME/.docker/cli-plugins && \
	  mv $$HOME/.docker/cli-plugins-build/cmd $$HOME/.docker/cli-plugins/docker-compose; }
