//go:build pprof

package main

// Built only with -tags pprof (for profiling under the load tool): serves
// net/http/pprof on 127.0.0.1:GATEWAY_PPROF_PORT (default 6060). The
// default build has no such listener and no such setting.

import (
	"fmt"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

func init() {
	port := os.Getenv("GATEWAY_PPROF_PORT")
	if port == "" {
		port = "6060"
	}
	runtime.SetBlockProfileRate(10000)
	runtime.SetMutexProfileFraction(10)
	go func() {
		if err := http.ListenAndServe("127.0.0.1:"+port, nil); err != nil {
			fmt.Fprintln(os.Stderr, "gateway: pprof:", err)
		}
	}()
}
