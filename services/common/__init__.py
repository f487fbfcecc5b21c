"""What both services share that is not a contract: ids, waiting, logs, signed links, webhooks.

- ``ids``: new UUIDv7 identifiers;
- ``waiting``: back-off and waits that end as soon as the process is told to stop;
- ``logs``: the one log line format, and what may never appear in it;
- ``capabilities`` and ``links``: signed capability tokens and the links built from them;
- ``webhook_policy``: which webhook addresses may be called;
- ``consuming``: a durable JetStream consumer's fetch loop, which only a stop ends, and how
  it retries a message later or gives up on it;
- ``dev_outbox``: reading the file the notifier writes in development instead of sending;
- ``addresses``: what an e-mail address and a phone number must look like;
- ``notice``: what a support contact is told when first contacted (GDPR Art. 14).

``contracts`` holds what the services say to each other; this package only saves writing
the same thing twice. Neither service imports the other.
"""
