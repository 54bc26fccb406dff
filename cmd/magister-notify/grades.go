package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/magister"
)

type childGrades struct {
	Child  string           `json:"child"`
	Grades []magister.Grade `json:"grades"`
}

// gradesOptions are the flags of `grades`.
type gradesOptions struct {
	child string // only this child (first name); "" for all
	top   int    // grades per child
}

func (a *app) gradesCommand() *cobra.Command {
	var o gradesOptions
	cmd := &cobra.Command{
		Use:   "grades",
		Short: "Show the latest grades",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.runGrades(cmd.Context(), o) },
	}
	cmd.Flags().StringVar(&o.child, "child", "", "only this child (first name)")
	cmd.Flags().IntVarP(&o.top, "n", "n", 15, "how many grades per child")
	return cmd
}

func (a *app) runGrades(ctx context.Context, o gradesOptions) error {
	st, s, err := a.loadState(ctx, "grades")
	if err != nil {
		return err
	}
	if len(s.Accounts) == 0 {
		return errNotLoggedIn
	}
	opener := a.accounts(st)
	out := []childGrades{}
	for _, acct := range s.Accounts {
		src, err := opener.Open(ctx, acct)
		if err != nil {
			return err
		}
		for _, c := range acct.Children {
			if o.child != "" && !strings.EqualFold(o.child, c.FirstName) {
				continue
			}
			gs, err := src.LatestGradesPage(ctx, c.ID, o.top, 0)
			if err != nil {
				return fmt.Errorf("grades of %s: %w", c.FirstName, err)
			}
			out = append(out, childGrades{Child: c.FirstName, Grades: gs})
		}
	}
	if o.child != "" && len(out) == 0 {
		return fmt.Errorf("no child named %q is watched (see magister-notify whoami)", o.child)
	}
	color := isTerminal(a.stdout)
	return a.emit(out, func(p *printer) { printGrades(p, out, color) })
}

// printGrades lists each child's grades, an insufficient one in red (or
// marked with "(!)" when color is off).
func printGrades(p *printer, out []childGrades, color bool) {
	for i, cg := range out {
		if len(out) > 1 {
			if i > 0 {
				p.Line("")
			}
			p.Line("%s", cg.Child)
		}
		if len(cg.Grades) == 0 {
			p.Line("No grades yet.")
		}
		for _, g := range cg.Grades {
			value := g.Value
			if g.IsUnsatisfactory() {
				if color {
					value = "\x1b[1;31m" + value + "\x1b[0m"
				} else {
					value += " (!)"
				}
			}
			weight := ""
			if g.Weight > 0 {
				weight = fmt.Sprintf("×%g", g.Weight)
			}
			p.Line("%s\t%s\t%s\t%s\t%s", g.EnteredAt.Local().Format("2006-01-02"),
				def(g.Subject.Name, g.Subject.Code), value, weight, g.Description)
		}
	}
}

// isTerminal reports whether w is a terminal (for colour).
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("NO_COLOR") == ""
}
