//go:build windows

package state

import "errors"

func limitFileSize(int64) { fail(errors.New("file size limits are not available on Windows")) }
