"""The planner's HTTP API (Litestar): app factory, auth, problems, schemas, routes."""
