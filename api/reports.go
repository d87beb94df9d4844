package api

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// Reports (CONTRACT §8): GET /api/v1/reports, as JSON or CSV, and the
// signed links that chat's report … csv hands out. The rules are in core
// (ReportTotals, ParseReportQuery, WriteReportCSV, OpenReportLink); this
// file only reads the request and writes the answer.

// reports answers GET /api/v1/reports. With a bearer token: the caller's
// report over ?from= … ?to=, grouped by ?group_by= (an admin's covers
// everyone); with a report link's parameters (?signature=…), the one
// report the link was made for, without a token: 403 when the link was
// changed, 410 when it expired.
func (s *Server) reports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if q.Has("signature") {
		return s.reportByLink(w, r, q)
	}
	return s.withActor(s.reportForCaller)(w, r)
}

func (s *Server) reportForCaller(w http.ResponseWriter, r *http.Request) error {
	actor := actorOf(r)
	q := r.URL.Query()
	format, err := responseFormat(r)
	if err != nil {
		return err
	}
	rq, err := core.ParseReportQuery(q, s.svc.Now(), actor.User.Location())
	if err != nil {
		return malformed(err)
	}
	rq.Everyone = actor.User.Role == core.RoleAdmin
	rep, err := s.svc.ReportTotals(r.Context(), actor, rq)
	if err != nil {
		return err
	}
	return writeReport(w, rep, format)
}

func (s *Server) reportByLink(w http.ResponseWriter, r *http.Request, q url.Values) error {
	actor, link, err := s.svc.OpenReportLink(r.Context(), q)
	if errors.Is(err, core.ErrReportLinkExpired) {
		return &httpx.Error{Status: http.StatusGone, Code: core.EFORBIDDEN, Message: core.ErrorMessage(err)}
	}
	if err != nil {
		return err
	}
	rep, err := s.svc.ReportTotals(r.Context(), actor, link.Query)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	return writeReport(w, rep, link.Format)
}

// writeReport answers rep as JSON or as CSV.
func writeReport(w http.ResponseWriter, rep *core.ReportTotals, format string) error {
	if format != "csv" {
		return httpx.APIJSON.Write(w, http.StatusOK, rep)
	}
	name := fmt.Sprintf("report-%s-%s.csv", rep.From.Format("20060102T1504Z"), rep.To.Format("20060102T1504Z"))
	return writeCSV(w, name, func(b *bytes.Buffer) error { return core.WriteReportCSV(b, rep) })
}

// writeCSV answers what write writes as a CSV download named name. The
// whole body is made before anything is sent, so a failure is answered
// as one, never as half a file.
func writeCSV(w http.ResponseWriter, name string, write func(*bytes.Buffer) error) error {
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes()) // a client that left is no failure of ours
	return nil
}

// responseFormat reads ?format= (json or csv); without it, an Accept
// header that names text/csv before application/json asks for CSV.
func responseFormat(r *http.Request) (string, error) {
	q := r.URL.Query()
	if vs := q["format"]; len(vs) > 0 {
		f := strings.ToLower(strings.TrimSpace(vs[0]))
		if len(vs) > 1 || f != "json" && f != "csv" {
			return "", badRequest("format must be json or csv, once, not %q", strings.Join(vs, ","))
		}
		return f, nil
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/csv":
			return "csv", nil
		case "application/json":
			return "json", nil
		}
	}
	return "json", nil
}

// malformed turns a parameter's invalid error into a 400 with its reason.
func malformed(err error) error {
	if core.ErrorCode(err) != core.EINVALID {
		return err
	}
	return &httpx.Error{Status: http.StatusBadRequest, Code: core.EINVALID, Message: core.ErrorMessage(err), Err: err}
}

// listEntriesCSV answers the entries f selects as CSV, all of them (not
// paged), with the visibility of listEntries.
func (s *Server) listEntriesCSV(w http.ResponseWriter, r *http.Request, f core.EntryFilter) error {
	rows, err := s.svc.EntryRows(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	return writeCSV(w, "time-entries.csv", func(b *bytes.Buffer) error { return core.WriteEntriesCSV(b, rows) })
}
