"""Tandem notifier: turns the planner's plan events into alerts, sends them and escalates.

- ``intake/``: the JetStream consumer of the planner's plan events;
- ``alerting/``: what a plan event, a fired timer or a sent alert means (the application
  service), applied to the ledger;
- ``domain/``: the pure decisions and the words sent;
- ``ledger/``: the delivery ledger in PostgreSQL (activations, claims, leases, outcomes,
  reports, timers) and its migrations;
- ``loops/``: the worker that sends claims, fires timers and reports to the planner;
- ``channels/``: webhook, e-mail and SMS adapters, and the registry that picks them;
- ``replay/``: the decisions run again over the planner's history.

The root keeps the process (``service``, ``__main__``), its ``settings``, ``metrics`` and
``status`` server. docs/architecture.md describes how the two services fit together.
"""
