-- Stage history (seed 4.2, velocity tracking): every entry into and every exit from a stage, appended in the
-- transaction that makes the move. A trigger on the change log writes it: every mutation writes the change
-- log, so no path that moves a lead (the form, an import, a merge, an undo) can leave it out.
CREATE TABLE stage_moves (
    id         INTEGER PRIMARY KEY,
    -- No foreign key: the record outlives a lead deleted or merged away.
    lead_id    INTEGER NOT NULL,
    -- NULL: the lead came into being (created, restored by an unmerge or an undo).
    from_stage TEXT,
    -- NULL: the lead stopped being (deleted, merged into another).
    to_stage   TEXT,
    at         TEXT NOT NULL,
    -- NULL: reconstructed from the lead's creation date for leads whose change log did not say.
    batch_id   INTEGER REFERENCES change_batches(id)
);
CREATE INDEX stage_moves_by_lead ON stage_moves (lead_id, at, id);

-- A move is a change of the stage field; a lead's creation or deletion (its snapshot, with its stage); or a
-- merge, which takes a lead out of its stage, and an unmerge, which puts it back (its row exists at both
-- moments: a merge logs before it deletes, an unmerge after it restores).
CREATE TRIGGER stage_moves_from_the_change_log AFTER INSERT ON change_log
WHEN NEW.entity = 'lead' AND NEW.field IN ('stage', '*', 'merged_into')
BEGIN
    INSERT INTO stage_moves (lead_id, from_stage, to_stage, at, batch_id)
    SELECT NEW.entity_id, m.from_stage, m.to_stage, b.at, NEW.batch_id
    FROM (
        SELECT CASE NEW.field
                   WHEN 'stage' THEN NEW.old_value
                   WHEN '*' THEN json_extract(NEW.old_value, '$.stage')
                   ELSE CASE WHEN NEW.new_value IS NOT NULL
                             THEN (SELECT stage FROM leads WHERE id = NEW.entity_id) END
               END AS from_stage,
               CASE NEW.field
                   WHEN 'stage' THEN NEW.new_value
                   WHEN '*' THEN json_extract(NEW.new_value, '$.stage')
                   ELSE CASE WHEN NEW.new_value IS NULL
                             THEN (SELECT stage FROM leads WHERE id = NEW.entity_id) END
               END AS to_stage
    ) m
    JOIN change_batches b ON b.id = NEW.batch_id
    WHERE m.from_stage IS NOT m.to_stage;
END;

-- The leads stored before: first, an entry at their creation date for those whose logged creation does not
-- name a stage (older versions did not log it), into the stage their first logged move left, else the stage
-- they are in...
INSERT INTO stage_moves (lead_id, from_stage, to_stage, at, batch_id)
SELECT l.id, NULL,
       coalesce((SELECT c.old_value FROM change_log c
                 WHERE c.entity = 'lead' AND c.entity_id = l.id AND c.field = 'stage' ORDER BY c.id LIMIT 1),
                l.stage),
       l.created_at, NULL
FROM leads l
WHERE NOT EXISTS (SELECT 1 FROM change_log c
                  WHERE c.entity = 'lead' AND c.entity_id = l.id AND c.field = '*'
                    AND json_extract(c.new_value, '$.stage') IS NOT NULL);

-- ...then every move the change log holds: `pipeline::history::backfill`, run after this file.
