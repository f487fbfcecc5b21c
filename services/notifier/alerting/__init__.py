"""The notifier's application service: what a plan event, a fired timer or a sent alert means.

``handlers`` holds ``Alerting``, which the intake (plan events), the loops (a timer fired,
an alert sent) and a replay all call: decisions come from the pure domain and are applied
to the ledger in the caller's transaction. ``rendering`` words each claim and signs its links.
"""
