package api

import (
	"context"
	"net/http"

	"github.com/chatops/gateway/core"
	"github.com/chatops/gateway/internal/httpx"
)

// The handlers of the data: each reads its input, calls one core.Service
// method with the caller as actor, and answers the result. The generic
// helpers below hold the common shapes.

// listOf answers a page of what fn lists.
func listOf[T any](w http.ResponseWriter, r *http.Request, fn func(context.Context, core.Actor, core.Page) ([]T, core.ID, error)) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	items, next, err := fn(r.Context(), actorOf(r), p)
	if err != nil {
		return err
	}
	return writeList(w, items, next)
}

func writeList[T any](w http.ResponseWriter, items []T, next core.ID) error {
	if items == nil {
		items = []T{}
	}
	return httpx.APIJSON.Write(w, http.StatusOK, list[T]{Data: items, NextCursor: next})
}

// getOne answers the thing with the path's id.
func getOne[T any](w http.ResponseWriter, r *http.Request, kind string, fn func(context.Context, core.Actor, core.ID) (T, error)) error {
	id, err := pathID(r, kind)
	if err != nil {
		return err
	}
	v, err := fn(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, v)
}

// createOne decodes a body B, makes the thing with fn and answers it with
// 201.
func createOne[B, T any](w http.ResponseWriter, r *http.Request, fn func(context.Context, core.Actor, B) (T, error)) error {
	var body B
	if err := decode(w, r, &body); err != nil {
		return err
	}
	v, err := fn(r.Context(), actorOf(r), body)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusCreated, v)
}

// updateOne decodes a body B and changes the thing with the path's id.
func updateOne[B, T any](w http.ResponseWriter, r *http.Request, kind string, fn func(context.Context, core.Actor, core.ID, B) (T, error)) error {
	id, err := pathID(r, kind)
	if err != nil {
		return err
	}
	var body B
	if err := decode(w, r, &body); err != nil {
		return err
	}
	v, err := fn(r.Context(), actorOf(r), id, body)
	if err != nil {
		return err
	}
	return httpx.APIJSON.Write(w, http.StatusOK, v)
}

// deleteOne deletes the thing with the path's id and answers 204.
func deleteOne(w http.ResponseWriter, r *http.Request, kind string, fn func(context.Context, core.Actor, core.ID) error) error {
	id, err := pathID(r, kind)
	if err != nil {
		return err
	}
	if err := fn(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- clients

type nameBody struct {
	Name string `json:"name"`
}

type namePatchBody struct {
	Name *string `json:"name"`
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.svc.ListClients)
}

func (s *Server) getClient(w http.ResponseWriter, r *http.Request) error {
	return getOne(w, r, "client", s.svc.GetClient)
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request) error {
	return createOne(w, r, func(ctx context.Context, a core.Actor, b nameBody) (core.Client, error) {
		return s.svc.CreateClient(ctx, a, b.Name)
	})
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request) error {
	return updateOne(w, r, "client", func(ctx context.Context, a core.Actor, id core.ID, b namePatchBody) (core.Client, error) {
		return s.svc.UpdateClient(ctx, a, id, core.ClientPatch{Name: b.Name})
	})
}

func (s *Server) deleteClient(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "client", s.svc.DeleteClient)
}

// ---- projects

type projectBody struct {
	Name     string  `json:"name"`
	ClientID core.ID `json:"client_id"`
}

type projectPatchBody struct {
	Name     *string           `json:"name"`
	ClientID optional[core.ID] `json:"client_id"` // null removes the client
	Status   *string           `json:"status"`
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.svc.ListProjects)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) error {
	return getOne(w, r, "project", s.svc.GetProject)
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) error {
	return createOne(w, r, func(ctx context.Context, a core.Actor, b projectBody) (core.Project, error) {
		return s.svc.CreateProject(ctx, a, core.NewProject{Name: b.Name, ClientID: b.ClientID})
	})
}

func (s *Server) updateProject(w http.ResponseWriter, r *http.Request) error {
	return updateOne(w, r, "project", func(ctx context.Context, a core.Actor, id core.ID, b projectPatchBody) (core.Project, error) {
		return s.svc.UpdateProject(ctx, a, id, core.ProjectPatch{Name: b.Name, ClientID: b.ClientID.ptr(), Status: b.Status})
	})
}

func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "project", s.svc.DeleteProject)
}

// ---- tasks

type taskBody struct {
	Name      string  `json:"name"`
	ProjectID core.ID `json:"project_id"`
}

type taskPatchBody struct {
	Name   *string `json:"name"`
	Status *string `json:"status"`
}

// listTasks lists tasks, of one project with ?project_id=.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	pid, err := queryID(r, "project_id")
	if err != nil {
		return err
	}
	return listOf(w, r, func(ctx context.Context, a core.Actor, p core.Page) ([]core.Task, core.ID, error) {
		return s.svc.ListTasks(ctx, a, core.TaskFilter{ProjectID: pid}, p)
	})
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	return getOne(w, r, "task", s.svc.GetTask)
}

func (s *Server) createTask(w http.ResponseWriter, r *http.Request) error {
	return createOne(w, r, func(ctx context.Context, a core.Actor, b taskBody) (core.Task, error) {
		return s.svc.CreateTask(ctx, a, core.NewTask{Name: b.Name, ProjectID: b.ProjectID})
	})
}

func (s *Server) updateTask(w http.ResponseWriter, r *http.Request) error {
	return updateOne(w, r, "task", func(ctx context.Context, a core.Actor, id core.ID, b taskPatchBody) (core.Task, error) {
		return s.svc.UpdateTask(ctx, a, id, core.TaskPatch{Name: b.Name, Status: b.Status})
	})
}

func (s *Server) deleteTask(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "task", s.svc.DeleteTask)
}

// ---- tags

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.svc.ListTags)
}

func (s *Server) getTag(w http.ResponseWriter, r *http.Request) error {
	return getOne(w, r, "tag", s.svc.GetTag)
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) error {
	return createOne(w, r, func(ctx context.Context, a core.Actor, b nameBody) (core.Tag, error) {
		return s.svc.CreateTag(ctx, a, b.Name)
	})
}

func (s *Server) updateTag(w http.ResponseWriter, r *http.Request) error {
	return updateOne(w, r, "tag", func(ctx context.Context, a core.Actor, id core.ID, b namePatchBody) (core.Tag, error) {
		return s.svc.UpdateTag(ctx, a, id, core.TagPatch{Name: b.Name})
	})
}

func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "tag", s.svc.DeleteTag)
}
