// Command gateway is the chat-ops gateway for time tracking: one binary that
// takes commands from Slack (and later other sources), records them durably
// and tells subscribers. Run `gateway help` for its commands and settings.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if err != errSilent {
			fmt.Fprintln(os.Stderr, "gateway:", err)
		}
		os.Exit(exitStatus(err))
	}
}
