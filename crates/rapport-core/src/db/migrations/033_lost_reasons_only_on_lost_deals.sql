-- A lost reason goes only with a loss (pipeline/gate.rs): one an open deal held, given before that rule, would
-- answer for its next loss though nobody gave it for that loss. Cleared, each in the change log, as the rule's
-- change (one batch for all, written only when there is one).
INSERT INTO change_batches (at, actor_id, actor_name, reason, source_ref)
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), NULL, 'system', 'policy',
       'a lost reason is given only to a lost deal: one an open deal held was cleared'
WHERE EXISTS (
    SELECT 1 FROM leads l JOIN stages s ON s.key = l.stage WHERE l.lost_reason <> '' AND s.outcome <> 'lost'
);

INSERT INTO change_log (batch_id, entity, entity_id, field, old_value, new_value)
SELECT (SELECT max(id) FROM change_batches), 'lead', l.id, 'lost_reason', l.lost_reason, ''
FROM leads l JOIN stages s ON s.key = l.stage
WHERE l.lost_reason <> '' AND s.outcome <> 'lost';

UPDATE leads
SET lost_reason = '',
    version = version + 1,
    updated_at = (SELECT at FROM change_batches WHERE id = (SELECT max(id) FROM change_batches))
WHERE lost_reason <> '' AND stage IN (SELECT key FROM stages WHERE outcome <> 'lost');
