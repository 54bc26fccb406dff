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
	if o.top < 1 {
		return usageError{fmt.Errorf(a.say("-n %d: give how many grades to show per child (1 or more)",
			"-n %d: geef op hoeveel cijfers per kind (1 of meer)"), o.top)}
	}
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
				return fmt.Errorf(a.say("grades of %s: %w", "cijfers van %s: %w"), c.FirstName, err)
			}
			cg := childGrades{Child: c.FirstName, Grades: gs}
			if year, err := src.CurrentGrades(ctx, c.ID, a.now()); err == nil {
				cg.Averages = averages(year)
			}
			out = append(out, cg)
		}
	}
	if o.child != "" && len(out) == 0 {
		return fmt.Errorf(a.say("no child named %q is watched (see magister-notify whoami)",
			"er wordt geen kind met de naam %q gevolgd (zie magister-notify whoami)"), o.child)
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
			p.Line("%s", p.say("No grades yet.", "Nog geen cijfers."))
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
			p.Line("%s", p.say("Averages this school year:", "Gemiddelden dit schooljaar:"))
			for _, sa := range cg.Averages {
				p.Line("  %s\t%s", sa.Subject, strings.Replace(fmt.Sprintf("%.1f", sa.Average), ".", ",", 1))
			}
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
