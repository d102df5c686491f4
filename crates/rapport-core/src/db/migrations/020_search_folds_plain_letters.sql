-- Search folds the letters that decomposing leaves as they are (ø, ł, đ, ß, æ, œ, þ) to the plain letters people
-- type for them, and full-width and other compatibility forms to their plain letters: "Søren" is found by
-- "soren". An email's domain stored in its ASCII form (xn--caf-dma.fr) is indexed in its own letters too
-- (café.fr), so that the count of a search agrees with its list. The search rows and folded names of the leads
-- whose text goes beyond ASCII are written again by the migration's hook (Rust); nothing changes in the schema.
SELECT 1;
