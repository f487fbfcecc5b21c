"""The channels a message goes out on, as both services see them.

- ``addresses``: what an e-mail address and a phone number must look like to be saved;
- ``webhook_policy``: which webhook URLs the notifier may call (no private networks);
- ``dev_outbox``: reading the file the notifier's development channel writes instead of
  sending.

Pure where the planner's domain needs it: ``addresses`` imports nothing but ``re``.
"""
