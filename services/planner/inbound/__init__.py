"""What comes back from the notifier: its delivery reports, recorded on the plans' streams
(``delivery_recorder``), and the dead letters an operator lists and retries
(``dead_letters``).
"""
