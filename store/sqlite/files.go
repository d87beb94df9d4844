package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The database file holds webhook secrets and token hashes: it and its WAL
// and shared-memory files are readable by the owner only (0600), whatever
// the umask.

// privateMode is the mode of the database files.
const privateMode fs.FileMode = 0o600

// createPrivate creates path as an empty file with mode 0600 when it does not
// exist (an empty file is an empty SQLite database), so that SQLite never
// creates it with the umask's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return err
	}
	if err := f.Chmod(privateMode); err != nil { // the umask may have taken bits away
		f.Close()
		return err
	}
	return f.Close()
}

// restrictFiles sets mode 0600 on the database file and its -wal and -shm
// files, those that exist: SQLite gives the WAL and shared-memory files the
// database file's mode, and an older file may have been made with another.
func restrictFiles(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if fi.Mode().Perm() != privateMode {
			if err := os.Chmod(p, privateMode); err != nil {
				return err
			}
		}
	}
	return nil
}

// Backup writes a consistent copy of the database at path to the new file
// dest (mode 0600), while other processes read and write it: SQLite's VACUUM
// INTO, on a connection of its own, copies one read transaction's snapshot,
// which writers in WAL mode do not block. dest must not exist.
func Backup(ctx context.Context, path, dest string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(dest, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = errors.Join(f.Chmod(privateMode), f.Close())
	if err == nil {
		err = vacuumInto(ctx, path, dest)
	}
	if err != nil {
		os.Remove(dest)
		return fmt.Errorf("backup %s to %s: %w", path, dest, err)
	}
	return nil
}

func vacuumInto(ctx context.Context, path, dest string) error {
	o, err := Options{}.withDefaults()
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", dsn(path, fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds())))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", dest)
	return err
}
