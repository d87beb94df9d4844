// Package postgres implements core.Store on PostgreSQL with pgx (a pool of
// connections, no database/sql), for several gateway processes sharing one
// database.
//
// Open applies the embedded migrations (migrations/NNNN_name.sql, tracked in
// schema_migrations) in one transaction that first takes an advisory lock,
// so that gateways starting at once apply each migration once. Tables live
// in the connection's current schema (the first of its search_path), which
// lets tests and tenants use a schema of their own: add
// search_path=NAME to the URL.
//
// The core.Tx methods are the shared ones of store/internal/sqltx, with
// statements written with `?` and rebound to `$n` once each (tx.go
// implements sqltx.Conn over a pgx.Tx and PostgreSQL's sqltx.Dialect). What
// this package keeps is PostgreSQL's own: the pool and the retries
// (postgres.go), the advisory-locked migrations (migrate.go), the outbox
// order (outbox.go), and the methods that lock (locks.go): EnsureWorkspace,
// UpdateSubscription, CountSubscriptions, DispatchCursor and the SKIP LOCKED
// claim of ClaimDeliveries.
//
// # Transactions
//
// Update runs fn in one READ COMMITTED transaction on one pooled connection.
// Uniqueness (names, identities, running timers, dedupe keys, deliveries) is
// kept by unique indexes, never by a read before a write, so it holds across
// processes. Reads that lead to a state change of the same row take a row
// lock in an Update (RunningEntry, Entry, LastUndo, Subscription, the
// dispatch cursor; CountSubscriptions locks the owner), so that two processes
// acting on the same timer, undo record or subscription take turns as they
// would on SQLite's single writer.
//
// A statement that may break a constraint runs inside a SAVEPOINT sent in the
// same round trip, so that a conflict or not_found leaves the transaction
// usable, as the conformance suite requires.
//
// Update runs fn again, up to four more times, when PostgreSQL aborted the
// transaction for a deadlock or a serialization failure, and when fn failed
// with a conflict after a statement broke a unique index (or found an
// identity taken): then another process has just committed the same name,
// identity or timer, and running fn again on the new state gives what one
// writer at a time would have given (the second "track X in New project"
// finds the project instead of failing). So fn must set, not accumulate,
// what it hands out of the transaction.
//
// View runs fn in a READ ONLY REPEATABLE READ transaction: one snapshot for
// all its reads.
//
// # Outbox order
//
// Outbox rows take their Seq from a sequence when they are inserted, but
// transactions commit in another order: a reader could see Seq 11 committed
// while Seq 10 is still in flight, move its cursor past 10, and never deliver
// it. AppendEvent therefore holds a shared transaction-level advisory lock
// from before it takes a Seq until its transaction ends, and Events in an
// Update passes a barrier: inside a savepoint it takes the same lock
// exclusively, which waits for every transaction holding a Seq to commit or
// roll back and lets no new Seq be taken, reads the events (a statement of
// its own, so a snapshot taken after the wait), and rolls back to the
// savepoint, which lets the lock go at once. (When the sequence shows no
// Seq past the cursor, Events returns nothing without the barrier.) Writers
// never wait for each other, and their commits share WAL flushes; they pause
// only while a dispatcher passes the barrier. The alternative, an exclusive
// lock held by every writer from AppendEvent to its commit, would serialize
// every command behind one fsync at a time.
//
// The dispatcher's DispatchCursor locks the cursor row (SELECT … FOR UPDATE),
// so that one dispatcher at a time advances it; ClaimDeliveries leases rows
// with FOR UPDATE SKIP LOCKED, so that workers of every process claim
// disjoint deliveries, and a lease that has run out may be claimed by
// anyone.
//
// Times are timestamptz (microseconds) read back in UTC; ids are bigint
// identities; tags, undo steps, filters and event payloads are json or jsonb.
package postgres
