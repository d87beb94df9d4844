package api

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// The web page's sessions are kept on the server (core.Service.StartSession):
// the cookie holds a random session id, never the API token; the session
// ends when it expires (GATEWAY_SESSION_TTL), at logout, or when the token
// it was opened with is revoked. Its CSRF token is derived from the id.

// sessionCookie holds the session: see sessionValue.
const sessionCookie = "gateway_session"

// session is a logged-in request: the person and the CSRF token their
// forms must carry.
type session struct {
	actor core.Actor
	csrf  string
	id    string // the session id, from the cookie
}

// uiHandler is a handler of a logged-in page.
type uiHandler func(w http.ResponseWriter, r *http.Request, sess session) error

// authed is page for a logged-in person: without a working session it
// shows the login page; a POST must carry the session's CSRF token.
func (u *webUI) authed(h uiHandler) http.Handler {
	return u.page(func(w http.ResponseWriter, r *http.Request) error {
		id, had := sessionOf(r)
		if id == "" {
			if had {
				u.clearCookie(w, r)
			}
			if r.URL.Path == "/ui/" && !had {
				return u.render(w, http.StatusOK, "login", loginView{uiView: uiView{Title: "Log in"}})
			}
			return core.Errorf(core.EUNAUTHORIZED, "Log in to continue.")
		}
		user, err := u.s.svc.SessionUser(r.Context(), id)
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			u.clearCookie(w, r)
			return core.Errorf(core.EUNAUTHORIZED, "Your session has ended. Log in again.")
		}
		if err != nil {
			return err
		}
		sess := session{actor: core.Actor{User: user, Source: "ui"}, csrf: csrfOf(id), id: id}
		if r.Method == http.MethodPost &&
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.csrf)) != 1 {
			return httpx.Errorf(http.StatusForbidden, core.EFORBIDDEN, "This form has expired or did not come from this page. Go back, reload and try again.")
		}
		return h(w, r, sess)
	})
}

// sessionOf returns the session id of the request's cookie ("" when it is
// malformed), and whether the request had the cookie at all.
func sessionOf(r *http.Request) (id string, had bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	if len(c.Value) < 16 || len(c.Value) > 128 {
		return "", true
	}
	return c.Value, true
}

// csrfOf is the CSRF token of a session: forms echo it; another site can
// neither read the cookie nor work it out, and it tells nothing of the id.
func csrfOf(id string) string {
	return core.HashToken("csrf:" + id)
}

// cookie returns the session cookie with a value; Secure when the request
// came over TLS or the public URL is https.
func (u *webUI) cookie(r *http.Request, value string) *http.Cookie {
	return &http.Cookie{Name: sessionCookie, Value: value, Path: "/ui/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: u.secure || r.TLS != nil}
}

func (u *webUI) clearCookie(w http.ResponseWriter, r *http.Request) {
	c := u.cookie(r, "")
	c.MaxAge = -1
	http.SetCookie(w, c)
}

// loginPage answers GET /ui/login: the login form lives at /ui/.
func (u *webUI) loginPage(w http.ResponseWriter, r *http.Request) error {
	return seeOther(w, r, "/ui/")
}

// login checks the token of the login form: a good one sets the session
// cookie and goes to the dashboard, a wrong one shows the form again with
// 401. The token is never logged.
func (u *webUI) login(w http.ResponseWriter, r *http.Request) error {
	token := strings.TrimSpace(r.PostForm.Get("token"))
	if token == "" {
		return core.Errorf(core.EUNAUTHORIZED, "Enter an API token.")
	}
	id, _, err := u.s.svc.StartSession(r.Context(), token)
	if err != nil {
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			return core.Errorf(core.EUNAUTHORIZED, "That token is not valid. Check it and try again.")
		}
		return err
	}
	http.SetCookie(w, u.cookie(r, id))
	return seeOther(w, r, "/ui/")
}

// logout ends the session on the server and clears the cookie.
func (u *webUI) logout(w http.ResponseWriter, r *http.Request, sess session) error {
	if err := u.s.svc.EndSession(r.Context(), sess.id); err != nil {
		return err
	}
	u.clearCookie(w, r)
	return seeOther(w, r, "/ui/")
}
