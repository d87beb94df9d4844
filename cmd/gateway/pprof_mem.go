//go:build pprof

package main

// /debug/mem (pprof build only): where the process's memory is, to tell a
// leak from a cache under the load tool: the RSS (anonymous and file
// backed), the Go runtime's memory classes, and the memory SQLite's C
// allocator (modernc.org/libc) has asked from the system outside the Go
// heap; its counters count only when built with
// -tags pprof,memory.counters. gateway_sqlite_memory_bytes on /metrics
// says which connections hold it.

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime/metrics"
	"strings"

	"modernc.org/libc"
)

func init() {
	http.HandleFunc("/debug/mem", func(w http.ResponseWriter, r *http.Request) {
		out := map[string]any{}
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, l := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(l, "VmRSS:") || strings.HasPrefix(l, "RssAnon:") || strings.HasPrefix(l, "RssFile:") {
					f := strings.Fields(l)
					out[strings.TrimSuffix(f[0], ":")+"_kB"] = f[1]
				}
			}
		}
		var samples []metrics.Sample
		for _, d := range metrics.All() {
			if strings.HasPrefix(d.Name, "/memory/classes/") {
				samples = append(samples, metrics.Sample{Name: d.Name})
			}
		}
		metrics.Read(samples)
		for _, s := range samples {
			out["go"+s.Name] = s.Value.Uint64()
		}
		st := libc.MemStat()
		out["libc_allocs"] = st.Allocs
		out["libc_bytes"] = st.Bytes
		out["libc_mmaps"] = st.Mmaps
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	})
}
