package postgres

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/parser"
	"github.com/chatops/gateway/store/postgres/pgtest"
)

// BenchmarkExecuteLog runs what a Slack "/tt log 15m on … #load" does, from
// 64 goroutines and 50 users, on the store alone (no HTTP): the store's
// share of the gateway's slash-command throughput.
//
//	GATEWAY_TEST_DATABASE_URL=… go test -run '^$' -bench ExecuteLog ./store/postgres
func BenchmarkExecuteLog(b *testing.B) {
	s, err := Open(b.Context(), pgtest.Schema(b), Options{MaxConns: 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	svc := core.NewService(s, core.Options{})
	cmd, err := parser.Parse("log 15m on Load test in Load project #load")
	if err != nil {
		b.Fatal(err)
	}
	var n atomic.Int64
	b.SetParallelism(32) // 64 goroutines on 2 CPUs
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := n.Add(1)
			actor := core.Actor{Source: "slack", DedupeKey: fmt.Sprint("slack:bench-", k), Identity: &core.ChatIdentity{
				Provider: core.ProviderSlack, Subject: fmt.Sprint("TLOAD:U", k%50), Name: fmt.Sprint("load", k%50)}}
			if _, err := svc.Execute(b.Context(), actor, cmd); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cmds/s")
}
