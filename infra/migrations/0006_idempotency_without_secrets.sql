-- No shown-once secret at rest. A response stored for an Idempotency-Key used to keep
-- the whole answer: invite codes, consent links, webhook signing secrets. From now on the
-- stored answer leaves them out and a repeat derives them again from the ids it holds
-- (planner.api.commands.Secrets). The answers stored before are rewritten here without
-- them; a repeat of one of those is answered as stored, without its secret. Consent links
-- are gone from the API altogether: they go only to the contact.
UPDATE idempotency_keys AS k
SET body = convert_to(cleaned.answer::text, 'UTF8')
FROM (
    SELECT principal, key,
           (answer - 'consent_url' - 'invite_code')
           || CASE WHEN jsonb_typeof(answer -> 'channels') = 'array' THEN jsonb_build_object(
                  'channels',
                  (SELECT coalesce(jsonb_agg(channel - 'signing_secret' ORDER BY n), '[]')
                   FROM jsonb_array_elements(answer -> 'channels') WITH ORDINALITY
                        AS listed (channel, n)))
              ELSE '{}'::jsonb END AS answer
    FROM (SELECT principal, key, convert_from(body, 'UTF8')::jsonb AS answer
          FROM idempotency_keys) AS stored
    WHERE jsonb_typeof(answer) = 'object'
      AND (answer ? 'consent_url' OR answer ? 'invite_code'
           OR jsonb_path_exists(answer, '$.channels[*].signing_secret'))
) AS cleaned
WHERE k.principal = cleaned.principal AND k.key = cleaned.key;
