package api

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// The handlers of incoming hooks (/incoming) and of GitHub repository
// mappings (/github/repositories/{owner}/{name}).

// incomingBody creates an incoming hook; the name is optional.
type incomingBody struct {
	Name string `json:"name"`
}

// incomingAnswer is what POST /incoming answers: the hook, its token and
// its full URL, shown only this once.
type incomingAnswer struct {
	core.IncomingHook
	Token string `json:"token"`
	URL   string `json:"url"`
}

func (s *Server) listIncoming(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.svc.ListIncomingHooks)
}

// createIncoming makes an incoming hook owned by the caller and answers 201
// with its URL, GATEWAY_PUBLIC_URL + /hooks/TOKEN. The body may be empty.
func (s *Server) createIncoming(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var in incomingBody
	if len(bytes.TrimSpace(body)) > 0 {
		if err := decodeJSON(body, &in); err != nil {
			return err
		}
	}
	token, h, err := s.svc.CreateIncomingHook(r.Context(), actorOf(r), in.Name)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusCreated, incomingAnswer{IncomingHook: h, Token: token, URL: s.hookURL(r, token)})
}

// hookURL is the full URL of a hook: PublicURL + /hooks/TOKEN, or, without
// a PublicURL, the URL the request came to.
func (s *Server) hookURL(r *http.Request, token string) string {
	base := strings.TrimRight(s.opts.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	return base + "/hooks/" + token
}

func (s *Server) deleteIncoming(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "incoming hook", s.svc.DeleteIncomingHook)
}

// repositoryBody maps a repository to a project, by name.
type repositoryBody struct {
	Project string `json:"project"`
}

// repositoryAnswer is a repository's project; Mapped is false when the
// project is the default one, named like the repository.
type repositoryAnswer struct {
	Repository string       `json:"repository"`
	Mapped     bool         `json:"mapped"`
	Project    core.Project `json:"project"`
}

// repoOf returns the {owner}/{name} of the request's path.
func repoOf(r *http.Request) string {
	v := mux.Vars(r)
	return v["owner"] + "/" + v["name"]
}

// getRepository answers the project a repository's commits and issues go
// to.
func (s *Server) getRepository(w http.ResponseWriter, r *http.Request) error {
	repo := repoOf(r)
	p, mapped, err := s.svc.RepositoryProject(r.Context(), actorOf(r), repo)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, repositoryAnswer{Repository: repo, Mapped: mapped, Project: p})
}

// putRepository maps a repository to the project {"project": NAME}
// (admins only), creating the project when missing.
func (s *Server) putRepository(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	if a.User.Role != core.RoleAdmin {
		return core.Errorf(core.EFORBIDDEN, "only admins can map repositories")
	}
	var in repositoryBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	repo := repoOf(r)
	p, err := s.svc.MapRepository(r.Context(), a, repo, in.Project)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, repositoryAnswer{Repository: repo, Mapped: true, Project: p})
}
