package main

import (
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

func (a *app) gradesCommand() *cobra.Command {
	var child string
	var top int
	cmd := &cobra.Command{
		Use:   "grades",
		Short: "Show the latest grades",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := a.openStore("grades")
			if err != nil {
				return err
			}
			s, err := st.Load(cmd.Context())
			if err != nil {
				return err
			}
			accounts := s.Accounts
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
					out = append(out, childGrades{Child: c.FirstName, Grades: gs})
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
