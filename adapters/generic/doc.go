// Package generic is the gateway's incoming hook adapter: POST /hooks/{token}
// lets anything that can POST JSON or a form run commands as the hook's
// owner. A call carries either "text", a command line in the command
// language, or "action", one of TrackingTime's eight incoming events
// (project.add, project.close, task.add, task.close, task.track, task.stop,
// time_entry.add, time_entry.delete) with its fields. The hook's owner acts,
// unless "user" names another user and the owner is an admin.
//
// Answers: 200 {"ok": true, "result": …}; an unknown token 404; a body that
// cannot be read 400; an unknown action, a missing or wrong field, or a
// broken rule 422, with {"error": {"code", "message", "field"}}.
package generic
