package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/chatops/gateway/store/internal/sqltx"
	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies the pending migrations in one transaction that first takes
// a transaction-level advisory lock: a second process starting at the same
// time waits, then finds them applied. PostgreSQL's DDL is transactional, so
// a failed migration leaves nothing half done. migrate also learns the
// store's schema, its lock namespace and its outbox sequence.
func (s *Store) migrate(ctx context.Context) (err error) {
	ms, err := sqltx.Migrations(migrationFiles)
	if err != nil {
		return err
	}
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer c.Release()
	ptx, err := c.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	var schema *string
	if err := ptx.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if schema == nil {
		return errors.New("migrate: no schema to create tables in: the search_path names none that exists")
	}
	s.ns = namespace(*schema)
	if _, err := ptx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", s.ns, int32(lockMigrate)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := ptx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	rows, err := ptx.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	done := make(map[int]bool, len(applied))
	for _, v := range applied {
		done[int(v)] = true
	}
	known := make(map[int]bool)
	for _, m := range ms {
		known[m.Version] = true
		if done[m.Version] {
			continue
		}
		// No arguments: the simple protocol runs the file's statements.
		if _, err := ptx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := ptx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.Version, m.Name); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	for v := range done {
		if !known[v] {
			return fmt.Errorf("migrate: the database has migration %d, which this program does not know: it is newer than this program", v)
		}
	}
	var seq *string
	if err := ptx.QueryRow(ctx, "SELECT pg_get_serial_sequence('outbox', 'seq')").Scan(&seq); err != nil || seq == nil {
		return fmt.Errorf("migrate: find the outbox sequence: %v", cmpErr(err, errors.New("none")))
	}
	s.outboxSeq = *seq
	if err := ptx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
