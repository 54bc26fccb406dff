// Package magistertest runs a fake Magister 6 school on loopback: the accounts
// endpoints (OIDC authorization code with PKCE, strictly rotating refresh
// tokens) and the /api endpoints a notifier reads, seeded with a fictitious
// family and a student, with controls to change grades, lessons and messages,
// expire or revoke tokens and inject failures.
//
// Tests of the magister client embed it with [New]; cmd/magister-fake serves it
// as a stand-alone process with [Listen]. The same controls are reachable over
// HTTP under /_fake/ so that scripts and other processes can drive it.
//
// The fake is not a security boundary: /connect/authorize signs in at once,
// without a login page. Never point it at real accounts or real data.
package magistertest
