// Package magister is a client for the (undocumented) Magister 6 web API: the
// OIDC login with PKCE for the mobile-app client M6LOAPP, token refresh and
// storage that is safe across processes, and typed reads of the data a
// notifier needs (grades, enrollments, appointments, messages, absences).
//
// The package knows nothing about state files or notifications. What is known
// about the API (endpoints, field names and casing, status and InfoType
// codes, the login flow, errors and rate limits, and how sure we are of
// each) is in API.md beside this file; the client is tolerant where the API
// is inconsistent (Items or items, PascalCase or camelCase, missing fields).
package magister
