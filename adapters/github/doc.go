// Package github is the gateway's GitHub adapter: POST /github/webhook takes
// GitHub's webhook deliveries, signed with the webhook's secret
// (X-Hub-Signature-256, checked by go-github).
//
//   - ping answers 200;
//   - push reads each commit's message for directives (COMMANDS.md, "Commit
//     messages"): time spent ("spent 1h30m", "took: 45m", "@1h30m",
//     "#time 1h 30m"), closing keywords ("fixes #12", on the default branch
//     only) and "/log …" lines in the command language. They run as the
//     commit's author, matched by GitHub login, then e-mail, through user
//     identities; commits of unknown authors are skipped and reported;
//   - issues: opened adds the task "#N title", closed closes it,
//     reopened reopens it.
//
// Everything is applied once: a delivery id seen before adds nothing, and
// each directive is keyed by repository, commit id and position, so a
// redelivery under a new id, or the same commit pushed to another branch,
// adds nothing either.
package github
