package core

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A report link is the API's report URL with the report's exact
// parameters, the user it is for, its expiry and an HMAC-SHA256 signature
// over all of them: anyone holding it may fetch that one report, as that
// user, until it expires, with no token. Changing, adding or removing any
// parameter breaks the signature (forbidden); an expired link is
// ErrReportLinkExpired.

// ReportLinkTTL is how long a report link works.
const ReportLinkTTL = 15 * time.Minute

// ReportLinkPath is the path a report link points at: the API's reports.
const ReportLinkPath = "/api/v1/reports"

// reportLinkSecret names the stored secret report links are signed with.
const reportLinkSecret = "report_links"

// ErrReportLinkExpired is returned for a genuine report link past its
// expiry (the API answers 410 Gone).
var ErrReportLinkExpired = &Error{Code: EFORBIDDEN, Message: "this report link has expired (links work for 15 minutes); ask for a new one with `report … csv`"}

// errReportLinkBad is returned for a link that is not one the gateway
// signed, as it signed it.
var errReportLinkBad = &Error{Code: EFORBIDDEN, Message: "this report link is not valid: it was changed, cut short or signed by another gateway; ask for a new one with `report … csv`"}

// ReportLink is what a report link grants: the report Query of User, in
// Format ("csv" or "json"), until Expires.
type ReportLink struct {
	User    ID
	Query   ReportQuery
	Format  string
	Expires time.Time
}

// linkParams are a link's signed parameters, in the order they are signed.
var linkParams = []string{"from", "to", "group_by", "team", "format", "user", "expires"}

// values returns l's parameters, unsigned.
func (l ReportLink) values() url.Values {
	return url.Values{
		"from":     {l.Query.From.UTC().Format(time.RFC3339)},
		"to":       {l.Query.To.UTC().Format(time.RFC3339)},
		"group_by": {strings.Join(l.Query.GroupBy, ",")},
		"team":     {strconv.FormatBool(l.Query.Everyone)},
		"format":   {l.Format},
		"user":     {l.User.String()},
		"expires":  {strconv.FormatInt(l.Expires.Unix(), 10)},
	}
}

// linkMAC is the signature of a link's parameters: each value is
// length-prefixed, so no two sets of values sign alike.
func linkMAC(key []byte, v url.Values) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("gateway report link v1\n"))
	for _, p := range linkParams {
		s := v.Get(p)
		fmt.Fprintf(m, "%s=%d:%s\n", p, len(s), s)
	}
	return m.Sum(nil)
}

// SignReportLink returns the query of a link to l, signed with key.
func SignReportLink(key []byte, l ReportLink) url.Values {
	v := l.values()
	v.Set("signature", hex.EncodeToString(linkMAC(key, v)))
	return v
}

// OpenReportLink checks the query of a report link and returns what it
// grants. It is forbidden unless q holds exactly the signed parameters,
// each once, and the signature key made for them (compared in constant
// time); ErrReportLinkExpired when it is genuine but now is past its
// expiry.
func OpenReportLink(key []byte, q url.Values, now time.Time) (ReportLink, error) {
	var l ReportLink
	if len(q) != len(linkParams)+1 {
		return l, errReportLinkBad
	}
	for name, vs := range q {
		if len(vs) != 1 || name != "signature" && !slices.Contains(linkParams, name) {
			return l, errReportLinkBad
		}
	}
	sig, err := hex.DecodeString(q.Get("signature"))
	if err != nil || !hmac.Equal(sig, linkMAC(key, q)) {
		return l, errReportLinkBad
	}
	// Signed by this gateway: the values are as it wrote them. They are
	// read carefully all the same.
	from, err1 := time.Parse(time.RFC3339, q.Get("from"))
	to, err2 := time.Parse(time.RFC3339, q.Get("to"))
	groupBy, err3 := ParseGroupBy([]string{q.Get("group_by")})
	team, err4 := strconv.ParseBool(q.Get("team"))
	user, err5 := ParseID(q.Get("user"))
	exp, err6 := strconv.ParseInt(q.Get("expires"), 10, 64)
	format := q.Get("format")
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil || err5 != nil || err6 != nil ||
		!to.After(from) || format != "csv" && format != "json" {
		return l, errReportLinkBad
	}
	l = ReportLink{User: user, Query: ReportQuery{From: from.UTC(), To: to.UTC(), GroupBy: groupBy, Everyone: team},
		Format: format, Expires: time.Unix(exp, 0).UTC()}
	if !now.Before(l.Expires) {
		return l, ErrReportLinkExpired
	}
	return l, nil
}

// ReportLink returns a link to the report q of actor, in format ("csv" or
// "json"), that works for ReportLinkTTL without a token, and when it
// expires. The link starts with Options.PublicURL. Invalid for a bad query
// or format; forbidden for everyone's report unless actor is an admin.
func (s *Service) ReportLink(ctx context.Context, actor Actor, q ReportQuery, format string) (string, time.Time, error) {
	if err := CheckGroupBy(q.GroupBy); err != nil {
		return "", time.Time{}, err
	}
	if len(q.GroupBy) == 0 {
		q.GroupBy = []string{GroupProject}
	}
	if !q.To.After(q.From) {
		return "", time.Time{}, Errorf(EINVALID, "to must be after from")
	}
	if format != "csv" && format != "json" {
		return "", time.Time{}, Errorf(EINVALID, "format %q is not csv or json", format)
	}
	if q.Everyone && actor.User.Role != RoleAdmin {
		return "", time.Time{}, Errorf(EFORBIDDEN, "only an admin may see everyone's time")
	}
	if actor.User.ID == 0 {
		return "", time.Time{}, Errorf(EUNAUTHORIZED, "no user")
	}
	key, err := s.reportLinkKey(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	exp := s.Now().Add(ReportLinkTTL).Truncate(time.Second)
	v := SignReportLink(key, ReportLink{User: actor.User.ID, Query: q, Format: format, Expires: exp})
	return strings.TrimRight(s.opts.PublicURL, "/") + ReportLinkPath + "?" + v.Encode(), exp, nil
}

// OpenReportLink checks a report link's query (OpenReportLink) and returns
// the actor it acts as, with what it grants. Forbidden when the link is not
// genuine, its user is gone, or it is for everyone's report and its user is
// no longer an admin; ErrReportLinkExpired when it expired.
func (s *Service) OpenReportLink(ctx context.Context, q url.Values) (Actor, ReportLink, error) {
	key, err := s.reportLinkKey(ctx)
	if err != nil {
		return Actor{}, ReportLink{}, err
	}
	l, err := OpenReportLink(key, q, s.Now())
	if err != nil {
		return Actor{}, l, err
	}
	ws, err := s.Workspace(ctx)
	if err != nil {
		return Actor{}, l, err
	}
	var u User
	err = s.store.View(ctx, func(tx Tx) error {
		u, err = tx.User(ws.ID, l.User)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return Actor{}, l, Errorf(EFORBIDDEN, "this report link's user no longer exists")
	}
	if err != nil {
		return Actor{}, l, err
	}
	if l.Query.Everyone && u.Role != RoleAdmin {
		return Actor{}, l, Errorf(EFORBIDDEN, "this report link covers everyone's time, and its user is no longer an admin")
	}
	return Actor{User: u, Source: "link"}, l, nil
}

// reportLinkKey returns the key report links are signed with:
// Options.ReportLinkKey, or the secret stored once for every instance.
func (s *Service) reportLinkKey(ctx context.Context) ([]byte, error) {
	if len(s.opts.ReportLinkKey) > 0 {
		return s.opts.ReportLinkKey, nil
	}
	s.linkKeyMu.Lock()
	defer s.linkKeyMu.Unlock()
	if s.linkKey != nil {
		return s.linkKey, nil
	}
	var fresh [32]byte
	_, _ = rand.Read(fresh[:])
	var stored string
	err := s.store.Update(ctx, func(tx Tx) (err error) {
		stored, err = tx.Secret(reportLinkSecret, hex.EncodeToString(fresh[:]), s.Now())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("report link key: %w", err)
	}
	s.linkKey = []byte(stored)
	return s.linkKey, nil
}

// reportCSV answers report … csv: a link to the report as CSV, of the
// actor's own time by project over the period (in their zone). The result's
// Report has the period's title and span, and no rows.
func (s *Service) reportCSV(ctx context.Context, actor Actor, c Report) (*Result, error) {
	loc := actor.User.Location()
	now := s.Now()
	from, to, err := c.Period.Resolve(now, loc)
	if err != nil {
		return nil, err
	}
	by := c.By
	if by == "" {
		by = GroupProject
	}
	link, exp, err := s.ReportLink(ctx, actor, ReportQuery{From: from, To: to, GroupBy: []string{by}, Everyone: c.Team}, "csv")
	if err != nil {
		return nil, err
	}
	sum := &Summary{Title: PeriodTitle(c.Period, from, loc), From: from.UTC(), To: to.UTC(), By: c.By, Team: c.Team, Rows: []SummaryRow{}}
	return &Result{Command: "report", Report: sum, Link: link, LinkExpires: exp, User: actor.User, At: now}, nil
}
