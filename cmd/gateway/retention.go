package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/store/sealed"
	"github.com/chatops/gateway/store/sqlite"
)

// sealStore wraps the store so that webhook secrets are encrypted at rest
// when GATEWAY_ENCRYPTION_KEY is set; without it, the store as is.
func sealStore(st core.Store, cfg *Config) (core.Store, error) {
	if len(cfg.EncryptionKey) == 0 {
		return st, nil
	}
	box, err := sealed.NewBox(cfg.EncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("GATEWAY_ENCRYPTION_KEY: %w", err)
	}
	return sealed.Wrap(st, box), nil
}

// pruneCommand is `gateway prune`: delete what the retention settings let
// go, now, and print the counts as JSON.
func pruneCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := configFor("prune", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("prune takes no arguments, got %q", rest)
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer st.Close()
	svc := core.NewService(st, core.Options{Logger: newLogger(cfg, stderr), Retention: cfg.Retention, SessionTTL: cfg.SessionTTL})
	p, err := svc.Prune(ctx)
	if err != nil {
		return fmt.Errorf("prune: %w (deleted so far: %+v)", err, p)
	}
	return json.NewEncoder(stdout).Encode(p)
}

// errUsage is an error that exits with status 2: the command cannot do
// what was asked in this configuration.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// backupCommand is `gateway backup FILE`: a consistent copy of the SQLite
// database, taken while the server runs.
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := configFor("backup", args, getenv, stderr)
	if err != nil {
		return err
	}
	if len(rest) != 1 || rest[0] == "" {
		return errUsage{"usage: gateway backup FILE (FILE must not exist)"}
	}
	path, ok := strings.CutPrefix(cfg.DatabaseURL, "sqlite:")
	if !ok {
		return errUsage{"gateway backup copies a SQLite database; for PostgreSQL use pg_dump (for example: pg_dump --format=custom --file=gateway.dump \"$GATEWAY_DATABASE_URL\")"}
	}
	path = strings.TrimPrefix(path, "//")
	if err := sqlite.Backup(ctx, path, rest[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", path, rest[0])
	return nil
}
