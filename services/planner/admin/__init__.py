"""Operator commands of ``tandem``: each module adds its commands to a typer app.

``common`` holds what they share: settings, the servers in use (configured URLs, or the
embedded servers of `make run` under the same TANDEM_HOME), output and exit codes.
"""
