package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the gateway's embedded store, for the durable baseline
)

// durable is the third baseline, the floor that durability sets on this
// machine: the bare handler that, before it answers, commits the command to
// a SQLite file the way the gateway's embedded store commits (the same
// driver, WAL, synchronous=FULL, one writer goroutine that commits
// whatever is queued as one group). It writes one row per command where
// the gateway writes an entry, an event, its dedupe key and undo record,
// then a delivery and its attempt: what separates the gateway from this
// baseline is the gateway's own work, not the disk's.
type durable struct {
	db   *sql.DB
	dir  string
	reqs chan durableReq
	done chan struct{}
}

type durableReq struct {
	text string
	err  chan error
}

// durableGroupMax is the most commands one commit takes, as the gateway's
// default batch.
const durableGroupMax = 256

func openDurable(dir string) (*durable, error) {
	tmp, err := os.MkdirTemp(dir, "loadgen-durable-")
	if err != nil {
		return nil, err
	}
	dsn := "file:" + filepath.Join(tmp, "baseline.db") + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(5000)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE commands (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`); err != nil {
		db.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("durable baseline: %w", err)
	}
	d := &durable{db: db, dir: tmp, reqs: make(chan durableReq, 1024), done: make(chan struct{})}
	go d.write()
	return d, nil
}

// write is the one writer: it takes the first queued command, every other
// one already queued (up to durableGroupMax), and commits them together.
func (d *durable) write() {
	defer close(d.done)
	for r := range d.reqs {
		group := []durableReq{r}
	more:
		for len(group) < durableGroupMax {
			select {
			case r, ok := <-d.reqs:
				if !ok {
					break more
				}
				group = append(group, r)
			default:
				break more
			}
		}
		err := d.commit(group)
		for _, r := range group {
			r.err <- err
		}
	}
}

func (d *durable) commit(group []durableReq) error {
	tx, err := d.db.Begin()
	if err != nil {
		return err
	}
	for _, r := range group {
		if _, err := tx.Exec(`INSERT INTO commands (text) VALUES (?)`, r.text); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// store commits text and returns when it is on disk.
func (d *durable) store(text string) error {
	r := durableReq{text: text, err: make(chan error, 1)}
	d.reqs <- r
	return <-r.err
}

// rows says how many commands were committed.
func (d *durable) rows() (n int, err error) {
	err = d.db.QueryRow(`SELECT count(*) FROM commands`).Scan(&n)
	return n, err
}

func (d *durable) close() {
	close(d.reqs)
	<-d.done
	d.db.Close()
	os.RemoveAll(d.dir)
}
