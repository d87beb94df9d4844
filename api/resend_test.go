package api_test

import (
	"net/http"
	"testing"

	"github.com/chatops/gateway/core"
)

// TestWebhooksAPIResend resends one delivery to a real receiver: it gets
// the same event again, with the same webhook-id and a valid signature;
// the answer is {"queued": 1}. Members resend only their own webhooks'
// deliveries; an admin any; a delivery of another webhook is not found.
func TestWebhooksAPIResend(t *testing.T) {
	e := newHookEnv(t)
	rc := newHookReceiver(t)
	rc.setReply(echoCode)
	created := e.ok("POST", "/api/v1/webhooks", e.member, `{"url":"`+rc.URL()+`","events":["project.created"]}`, 201)
	hid, secret := hookStr(created, "id"), hookStr(created, "secret")
	bobs := hookStr(e.ok("POST", "/api/v1/webhooks", e.other, `{"url":"`+rc.URL()+`/bob","events":["project.created"]}`, 201), "id")
	e.pump()
	rc.take() // the pings

	e.do(e.mia, core.AddProject{Project: "Alpha"})
	e.do(e.mia, core.AddProject{Project: "Beta"})
	e.pump()
	first := rc.take()
	if len(first) != 2 {
		t.Fatalf("first deliveries %v", hookTypes(first))
	}
	log := hookList(t, e.ok("GET", "/api/v1/webhooks/"+hid+"/deliveries", e.member, "", 200))
	var did, eventID string
	for _, a := range log {
		if a["event_type"] == "project.created" {
			did, eventID = jsonID(a["delivery_id"]), hookStr(a, "event_id")
			break
		}
	}
	if did == "" || eventID == "" {
		t.Fatalf("no project.created delivery in the log %v", log)
	}

	m := e.ok("POST", "/api/v1/webhooks/"+hid+"/deliveries/"+did+"/resend", e.member, "", http.StatusOK)
	if len(m) != 1 || m["queued"] != 1.0 {
		t.Fatalf("resend answered %v, want {\"queued\": 1}", m)
	}
	e.pump()
	again := rc.take()
	if len(again) != 1 {
		t.Fatalf("resend delivered %v, want one", hookTypes(again))
	}
	if got := again[0].header.Get("webhook-id"); got != eventID {
		t.Errorf("resent webhook-id %q, want the original %q", got, eventID)
	}
	verifySigned(t, again[0], secret, secret)
	// The log has the new attempt of the same delivery.
	log = hookList(t, e.ok("GET", "/api/v1/webhooks/"+hid+"/deliveries", e.member, "", 200))
	if jsonID(log[0]["delivery_id"]) != did || hookStr(log[0], "event_id") != eventID {
		t.Errorf("newest attempt %v, want one of delivery %s", log[0], did)
	}

	// An admin may resend it too; body ignored.
	e.ok("POST", "/api/v1/webhooks/"+hid+"/deliveries/"+did+"/resend", e.admin, `{}`, http.StatusOK)
	e.pump()
	if got := rc.take(); len(got) != 1 || got[0].header.Get("webhook-id") != eventID {
		t.Errorf("admin's resend delivered %v", hookTypes(got))
	}

	// Others: not found, and nothing queued.
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/deliveries/"+did+"/resend", e.other, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+bobs+"/deliveries/"+did+"/resend", e.other, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+bobs+"/deliveries/"+did+"/resend", e.admin, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/deliveries/999999/resend", e.member, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/deliveries/abc/resend", e.member, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/deliveries/+"+did+"/resend", e.member, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/deliveries/%23"+did+"/resend", e.member, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/999/deliveries/"+did+"/resend", e.member, "", 404, core.ENOTFOUND)
	e.refuse("POST", "/api/v1/webhooks/"+hid+"/deliveries/"+did+"/resend", "", "", 401, core.EUNAUTHORIZED)
	e.pump()
	if got := rc.take(); len(got) != 0 {
		t.Errorf("refused resends delivered %v", hookTypes(got))
	}
}

// jsonID is an id of a JSON answer as a string.
func jsonID(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return core.ID(v).String()
	}
	return ""
}
