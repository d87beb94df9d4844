-- ListChannelSubscriptions (notify list, notify off, whether a channel hears
-- a start or stop) reads one chat channel's subscriptions. Only those have
-- a channel; the rest keep '' and stay out of the index. The query repeats
-- channel <> '', so that SQLite may use the partial index for a bound
-- channel; the rowid every index ends with gives its ORDER BY id.
CREATE INDEX subscriptions_channel ON subscriptions (workspace_id, channel) WHERE channel <> '';
