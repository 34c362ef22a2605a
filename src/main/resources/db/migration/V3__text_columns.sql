-- Text columns sized in the unit that both databases can agree on (issue 13).
-- TaskRules counts lengths in Unicode code points: title 1-200, description <= 10000, wallet <= 128.
-- H2 2.x counts VARCHAR(n) in UTF-16 units (a Java String's length: an emoji is 2), PostgreSQL in characters
-- (code points: an emoji is 1). A value of n code points is at most 2n UTF-16 units, so 2n holds every allowed
-- value on H2 and PostgreSQL alike; the rule, not the column, is the limit callers see (a 400 naming the field).
-- Widening a varchar is a catalog change on PostgreSQL (no table rewrite); NOT NULL is kept on both.
ALTER TABLE task ALTER COLUMN title SET DATA TYPE VARCHAR(400);
ALTER TABLE task ALTER COLUMN description SET DATA TYPE VARCHAR(20000);
ALTER TABLE task ALTER COLUMN agent_wallet SET DATA TYPE VARCHAR(256);
ALTER TABLE task_event ALTER COLUMN agent_wallet SET DATA TYPE VARCHAR(256);
ALTER TABLE task_event ALTER COLUMN previous_wallet SET DATA TYPE VARCHAR(256);
