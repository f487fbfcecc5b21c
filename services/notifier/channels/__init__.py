"""Delivery channels: one adapter per channel kind, each sending one message with retries.

``base`` holds the shared message and outcome types and the ``ChannelAdapter`` protocol;
``retry`` the back-off policy every adapter uses; ``webhook``, ``email`` and ``sms`` speak
to the outside world, and ``dev_outbox`` stands in for e-mail and SMS when ``make run`` has
neither configured; ``registry`` picks the adapter of each kind from the settings. See
``README.md`` in this folder for the wire formats.
"""
