package api

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// The console under /ui/: server-rendered HTML without JavaScript. Pages
// (ui_pages.go, ui_webhooks.go, ui_admin.go, ui_reports.go, ui_schedules.go)
// cover what the API does for a person: webhooks and their delivery log,
// incoming URLs, tokens, users, repository mappings, reports with their CSV
// downloads, scheduled reports and the viewer's reminder; a form with bad input comes back with 422 and
// the error beside its field (ui_forms.go).
//
// A person logs in with an API token; the session is a cookie that holds
// that token and a random CSRF token made at login (HttpOnly,
// SameSite=Strict, Path=/ui/, Secure over HTTPS), so nothing is kept in
// memory and any instance serves any session. Every request authenticates
// the token again, so deleting its user ends the session at once. Every
// POST is refused when it comes from another site (Sec-Fetch-Site or
// Origin), and every POST but the login must echo the CSRF token. The page
// reads and changes through the same core.Service and webhooks.Service
// calls as the API, so it sees exactly what the API would show the same
// token.

//go:embed ui_templates/*.html
var uiTemplateFiles embed.FS

//go:embed ui_static/*
var uiStaticFiles embed.FS

const (
	// maxFormBytes bounds a form body of the page (413 beyond).
	maxFormBytes = 64 << 10
	// uiEntries is how many time entries the dashboard shows.
	uiEntries = 20
	// uiAttempts is how many delivery attempts a webhook's log shows.
	uiAttempts = 50
	// uiCSP allows the page's own stylesheet and forms, nothing else: no
	// script, no framing.
	uiCSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// uiPages are the page templates, each the layout with one page's content.
var uiPages = parseUIPages("login", "dashboard", "log", "error", "webhook_form", "confirm", "incoming", "tokens", "users", "repositories", "reports", "schedules")

func parseUIPages(names ...string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for _, name := range names {
		out[name] = template.Must(template.New("layout.html").ParseFS(uiTemplateFiles,
			"ui_templates/layout.html", "ui_templates/parts.html", "ui_templates/"+name+".html"))
	}
	return out
}

// webUI serves the admin web page for a Server.
type webUI struct {
	s *Server
	// origins refuses cross-site POSTs.
	origins *http.CrossOriginProtection
	// secure marks cookies Secure whatever the request came over: the
	// public URL is https (a TLS-terminating proxy in front).
	secure bool
}

// newUI returns the web page's handlers. The origin of PublicURL is trusted
// beside the request's own host, for proxies that rewrite Host.
func (s *Server) newUI() *webUI {
	u := &webUI{s: s, origins: http.NewCrossOriginProtection()}
	if pu, err := url.Parse(strings.TrimSpace(s.opts.PublicURL)); err == nil && pu.Scheme != "" && pu.Host != "" {
		u.secure = strings.EqualFold(pu.Scheme, "https")
		_ = u.origins.AddTrustedOrigin(strings.ToLower(pu.Scheme + "://" + pu.Host))
	}
	return u
}

// page turns h into an http.Handler for a page: it sets the page's
// security headers, refuses a POST from another site or with a body too
// large or malformed, and renders a failure as a page (renderFailure).
func (u *webUI) page(h handlerFunc) http.Handler {
	return u.s.serve(func(w http.ResponseWriter, r *http.Request) error {
		hd := w.Header()
		hd.Set("Content-Security-Policy", uiCSP)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		if r.Method == http.MethodPost {
			if err := u.origins.Check(r); err != nil {
				return httpx.Errorf(http.StatusForbidden, core.EFORBIDDEN, "This form came from another site, so it was refused.")
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					return httpx.Errorf(http.StatusRequestEntityTooLarge, core.ELIMIT, "The form is larger than %d bytes.", maxFormBytes)
				}
				return httpx.Errorf(http.StatusBadRequest, core.EINVALID, "The form could not be read.")
			}
			if !validForm(r.PostForm) { // percent-escapes carry any byte; what is stored is UTF-8
				return httpx.Errorf(http.StatusBadRequest, core.EINVALID, "The form holds text that is not UTF-8.")
			}
		}
		return h(w, r)
	}, u.renderFailure)
}

// renderFailure renders a failure: unauthorized as the login page, anything
// else as an error page with its status.
func (u *webUI) renderFailure(w http.ResponseWriter, r *http.Request, e *httpx.Error) {
	status, msg := e.Status, e.Message
	if status == http.StatusUnauthorized {
		if rerr := u.render(w, status, "login", loginView{uiView: uiView{Title: "Log in"}, Message: msg}); rerr == nil {
			return
		}
		status, msg = http.StatusInternalServerError, "internal error"
	}
	v := errorView{uiView: uiView{Title: http.StatusText(status)}, Status: status, Message: msg}
	if rerr := u.render(w, status, "error", v); rerr != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// render executes a page template into a buffer, then writes it with the
// status: a template that fails writes nothing. Once the status is written
// there is nothing left to report, so a failed write (the client left) is
// not an error.
func (u *webUI) render(w http.ResponseWriter, status int, name string, v any) error {
	var buf bytes.Buffer
	if err := uiPages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s page: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// seeOther redirects a form's POST to a page (303: the browser GETs it).
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
