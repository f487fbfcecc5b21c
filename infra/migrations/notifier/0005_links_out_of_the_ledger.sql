-- No capability at rest. A claim used to keep its message with the signed links in it
-- (acknowledge, consent): whoever could read the ledger or a backup could act as the
-- recipient. Messages are now stored with a slot where each link goes, and the sender
-- builds the link from the claim's ids and the service secret when it sends
-- (notifier.alerting.links). The links stored before are turned into slots here:
--   - an acknowledge link becomes an ack slot expiring 7 days (the default
--     ack_link_seconds) after its claim, so a claim still waiting to be sent keeps a link;
--   - a consent link is dropped: links from before consent requests had their own are
--     refused by the planner, and the partner asks again for a new one.
-- The version number leaves 0004 to the delivery-retries migration.
UPDATE notifier.deliveries
SET body = regexp_replace(
        regexp_replace(body, 'https?://[^\s"]*/v1/acks/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+',
            '{{tandem-link:ack:' || (extract(epoch FROM claimed_at)::bigint + 604800) || '}}',
            'g'),
        'https?://[^\s"]*/v1/consents/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+', '', 'g'),
    payload = regexp_replace(
        regexp_replace(payload::text, 'https?://[^\s"]*/v1/acks/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+',
            '{{tandem-link:ack:' || (extract(epoch FROM claimed_at)::bigint + 604800) || '}}',
            'g'),
        'https?://[^\s"]*/v1/consents/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+', '', 'g')::jsonb
WHERE body ~ '/v1/(acks|consents)/' OR payload::text ~ '/v1/(acks|consents)/';
