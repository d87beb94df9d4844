package sqltx

import (
	"fmt"
	"time"
)

// Secret returns the server secret called name, storing fresh as it first
// when there is none. When two transactions store one at once, the second
// waits for the first and both answer the first's.
func (t *Tx) Secret(name, fresh string, now time.Time) (string, error) {
	if _, err := t.c.Exec("INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
		name, fresh, t.ts(now)); err != nil {
		return "", t.Wrap(fmt.Sprintf("store secret %q", name), err)
	}
	var v string
	if err := t.c.QueryRow("SELECT value FROM server_secrets WHERE name = ?", name).Scan(&v); err != nil {
		return "", t.Wrap(fmt.Sprintf("read secret %q", name), err)
	}
	return v, nil
}
