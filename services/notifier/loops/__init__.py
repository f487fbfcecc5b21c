"""The worker's loops over the ledger, and the steps they run.

``worker`` runs two loops, each woken by its own NOTIFY: sending (``sender`` leases claims
and sends them, ``failures`` records a round that did not deliver) and chores
(``escalator`` fires due timers, ``reporter`` tells the planner what finished and what
escalated).
"""
