-- Fired timers not yet reported: the worker looks for them every round, so an index
-- keeps that look from scanning every timer there ever was.
CREATE INDEX timers_to_report ON notifier.timers (fired_at)
    WHERE status = 'fired' AND report_id IS NOT NULL AND reported_at IS NULL;
