-- Seeing every campaign is said, not implied by an empty list: removing a user's last campaign to take their
-- access away gave them every campaign (least privilege, seed 3.1). Users without campaigns kept so far saw
-- every campaign, and still do.
ALTER TABLE users ADD COLUMN all_campaigns INTEGER NOT NULL DEFAULT 0 CHECK (all_campaigns IN (0, 1));
UPDATE users SET all_campaigns = 1 WHERE id NOT IN (SELECT user_id FROM user_campaigns);
