package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chatops/gateway/core"
)

// logTimes logs an hour ending now (at an exact end, as a commit does, so
// that the same hour may be logged again) for the chat identity subject and returns
// the entry's times as its answer shows them: in the time zone of the user
// the command ran as.
func logTimes(t *testing.T, f *fixture, svc *core.Service, subject string) string {
	t.Helper()
	now := f.clock.Now()
	res, err := svc.Execute(f.ctx, core.Actor{Source: "slack",
		Identity: &core.ChatIdentity{Provider: core.ProviderSlack, Subject: "T1:" + subject, Name: subject}},
		core.Log{Amount: core.Amount{Duration: time.Hour}, End: &now})
	if err != nil {
		t.Fatal(err)
	}
	loc := res.User.Location()
	return res.Entry.Start.In(loc).Format("15:04") + "–" + res.Entry.End.In(loc).Format("15:04")
}

const utcHour, tokyoHour = "14:00–15:00", "23:00–00:00" // 15:00 UTC is midnight in Tokyo

// setZone changes the time zone of the identity's user through svc.
func setZone(t *testing.T, f *fixture, svc *core.Service, admin core.Actor, subject, zone string) {
	t.Helper()
	u, err := svc.ResolveIdentity(f.ctx, core.ProviderSlack, "T1:"+subject, subject, "slack")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateUser(f.ctx, admin, u.ID, core.UserPatch{TimeZone: &zone}); err != nil {
		t.Fatal(err)
	}
}

func TestIdentityCacheForgetsOwnChanges(t *testing.T) {
	f := newFixture(t)
	admin := f.user("boss", core.RoleAdmin)
	for range 2 { // the first makes the user, the second caches them
		if got := logTimes(t, f, f.svc, "ana"); !strings.Contains(got, utcHour) {
			t.Fatalf("before: %q, want %s", got, utcHour)
		}
	}
	setZone(t, f, f.svc, admin, "ana", "Asia/Tokyo")
	if got := logTimes(t, f, f.svc, "ana"); !strings.Contains(got, tokyoHour) {
		t.Fatalf("after the change: %q, want %s", got, tokyoHour)
	}

	// A deleted user's identity is nobody's: the next command makes a new user.
	u, err := f.svc.ResolveIdentity(f.ctx, core.ProviderSlack, "T1:bea", "bea", "slack")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteUser(f.ctx, admin, u.ID); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Execute(f.ctx, core.Actor{Source: "slack",
		Identity: &core.ChatIdentity{Provider: core.ProviderSlack, Subject: "T1:bea", Name: "bea"}},
		core.AddProject{Project: "Bea's"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(res.Events, " "), core.EventWorkspaceUserCreated) {
		t.Fatalf("events %v: the deleted user was still cached", res.Events)
	}
}

// Another Service on the same store stands for another instance: its
// changes reach this one's cache only when the entry expires.
func TestIdentityCacheAcrossInstances(t *testing.T) {
	for _, tc := range []struct {
		name string
		ttl  time.Duration
	}{{"no cache", -1}, {"expiring cache", 20 * time.Millisecond}, {"long-lived cache", time.Hour}} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			admin := f.user("boss", core.RoleAdmin)
			mine := core.NewService(f.store, core.Options{Now: f.clock.Now, IdentityCacheTTL: tc.ttl})
			other := core.NewService(f.store, core.Options{Now: f.clock.Now})
			for range 2 {
				if got := logTimes(t, f, mine, "ana"); !strings.Contains(got, utcHour) {
					t.Fatalf("before: %q", got)
				}
			}
			setZone(t, f, other, admin, "ana", "Asia/Tokyo")
			got := logTimes(t, f, mine, "ana")
			switch {
			case tc.ttl < 0:
				if !strings.Contains(got, tokyoHour) {
					t.Fatalf("without a cache: %q, want %s at once", got, tokyoHour)
				}
			case tc.ttl == time.Hour:
				if !strings.Contains(got, utcHour) {
					t.Fatalf("with a long-lived cache: %q, want the cached %s", got, utcHour)
				}
			default:
				for deadline := time.Now().Add(5 * time.Second); !strings.Contains(got, tokyoHour); got = logTimes(t, f, mine, "ana") {
					if time.Now().After(deadline) {
						t.Fatalf("the change never reached the cache: %q", got)
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
}
