package tray

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/magister-notify/magister-notify/internal/plainfile"
	"github.com/magister-notify/magister-notify/state"
)

// DefaultLogSize is the size at which the log is rotated: the current file
// becomes magister-notify.log.1 (replacing the previous one), so the log
// never takes more than about twice this.
const DefaultLogSize = 1 << 20

// LogFile is a size-capped, append-only log file, safe for concurrent use.
// Give it to slog.NewTextHandler.
type LogFile struct {
	path string
	max  int64

	mu   sync.Mutex
	f    *os.File
	size int64
}

// OpenLog opens dir/magister-notify.log (mode 0600) for appending, rotating
// it once it reaches maxSize bytes (DefaultLogSize when zero or less).
func OpenLog(dir string, maxSize int64) (*LogFile, error) {
	if maxSize <= 0 {
		maxSize = DefaultLogSize
	}
	l := &LogFile{path: filepath.Join(dir, state.LogName), max: maxSize}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

// Path is the log file's path.
func (l *LogFile) Path() string { return l.path }

func (l *LogFile) open() error {
	// Never through a link: a planted one would get the log appended to
	// whatever it names.
	f, err := plainfile.Open(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("tray: open the log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("tray: open the log: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write appends p, rotating first when p would take the file past its cap.
func (l *LogFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return 0, fs.ErrClosed
	}
	if l.size > 0 && l.size+int64(len(p)) > l.max {
		if err := l.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := l.f.Write(p)
	l.size += int64(n)
	return n, err
}

// rotate moves the log to .1 and starts a new one. The file is closed
// first, which Windows needs to rename it.
func (l *LogFile) rotate() error {
	l.f.Close()
	l.f = nil
	if err := os.Rename(l.path, l.path+".1"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// Keep logging into the old file rather than losing lines.
		if oerr := l.open(); oerr != nil {
			return oerr
		}
		return nil
	}
	return l.open()
}

// Close closes the file.
func (l *LogFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
