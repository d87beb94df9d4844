package sqlite

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/chatops/gateway/store/internal/sqltx"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies the pending migrations on c in one IMMEDIATE transaction,
// so that two processes opening the same file apply each migration once.
func migrate(ctx context.Context, c *conn) (err error) {
	ms, err := sqltx.Migrations(migrationFiles)
	if err != nil {
		return err
	}
	if _, err := c.c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			c.c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if _, err := c.c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	applied := make(map[int]bool)
	rows, err := c.c.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("migrate: %w", err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	known := make(map[int]bool)
	for _, m := range ms {
		known[m.Version] = true
		if applied[m.Version] {
			continue
		}
		if _, err := c.c.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
		if _, err := c.c.ExecContext(ctx,
			"INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("migrate %s: %w", m.Name, err)
		}
	}
	for v := range applied {
		if !known[v] {
			return fmt.Errorf("migrate: the database has migration %d, which this program does not know: it is newer than this program", v)
		}
	}
	if _, err := c.c.ExecContext(ctx, "COMMIT"); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}
