package core

import (
	"context"
	"strings"
)

// RepositoryMapping is a GitHub repository and the project its commits and
// issues go to.
type RepositoryMapping struct {
	Repo    string
	Project Project
}

// RepositoryMappings lists the workspace's repository mappings, by
// repository; anyone logged in may read them, as RepositoryProject.
func (s *Service) RepositoryMappings(ctx context.Context, actor Actor) ([]RepositoryMapping, error) {
	var out []RepositoryMapping
	err := s.read(ctx, actor, func(tx Tx, ws ID) error {
		ms, err := tx.ListRepoProjects(ws)
		if err != nil {
			return err
		}
		for _, m := range ms {
			p, err := tx.Project(ws, m.ProjectID)
			if err != nil {
				return err
			}
			out = append(out, RepositoryMapping{Repo: m.Repo, Project: p})
		}
		return nil
	})
	return out, err
}

// ZoneNames lists the IANA time zone names (without links) and UTC first, for a
// form's suggestions.
func ZoneNames() []string {
	out := []string{"UTC"}
	for line := range strings.Lines(zoneList) {
		if kind, name, ok := strings.Cut(strings.TrimSpace(line), " "); ok && kind == "Z" {
			out = append(out, name)
		}
	}
	return out
}
