package api

import "net/http"

// Scheduled reports (chat `report … every`): listed and removed here.

// listSchedules lists scheduled reports: an admin's are all, a member's
// their own.
func (s *Server) listSchedules(w http.ResponseWriter, r *http.Request) error {
	return listOf(w, r, s.svc.ListSchedules)
}

// deleteSchedule removes one: an admin any, a member their own.
func (s *Server) deleteSchedule(w http.ResponseWriter, r *http.Request) error {
	return deleteOne(w, r, "schedule", s.svc.DeleteSchedule)
}
