package webhooks_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/delivery/deliverytest"
	"github.com/chatops/gateway/webhooks"
)

// A subscription's sizes: name 200 code points, events 100 filters of 100
// characters at most, URL 2,048; each one over is invalid (422), on create
// and on PATCH.
func TestSubscriptionSizeLimits(t *testing.T) {
	e := deliverytest.New(t)
	base := "https://127.0.0.1/"
	filters := func(n int, each string) json.RawMessage {
		fs := make([]string, n)
		for i := range fs {
			fs[i] = each
		}
		return deliverytest.Events(fs...)
	}
	long100 := "*." + strings.Repeat("a", core.MaxEventFilterChars-2)
	for name, tc := range map[string]struct {
		in webhooks.Input
		ok bool
	}{
		"name 200":    {webhooks.Input{Name: strings.Repeat("é", core.MaxNameChars), URL: base, Events: deliverytest.Events("*")}, true},
		"name 201":    {webhooks.Input{Name: strings.Repeat("é", core.MaxNameChars+1), URL: base, Events: deliverytest.Events("*")}, false},
		"100 filters": {webhooks.Input{URL: base, Events: filters(core.MaxEventFilters, "tracker.*")}, true},
		"101 filters": {webhooks.Input{URL: base, Events: filters(core.MaxEventFilters+1, "tracker.*")}, false},
		"filter 101":  {webhooks.Input{URL: base, Events: deliverytest.Events(long100 + "a")}, false},
		"object 101": {webhooks.Input{URL: base, Events: json.RawMessage(fmt.Sprintf(`[{"entity": "*", "action": %q}]`,
			strings.Repeat("a", core.MaxEventFilterChars-1)))}, false},
		"url 2048": {webhooks.Input{URL: base + strings.Repeat("a", core.MaxURLChars-len(base)), Events: deliverytest.Events("*")}, true},
		"url 2049": {webhooks.Input{URL: base + strings.Repeat("a", core.MaxURLChars-len(base)+1), Events: deliverytest.Events("*")}, false},
		"slack url 2049": {webhooks.Input{URL: "slack:" + strings.Repeat("C", core.MaxURLChars), Format: core.FormatSlack,
			Events: deliverytest.Events("*")}, false},
	} {
		_, err := e.Hooks.Create(e.Ctx, e.Admin, tc.in)
		if tc.ok && err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !tc.ok && (core.ErrorCode(err) != core.EINVALID || !strings.Contains(err.Error(), "longer than") && !strings.Contains(err.Error(), "at most")) {
			t.Errorf("%s: %v, want invalid for its size", name, err)
		}
	}
	sub := e.Create(e.Admin, webhooks.Input{URL: base, Events: deliverytest.Events("*")})
	longName := strings.Repeat("n", core.MaxNameChars+1)
	if _, err := e.Hooks.Update(e.Ctx, e.Admin, sub.ID, webhooks.Patch{Name: &longName}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("PATCH name 201: %v, want invalid", err)
	}
	if _, err := e.Hooks.Update(e.Ctx, e.Admin, sub.ID, webhooks.Patch{Events: filters(core.MaxEventFilters+1, "*")}); core.ErrorCode(err) != core.EINVALID {
		t.Errorf("PATCH 101 filters: %v, want invalid", err)
	}
}
