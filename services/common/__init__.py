"""What both services share that is not a contract: ids, waiting, logs, signed links, channels.

- ``ids``: new UUIDv7 identifiers;
- ``waiting``: back-off and waits that end as soon as the process is told to stop;
- ``logs``: the one log line format, and what may never appear in it;
- ``consuming``: a durable JetStream consumer's fetch loop, which only a stop ends, and how
  it retries a message later or gives up on it;
- ``capabilities`` and ``links``: signed capability tokens and the links built from them;
- ``notice``: what a support contact is told when first contacted (GDPR Art. 14);
- ``channels``: what a channel's address may be (``addresses`` for e-mail and phone,
  ``webhook_policy`` for webhook URLs) and reading the development channel's outbox
  (``dev_outbox``).

``contracts`` holds what the services say to each other; this package only saves writing
the same thing twice. Neither service imports the other.
"""
