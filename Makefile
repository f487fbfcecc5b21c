# Every target creates the virtual environment and installs the project from the lock when
# needed, so `make run` and `make test` are the whole set-up on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv installs the lock; it lives in a small environment of its own, itself pinned with hashes.
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv
LOCK := infra/lock/requirements.txt
BUILD_LOCK := infra/lock/build.txt
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test lint lock upgrade format schema bench clean

$(UV): infra/lock/uv.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Tandem needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(UV_HOME)/bin/python || $(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/python -m pip install --quiet --require-hashes --no-deps -r infra/lock/uv.txt
	touch $(UV)

$(STAMP): pyproject.toml $(LOCK) $(BUILD_LOCK) $(UV)
	@$(PYTHON) infra/lock/lock.py check
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(UV) pip sync --quiet --python $(BIN)/python --require-hashes $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps \
		--build-constraints $(BUILD_LOCK) --editable .
	touch $(STAMP)

run: $(STAMP)
	TANDEM_WEBHOOK_ALLOW_PRIVATE=1 $(BIN)/tandem dev

# The suite runs on up to four workers (pytest-xdist), each with its own embedded servers,
# one test file per worker at a time; most of its time is spent waiting on those servers.
# tests/contract runs after, in one process: schemathesis' cases share one node id, which
# pytest-xdist cannot tell apart. So does the test that counts every retried append of
# 1,800 activate/resolve cycles: it measures the planner, not a machine shared with a
# worker. Tests against a shared nats-server (TANDEM_TEST_NATS_URL) would meet each other's
# streams there, so they run in one process. TEST_WORKERS=0 runs everything in this process.
TEST_WORKERS ?= $(if $(TANDEM_TEST_NATS_URL),0,auto)
ALONE := tests/e2e/test_people_never_conflict.py

# The browser tests drive Debian's chromium: installed here when missing and we are root.
test: $(STAMP)
	@bash infra/browser/ensure-chromium.sh
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --maxprocesses 4 --dist loadfile \
		--ignore tests/contract --ignore $(ALONE)
	$(BIN)/pytest tests/contract $(ALONE)

# The benchmark suite (bench/, not part of the tests).
bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	@$(PYTHON) infra/lock/lock.py check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Re-resolve the lock after pyproject.toml changed, keeping every pin that still fits.
lock: $(UV)
	$(PYTHON) infra/lock/lock.py write $(UV)

# Move every pin to the newest release pyproject.toml allows: a commit of its own.
upgrade: $(UV)
	$(PYTHON) infra/lock/lock.py write $(UV) --upgrade

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: $(STAMP)
	$(BIN)/tandem schema

clean:
	rm -rf $(VENV) $(UV_HOME) .mypy_cache .pytest_cache .ruff_cache
