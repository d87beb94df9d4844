-- LastEntryEnd (where a logged amount of time goes on its day) takes the
-- latest end of a user's entries that start in a range. With end_at in the
-- index it is read from the index alone, not from each entry's row: a user
-- who logs many entries a day (a script, the load tool) paid a row read for
-- every entry of the day on every log. The index replaces the one on
-- (workspace_id, user_id, start_at), whose queries it serves as well.
CREATE INDEX time_entries_user_start_end ON time_entries (workspace_id, user_id, start_at, end_at);
DROP INDEX time_entries_user_start;
