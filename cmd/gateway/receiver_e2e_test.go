package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeBlock returns the fenced code block that follows the line
// "<!-- FILE -->" in docs/WEBHOOKS.md (the webhooks guide, moved out of the
// README), which includes FILE verbatim.
func readmeBlock(t *testing.T, file string) string {
	t.Helper()
	readme, err := os.ReadFile("../../docs/WEBHOOKS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- "+file+" -->\n```")
	if !ok {
		t.Fatalf("docs/WEBHOOKS.md has no <!-- %s --> marker before a code block", file)
	}
	_, rest, _ = strings.Cut(rest, "\n") // the fence's language
	block, _, ok := strings.Cut(rest, "\n```\n")
	if !ok {
		t.Fatalf("the block of %s in docs/WEBHOOKS.md does not end", file)
	}
	return block + "\n"
}

// The guide's receiver examples are the files under examples/, verbatim.
func TestReadmeReceiverExamplesAreTheFiles(t *testing.T) {
	for _, file := range []string{"examples/receiver/main.go", "examples/node/receiver.mjs"} {
		want, err := os.ReadFile(filepath.Join("../..", file))
		if err != nil {
			t.Fatal(err)
		}
		if got := readmeBlock(t, file); got != string(want) {
			t.Errorf("docs/WEBHOOKS.md's %s differs from the file; copy the file into docs/WEBHOOKS.md", file)
		}
	}
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

type attemptList struct {
	Data []struct {
		At         time.Time `json:"at"`
		EventType  string    `json:"event_type"`
		StatusCode int       `json:"status_code"`
		Error      string    `json:"error"`
	} `json:"data"`
}

// receiverValidates creates a subscription with a generated secret for a
// receiver at addr, then starts the receiver with the secret from the
// answer (start), as its owner would, and checks that the receiver
// verified the subscription's first ping and validated it: the first
// attempt came after the answer and was answered 200.
func receiverValidates(t *testing.T, g *gateway, addr string, start func(secret string) *exec.Cmd) {
	t.Helper()
	var sub struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
		Status string `json:"status"`
	}
	if code := g.apiBody("POST", "/api/v1/webhooks", map[string]any{"url": "http://" + addr + "/hooks/gateway",
		"events": []string{"*"}}, &sub); code != 201 || sub.Status != "not_validated" {
		t.Fatalf("create: %d %+v", code, sub)
	}
	answered := time.Now()
	cmd := start(sub.Secret)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got struct{ Status string }
		g.api("GET", "/api/v1/webhooks/"+sub.ID, &got)
		if got.Status == "active" {
			break
		}
		if time.Now().After(deadline) {
			var log attemptList
			g.api("GET", "/api/v1/webhooks/"+sub.ID+"/deliveries", &log)
			t.Fatalf("not validated after 30s (status %s); attempts %+v; receiver said:\n%s", got.Status, log.Data, out.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the API, with a deadline
	}
	var log attemptList
	g.api("GET", "/api/v1/webhooks/"+sub.ID+"/deliveries", &log)
	if len(log.Data) != 1 {
		t.Fatalf("attempts %+v, want the first ping only", log.Data)
	}
	first := log.Data[0]
	if first.EventType != "webhook.ping" || first.StatusCode != 200 || !first.At.After(answered) {
		t.Fatalf("first attempt %+v (create answered at %s)", first, answered.Format(time.RFC3339Nano))
	}
}

// The guide's receivers (docs/WEBHOOKS.md), run as their owner would run them, verify and
// answer the first ping of a subscription whose secret the gateway made.
func TestReadmeReceiversVerifyTheFirstPing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "receivers.db")
	g := startGateway(t, testConfig(t, db, map[string]string{"GATEWAY_ADMIN_TOKEN": testAdmin, "GATEWAY_ALLOW_PRIVATE_TARGETS": "true"}))

	t.Run("go", func(t *testing.T) {
		bin := filepath.Join(t.TempDir(), "receiver")
		cmd := exec.Command("go", "build", "-o", bin, "./examples/receiver")
		cmd.Dir = "../.."
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build the example: %v\n%s", err, out)
		}
		addr := freeAddr(t)
		receiverValidates(t, g, addr, func(secret string) *exec.Cmd {
			c := exec.Command(bin)
			c.Env = append(os.Environ(), "WEBHOOK_SECRET="+secret, "ADDR="+addr)
			return c
		})
	})

	t.Run("node", func(t *testing.T) {
		ci := os.Getenv("CI") == "true"
		node, err := exec.LookPath("node")
		if err == nil {
			_, err = os.Stat("../../examples/node/node_modules/standardwebhooks/package.json")
		}
		if err != nil {
			if ci {
				t.Fatalf("node or the standardwebhooks package is missing (npm ci --prefix examples/node): %v", err)
			}
			t.Skipf("node or the standardwebhooks package is missing (npm ci --prefix examples/node): %v", err)
		}
		addr := freeAddr(t)
		host, port, _ := net.SplitHostPort(addr)
		receiverValidates(t, g, addr, func(secret string) *exec.Cmd {
			c := exec.Command(node, "receiver.mjs")
			c.Dir = "../../examples/node"
			c.Env = append(os.Environ(), "WEBHOOK_SECRET="+secret, "HOST="+host, "PORT="+port)
			return c
		})
	})
}
