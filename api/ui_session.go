package api

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// The web page's sessions: a cookie that holds the API token a person
// logged in with and the session's CSRF token, checked again on every
// request (authed).

// sessionCookie holds the session: see sessionValue.
const sessionCookie = "gateway_session"

// session is a logged-in request: the person and the CSRF token their
// forms must carry.
type session struct {
	actor core.Actor
	csrf  string
}

// uiHandler is a handler of a logged-in page.
type uiHandler func(w http.ResponseWriter, r *http.Request, sess session) error

// authed is page for a logged-in person: without a working session it
// shows the login page; a POST must carry the session's CSRF token.
func (u *webUI) authed(h uiHandler) http.Handler {
	return u.page(func(w http.ResponseWriter, r *http.Request) error {
		token, nonce, had := sessionOf(r)
		if token == "" {
			if had {
				u.clearCookie(w, r)
			}
			if r.URL.Path == "/ui/" && !had {
				return u.render(w, http.StatusOK, "login", loginView{uiView: uiView{Title: "Log in"}})
			}
			return core.Errorf(core.EUNAUTHORIZED, "Log in to continue.")
		}
		user, err := u.s.svc.Authenticate(r.Context(), token)
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			u.clearCookie(w, r)
			return core.Errorf(core.EUNAUTHORIZED, "Your session has ended: its token no longer works. Log in again.")
		}
		if err != nil {
			return err
		}
		sess := session{actor: core.Actor{User: user, Source: "ui"}, csrf: nonce}
		if r.Method == http.MethodPost &&
			subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(sess.csrf)) != 1 {
			return httpx.Errorf(http.StatusForbidden, core.EFORBIDDEN, "This form has expired or did not come from this page. Go back, reload and try again.")
		}
		return h(w, r, sess)
	})
}

// sessionValue is the session cookie's value: the base64url of the API
// token, a dot, and the session's CSRF token, 32 random bytes in hex made
// at login. Forms echo the CSRF token; another site can neither read the
// cookie nor guess the token, and the page shows nothing derived from the
// API token.
func sessionValue(token string) string {
	var nonce [32]byte
	_, _ = rand.Read(nonce[:])
	return base64.RawURLEncoding.EncodeToString([]byte(token)) + "." + hex.EncodeToString(nonce[:])
}

// sessionOf returns the API token and CSRF token of the request's session
// cookie (empty when it is malformed), and whether the request had the
// cookie at all.
func sessionOf(r *http.Request) (token, csrf string, had bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", "", false
	}
	enc, csrf, ok := strings.Cut(c.Value, ".")
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || len(b) == 0 || len(csrf) != 64 {
		return "", "", true
	}
	if _, err := hex.DecodeString(csrf); err != nil {
		return "", "", true
	}
	return string(b), csrf, true
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
	if _, err := u.s.svc.Authenticate(r.Context(), token); err != nil {
		if core.ErrorCode(err) == core.EUNAUTHORIZED {
			return core.Errorf(core.EUNAUTHORIZED, "That token is not valid. Check it and try again.")
		}
		return err
	}
	http.SetCookie(w, u.cookie(r, sessionValue(token)))
	return seeOther(w, r, "/ui/")
}

// logout clears the session cookie.
func (u *webUI) logout(w http.ResponseWriter, r *http.Request, _ session) error {
	u.clearCookie(w, r)
	return seeOther(w, r, "/ui/")
}
