"""What the notifier takes in: the planner's plan events, from JetStream.

``consumer`` owns the durable pull consumer and settles each message (ack, nak with a
delay, or dead letter); ``fetching`` waits for the planner's stream and pulls batches,
handled plan by plan. What each event means is ``notifier.alerting``'s to decide.
"""
