"""Route handlers: parse, authorize, build a command, call the handler, shape the response."""
