package main

import (
	"errors"
	"strconv"
)

// exitError is a failure that ends the process with a status of its own
// rather than 1: 2 for a configuration that must not start.
type exitError struct {
	status int
	err    error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

// exitStatus is the process's exit status for err: an exitError's, else 1.
func exitStatus(err error) int {
	if e, ok := errors.AsType[exitError](err); ok {
		return e.status
	}
	if errors.As(err, new(errUsage)) {
		return 2
	}
	return 1
}

// MinAdminTokenLength is the fewest characters GATEWAY_ADMIN_TOKEN may have.
const MinAdminTokenLength = 32

// checkStartup refuses, with exit status 2, a configuration that would
// start a weak gateway.
func checkStartup(cfg *Config) error {
	if n := len([]rune(cfg.AdminToken)); cfg.AdminToken != "" && n < MinAdminTokenLength {
		return exitError{2, errors.New("GATEWAY_ADMIN_TOKEN is too short: it has " + strconv.Itoa(n) +
			" characters and must have at least 32 (make one with: openssl rand -hex 32)")}
	}
	return nil
}
