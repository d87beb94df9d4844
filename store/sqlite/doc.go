// Package sqlite implements core.Store on an embedded SQLite file, with the
// pure-Go modernc.org/sqlite driver (no cgo).
//
// The file is in WAL mode with foreign keys on. Open applies the embedded
// migrations (migrations/NNNN_name.sql, tracked in schema_migrations) before it
// returns; Migrate does only that, for the `gateway migrate` command.
//
// Writes go through one writer goroutine that owns the only write connection
// and commits in groups: every Update queued while the previous commit was
// being flushed is run in one BEGIN IMMEDIATE transaction, each inside its own
// SAVEPOINT, so that an Update whose function fails rolls back only its own
// writes, and the whole group is made durable by one COMMIT (with the default
// synchronous=FULL, one fsync). An Update returns only after its group has
// committed. Reads (View) run on a separate pool of read-only connections,
// which WAL lets run alongside the writer, and see only committed data.
//
// The core.Tx methods are the shared ones of store/internal/sqltx, run on
// the connection's prepared statements (tx.go implements sqltx.Conn and
// SQLite's sqltx.Dialect). What this package keeps is SQLite's own: the
// writer and its group commit (sqlite.go), the connections and their
// statement caches (conn.go), the migrations (migrate.go), and the two
// methods whose locking differs from PostgreSQL's: UpdateSubscription, which
// reads the state it changes without a lock since the writer is alone, and
// the claim statement of ClaimDeliveries.
//
// The database file and its -wal and -shm files are made (or set) mode 0600
// at open, whatever the umask (files.go). Backup copies the database to a
// new 0600 file with VACUUM INTO while other processes use it
// (`gateway backup`).
//
// Times are stored as INTEGER unix microseconds and read back in UTC; names
// are unique by a name_key column holding core.NameKey of the name.
package sqlite
