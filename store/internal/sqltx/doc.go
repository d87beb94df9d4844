// Package sqltx is the SQL both stores share: the core.Tx methods written
// once, over a small connection interface (Conn) and a Dialect.
//
// A store wraps each of its transactions in a Tx: store/sqlite over
// database/sql, store/postgres over pgx. Conn runs statements written with
// `?` placeholders (PostgreSQL's rewrites them to `$n` once per distinct
// statement, see Rebinder) and knows how a write that may break a
// constraint leaves the transaction usable (Guard, Insert, Atomic). Dialect
// says how times are passed, how the database reports a broken unique or
// foreign key, and which values it refuses.
//
// What is not here is what differs between the stores on purpose: their
// locking and claims. A store's transaction type embeds Tx and overrides
// those methods (ClaimDeliveries and UpdateSubscription in both;
// PostgreSQL's outbox order, dispatch cursor and advisory locks).
//
// Times are read back in UTC from either encoding: SQLite's INTEGER unix
// microseconds or PostgreSQL's timestamptz (see the column scanners in
// cols.go). NULL ids read as 0 and are written from 0 (IDOrNil).
package sqltx
