package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// errHelp is returned after a -h or --help was answered: the program exits
// 0 (run turns it into nil).
var errHelp = errors.New("help shown")

// topLevelFlag maps `gateway -h`, `gateway --version` and the like to the
// command they mean; ok is false for anything else (a flag of serve).
func topLevelFlag(arg string) (cmd string, ok bool) {
	switch arg {
	case "-h", "-help", "--help":
		return "help", true
	case "-v", "-version", "--version":
		return "version", true
	}
	return "", false
}

// sqlitePath is the file a sqlite: database URL names, and ok false for
// any other URL.
func sqlitePath(databaseURL string) (string, bool) {
	path, ok := strings.CutPrefix(databaseURL, "sqlite:")
	if !ok {
		return "", false
	}
	return strings.TrimPrefix(path, "//"), true
}

// databaseName says which database a URL names, for a person reading a
// log line or a CLI message: a SQLite file as its absolute path (a
// relative sqlite:gateway.db depends on the working directory), any other
// URL without its password.
func databaseName(databaseURL string) string {
	if path, ok := sqlitePath(databaseURL); ok && path != "" {
		if abs, err := filepath.Abs(path); err == nil {
			return "sqlite:" + abs
		}
		return databaseURL
	}
	return redactURL(databaseURL)
}

// requireDatabase refuses a database the gateway has not set up yet: a
// SQLite file that does not exist, or a PostgreSQL schema without the
// gateway's tables. A command that only adds to a database (token create)
// must not make a new, empty one because it ran in another directory or
// with another URL.
func requireDatabase(ctx context.Context, databaseURL string, timeout time.Duration) error {
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		return requirePostgres(ctx, databaseURL, timeout)
	}
	path, ok := sqlitePath(databaseURL)
	if !ok || path == "" {
		return nil
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		wd, _ := os.Getwd()
		return fmt.Errorf("no database at %s (%s, read from the working directory %s); this command does not create one: "+
			"run it where the server runs, or name the server's database with -database-url or GATEWAY_DATABASE_URL "+
			"(for example sqlite:/srv/gateway/gateway.db)", strings.TrimPrefix(databaseName(databaseURL), "sqlite:"), databaseURL, wd)
	}
	return nil
}

// requirePostgres refuses a PostgreSQL database whose schema (the
// search_path's) has no gateway tables: no migration was ever applied there.
func requirePostgres(ctx context.Context, databaseURL string, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("open %s: %w", redactURL(databaseURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var migrated bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&migrated); err != nil {
		return fmt.Errorf("open %s: %w", redactURL(databaseURL), err)
	}
	if !migrated {
		return fmt.Errorf("no gateway tables in %s (its search_path schema); this command does not create them: "+
			"name the server's database with -database-url or GATEWAY_DATABASE_URL, or run gateway migrate first", redactURL(databaseURL))
	}
	return nil
}

// consoleURL is where a person opens the console (/ui/): under the public
// URL when one is set, else on the address the server listens on.
func consoleURL(publicURL, listenAddr string) string {
	if publicURL != "" && publicURL != defaultPublicURL {
		return strings.TrimRight(publicURL, "/") + "/ui/"
	}
	host, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return strings.TrimRight(publicURL, "/") + "/ui/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/ui/"
}

// defaultPublicURL is GATEWAY_PUBLIC_URL's default.
const defaultPublicURL = "http://localhost:8080"

// buildVersion says what was built: the version set at link time, the main
// module's version ("(devel)" from a checkout), the Go release and
// platform, and the VCS revision and time when the build recorded them
// (`go run` and -buildvcs=false do not).
func buildVersion(linked string, bi *debug.BuildInfo, ok bool) string {
	s := "gateway " + linked
	if !ok || bi == nil {
		return s + " (" + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ", no build info)"
	}
	mod := bi.Main.Version
	if mod == "" {
		mod = "(devel)"
	}
	parts := []string{"module " + bi.Main.Path + " " + mod, bi.GoVersion + " " + runtime.GOOS + "/" + runtime.GOARCH}
	vcs := false
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision", "vcs.time", "vcs.modified":
			parts = append(parts, kv.Key+"="+kv.Value)
			vcs = true
		}
	}
	if !vcs {
		parts = append(parts, "no VCS info")
	}
	return s + " (" + strings.Join(parts, ", ") + ")"
}

// readable is v as encoding/json writes it, but with an amount's duration
// (core.Amount, the "amount" of a log or an edit, the one duration a
// command holds) as its String, "1h30m0s", rather than nanoseconds: what
// `gateway parse` prints for a person. A v that encoding/json cannot
// write comes back as it is, for the caller's json.Marshal to report.
func readable(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers as written, not as float64
	if err := dec.Decode(&out); err != nil {
		return v
	}
	args, _ := out.(map[string]any)
	amount, _ := args["amount"].(map[string]any)
	if ns, ok := amount["duration"].(json.Number); ok {
		if n, err := ns.Int64(); err == nil {
			amount["duration"] = time.Duration(n).String()
		}
	}
	return out
}
