package main

import "github.com/magister-notify/magister-notify/notifier"

// validateSinks checks sink specs before they are saved.
func validateSinks(specs []string) error {
	_, err := notifier.ParseSinks(specs)
	return err
}
