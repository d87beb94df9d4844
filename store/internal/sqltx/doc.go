// Package sqltx is the SQL both stores share: the core.Tx methods written
// once, over a small connection interface (Conn) and a Dialect.
//
// A store wraps each of its transactions in a Tx: store/sqlite over
// database/sql, store/postgres over pgx. Conn runs statements written with
// `?` placeholders (PostgreSQL's rewrites them to `$n` once per distinct
// statement, see Rebinder) and knows how a write that may break a
// constraint leaves the transaction usable (Guard, Insert, Atomic). Dialect
// says how times are passed, how the database reports a broken unique or
// foreign key, which values it refuses, how a statement reads a set of ids
// given as one argument (IDs), and how it locks: the clause of the reads
// that lead to a write (New's forUpdate), SKIP LOCKED, and the claim
// statement of ClaimDeliveries.
//
// What is not here is what differs between the stores on purpose, their
// locking: a store's transaction type embeds Tx and overrides those methods
// (UpdateSubscription in both; PostgreSQL's outbox order, dispatch cursor,
// owner lock and advisory locks). The exported helpers (SubscriptionSet,
// EventArgs, ScanEvent, …) are the pieces those overrides share.
//
// Migrations loads the numbered migrations each store embeds; the SQL of
// the schema is each database's own.
//
// Times are read back in UTC from either encoding: SQLite's INTEGER unix
// microseconds or PostgreSQL's timestamptz (see the column scanners in
// cols.go). NULL ids read as 0 and are written from 0 (IDOrNil).
package sqltx
