package installer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	// handlerID is the desktop id of our m6loapp:// handler.
	handlerID  = serviceName + "-login.desktop"
	schemeMime = "x-scheme-handler/" + scheme
)

func handlerPath() (string, error) {
	data, err := dataHome()
	if err != nil {
		return "", err
	}
	return filepath.Join(data, "applications", handlerID), nil
}

// argv is the handler's command line without the %u field code.
func (h handlerConfig) argv() []string {
	return append([]string{h.exe}, handlerArgs(h.stateDir)...)
}

func registerHandler(ctx context.Context, h handlerConfig) (Result, error) {
	path, err := handlerPath()
	if err != nil {
		return Result{}, err
	}
	def, err := defaultApp(schemeMime)
	if err != nil {
		return Result{}, err
	}
	if def != "" && def != handlerID && !h.force {
		return Result{}, &ForeignHandlerError{App: def}
	}
	data, err := renderDesktop(handlerTemplate(), h.exe, h.argv()[1:], "%u")
	if err != nil {
		return Result{}, fmt.Errorf("installer: render %s: %w", path, err)
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Result{}, fmt.Errorf("installer: %w", err)
	}
	changed, err := writeFileAtomic(path, data, 0o644)
	if err != nil {
		return Result{}, err
	}
	how, defChanged, err := makeDefault(ctx, h.force)
	if err == nil && def != handlerID {
		// Check that the system now agrees, whichever way it was set.
		if def, err = defaultApp(schemeMime); err == nil && def != handlerID {
			err = fmt.Errorf("installer: %s still names %s as the handler of m6loapp:// addresses", how, def)
		}
	}
	if err != nil {
		// Leave the entry as it was.
		if old != nil {
			writeFileAtomic(path, old, 0o644)
		} else {
			removeFile(path)
		}
		return Result{}, err
	}
	return Result{Changed: changed || defChanged, Paths: []string{path}}.Saying(
		fmt.Sprintf("Registered magister-notify as the handler of m6loapp:// addresses: wrote %s and made it the default with %s. Undo with `magister-notify login --unregister-handler`.", path, how),
		fmt.Sprintf("magister-notify opent nu m6loapp://-adressen: %s is geschreven en met %s de standaard gemaakt. Ongedaan maken met `magister-notify login --unregister-handler`.", path, how)), nil
}

// makeDefault makes our entry the default handler: with xdg-mime when it is
// installed (it also tells KDE), else by editing mimeapps.list ourselves.
// With force, a desktop-specific list of the user that names another
// application is edited as well, since it takes precedence.
func makeDefault(ctx context.Context, force bool) (how string, changed bool, err error) {
	cfg, err := configHome()
	if err != nil {
		return "", false, err
	}
	ours := func(ids []string) []string {
		return append([]string{handlerID}, slices.DeleteFunc(ids, func(id string) bool { return id == handlerID })...)
	}
	if xdgMime, lerr := exec.LookPath("xdg-mime"); lerr == nil {
		before, _ := os.ReadFile(filepath.Join(cfg, "mimeapps.list"))
		ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, xdgMime, "default", handlerID, schemeMime).CombinedOutput()
		if err != nil {
			return "", false, fmt.Errorf("installer: xdg-mime default %s %s: %v: %s", handlerID, schemeMime, err, bytes.TrimSpace(out))
		}
		after, _ := os.ReadFile(filepath.Join(cfg, "mimeapps.list"))
		how, changed = "xdg-mime", !bytes.Equal(before, after)
	} else {
		list := filepath.Join(cfg, "mimeapps.list")
		if changed, err = editList(list, defaultGroup, schemeMime, ours); err != nil {
			return "", false, err
		}
		how = list
	}
	if force {
		for _, desk := range currentDesktops() {
			list := filepath.Join(cfg, desk+"-mimeapps.list")
			ids, err := listEntries(list, defaultGroup, schemeMime)
			if err != nil {
				return "", false, err
			}
			if len(ids) > 0 {
				c, err := editList(list, defaultGroup, schemeMime, ours)
				if err != nil {
					return "", false, err
				}
				changed = changed || c
			}
		}
	}
	return how, changed, nil
}

func unregisterHandler(ctx context.Context, h handlerConfig) (Result, error) {
	path, err := handlerPath()
	if err != nil {
		return Result{}, err
	}
	removed, err := removeFile(path)
	if err != nil {
		return Result{}, err
	}
	res := Result{}
	if removed {
		res.Changed, res.Paths = true, []string{path}
	}
	lists, err := userLists()
	if err != nil {
		return res, err
	}
	notOurs := func(ids []string) []string {
		return slices.DeleteFunc(ids, func(id string) bool { return id == handlerID })
	}
	for _, l := range lists {
		if _, err := os.Stat(l); err != nil {
			continue
		}
		for _, group := range []string{defaultGroup, addedGroup} {
			c, err := editList(l, group, schemeMime, notOurs)
			if err != nil {
				return res, err
			}
			if c && !slices.Contains(res.Paths, l) {
				res.Changed, res.Paths = true, append(res.Paths, l)
			}
		}
	}
	if res.Changed {
		res = res.Saying("Removed magister-notify as the handler of m6loapp:// addresses ("+strings.Join(res.Paths, ", ")+").",
			"magister-notify opent geen m6loapp://-adressen meer ("+strings.Join(res.Paths, ", ")+").")
	} else {
		res = res.Saying("magister-notify was not registered for m6loapp:// addresses; there was nothing to remove.",
			"magister-notify was niet ingesteld voor m6loapp://-adressen; er was niets te verwijderen.")
	}
	return res, nil
}

func handlerStatus(ctx context.Context, h handlerConfig) (HandlerState, error) {
	path, err := handlerPath()
	if err != nil {
		return HandlerState{}, err
	}
	st := HandlerState{Path: path}
	vals, err := desktopValues(path)
	switch {
	case err == nil:
		st.Command = vals["Exec"]
		st.Current = st.Command == desktopExec(h.argv(), "%u")
	case !errors.Is(err, fs.ErrNotExist):
		return st, fmt.Errorf("installer: read %s: %w", path, err)
	}
	if st.Default, err = defaultApp(schemeMime); err != nil {
		return st, err
	}
	st.Foreign = st.Default != "" && st.Default != handlerID
	st.Registered = st.Command != "" && st.Default == handlerID
	return st, nil
}
