// Package magister is a client for the (undocumented) Magister 6 web API: the
// OIDC login with PKCE for the mobile-app client M6LOAPP, token refresh and
// storage that is safe across processes, and typed reads of the data a
// notifier needs (grades, enrollments, appointments, messages, absences).
//
// The package knows nothing about state files or notifications. Facts about
// the API live in magister-api.md in the project's shared notes; the client is
// tolerant where the API is inconsistent (Items or items, PascalCase or
// camelCase, missing fields).
package magister
