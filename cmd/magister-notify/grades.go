package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
)

type childGrades struct {
	Child    string           `json:"child"`
	Grades   []magister.Grade `json:"grades"`
	Averages []subjectAverage `json:"averages,omitempty"`
}

// subjectAverage is a subject's weighted average of this school year.
type subjectAverage struct {
	Subject string  `json:"subject"`
	Average float64 `json:"average"`
}

// averages computes each subject's average from the year's grades, in the
// order subjects first appear.
func averages(year []magister.Grade) []subjectAverage {
	var order []string
	by := map[string][]magister.Grade{}
	for _, g := range year {
		name := def(g.Subject.Name, g.Subject.Code)
		if _, ok := by[name]; !ok {
			order = append(order, name)
		}
		by[name] = append(by[name], g)
	}
	var out []subjectAverage
	for _, name := range order {
		if avg, ok := magister.Average(by[name]); ok {
			out = append(out, subjectAverage{name, avg})
		}
	}
	return out
}

func (a *app) gradesCommand() *cobra.Command {
	var child string
	var top int
	cmd := &cobra.Command{
		Use:   "grades",
		Short: "Show the latest grades",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if top < 1 {
				return usageError{fmt.Errorf("-n %d: give how many grades to show per child (1 or more)", top)}
			}
			st, err := a.openStore("grades")
			if err != nil {
				return err
			}
			var accounts []state.Account
			if err := st.View(cmd.Context(), func(s state.State) error { accounts = s.Accounts; return nil }); err != nil {
				return err
			}
			if len(accounts) == 0 {
				return errNotLoggedIn
			}
			opener := a.accounts(st)
			out := []childGrades{}
			for _, acct := range accounts {
				src, err := opener.Open(cmd.Context(), acct)
				if err != nil {
					return err
				}
				for _, c := range acct.Children {
					if child != "" && !strings.EqualFold(child, c.FirstName) {
						continue
					}
					gs, err := src.LatestGradesPage(cmd.Context(), c.ID, top, 0)
					if err != nil {
						return fmt.Errorf("grades of %s: %w", c.FirstName, err)
					}
					cg := childGrades{Child: c.FirstName, Grades: gs}
					if gc, ok := src.(notifier.GradeContexter); ok {
						if year, err := gc.CurrentGrades(cmd.Context(), c.ID, time.Now()); err == nil {
							cg.Averages = averages(year)
						}
					}
					out = append(out, cg)
				}
			}
			if child != "" && len(out) == 0 {
				return fmt.Errorf("no child named %q is watched (see magister-notify whoami)", child)
			}
			color := isTerminal(a.stdout)
			return a.emit(out, func(p *printer) {
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
					if len(cg.Averages) > 0 {
						p.Line("Averages this school year:")
						for _, sa := range cg.Averages {
							p.Line("  %s\t%s", sa.Subject, strings.Replace(fmt.Sprintf("%.1f", sa.Average), ".", ",", 1))
						}
					}
				}
			})
		},
	}
	cmd.Flags().StringVar(&child, "child", "", "only this child (first name)")
	cmd.Flags().IntVarP(&top, "n", "n", 15, "how many grades per child")
	return cmd
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
