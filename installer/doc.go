// Package installer makes the magister-notify tray start at login for the
// current user, without administrator rights, and registers magister-notify
// as the handler of m6loapp:// addresses so that a browser sign-in finishes by
// itself.
//
// Autostart is a systemd user unit or an XDG autostart entry on Linux, a
// LaunchAgent on macOS and a value under the per-user Run key on Windows (a
// Windows service runs in session 0, where it can show neither a tray icon
// nor a notification). Every operation is idempotent and leaves either the
// old installation or the new one, never half of one.
package installer
