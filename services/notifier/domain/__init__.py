"""The notifier's pure domain: who gets which message, when to escalate, and the words sent.

Nothing here does I/O, reads the clock or makes ids; ``now``, ids and secrets are passed in.
"""
