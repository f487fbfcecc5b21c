"""The planner as a running process: the servers a command talks to (``stack``), embedded
ones for development and tests (``embedded``), `tandem dev` and `tandem serve` (``dev``),
the notifier as a child process (``notifier_process``) and readiness probes (``probes``).
"""
