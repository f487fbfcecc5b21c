-- The API's request counters (Litestar's rate limiter keeps its history here), shared by
-- every planner process. UNLOGGED: they are not worth a WAL write per request, and losing
-- them in a crash only forgets a few minutes of counting. Each row expires; readers ignore
-- expired rows and writers sweep them now and then (planner.store.rate_limits).
-- Keys name an address or a hash of a token, never a token itself.
CREATE UNLOGGED TABLE rate_limits (
    key        text PRIMARY KEY,
    value      bytea NOT NULL,
    expires_at timestamptz
);

CREATE INDEX rate_limits_expiry ON rate_limits (expires_at) WHERE expires_at IS NOT NULL;
