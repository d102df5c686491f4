-- Before this version, a meeting already on its agent's calendar server and changed while no calendar was
-- connected was kept as not to be sent: connecting again sent every meeting anew. Connecting again to the same
-- calendar now sends only what waits (the rest could overwrite what changed on the server meanwhile), so the
-- meetings changed since their agent last disconnected wait to be sent.
UPDATE appointments SET sync_pending = 1
WHERE sync_pending = 0
  AND remote_href IS NOT NULL
  AND source <> 'caldav'
  AND agent_id NOT IN (SELECT user_id FROM caldav_accounts)
  AND updated_at > (
      SELECT max(b.at) FROM change_log c JOIN change_batches b ON b.id = c.batch_id
      WHERE c.entity = 'caldav_account' AND c.field = '*' AND c.new_value IS NULL
        AND b.actor_id = appointments.agent_id);
