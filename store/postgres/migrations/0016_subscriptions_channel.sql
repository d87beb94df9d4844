-- ListChannelSubscriptions (notify list, notify off, whether a channel hears
-- a start or stop) reads one chat channel's subscriptions. Only those have
-- a channel; the rest keep '' and stay out of the index. The query repeats
-- channel <> '', so that a generic plan of the prepared statement may use
-- the partial index too (a custom plan proves it from the value).
CREATE INDEX subscriptions_channel ON subscriptions (workspace_id, channel) WHERE channel <> '';
