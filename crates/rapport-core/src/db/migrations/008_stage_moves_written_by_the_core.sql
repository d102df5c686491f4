-- The stage history is written by the core beside each change-log row (`pipeline::history::follow`), no longer
-- by a trigger: a statement with a trigger runs inside a savepoint, and at every savepoint the search index
-- (FTS5) writes out what it holds in memory. One lead written was one small index segment to merge, which made
-- an import 40% slower. The rows the trigger wrote stay as they are; what it did, the core now does.
DROP TRIGGER stage_moves_from_the_change_log;
