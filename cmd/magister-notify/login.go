package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/installer"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/state"
)

// loginOptions are the flags of `login`.
type loginOptions struct {
	school, baseURL, hint, redirect   string
	printURL, refreshStdin, noBrowser bool
	register, unregister, force       bool
}

type accountInfo struct {
	Key      string   `json:"key"`
	School   string   `json:"school"`
	BaseURL  string   `json:"base_url,omitempty"`
	Name     string   `json:"name"`
	Parent   bool     `json:"parent"`
	Children []string `json:"children"`
}

func infoOf(acct state.Account) accountInfo {
	info := accountInfo{Key: acct.Key, School: acct.School, BaseURL: acct.BaseURL, Name: acct.Name, Parent: acct.IsParent, Children: []string{}}
	for _, c := range acct.Children {
		info.Children = append(info.Children, c.FirstName)
	}
	return info
}

func (a *app) loginCommand() *cobra.Command {
	var f loginOptions
	cmd := &cobra.Command{
		Use:   "login --school SCHOOL",
		Short: "Sign in to Magister in your browser",
		Long: "Signs in to Magister with your normal browser (school sign-in and two-step verification work).\n" +
			"SCHOOL is the first part of your school's Magister address: for https://myschool.magister.net it is myschool.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runLogin(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.school, "school", "", "your school's Magister name (myschool for myschool.magister.net)")
	fl.StringVar(&f.baseURL, "base-url", "", "use another server for both sign-in and API (the fake school)")
	fl.StringVar(&f.hint, "login-hint", "", "your Magister user name, to pre-fill the sign-in page")
	fl.BoolVar(&f.printURL, "print-url", false, "only start the sign-in and print its address (finish with --redirect-url)")
	fl.StringVar(&f.redirect, "redirect-url", "", "finish a started sign-in with the m6loapp://… address (or the bare code)")
	fl.BoolVar(&f.refreshStdin, "refresh-token-stdin", false, "sign in with a refresh token read from standard input")
	fl.BoolVar(&f.noBrowser, "no-browser", false, "do not open the browser, only print the address")
	fl.BoolVar(&f.register, "register-handler", false, "make the browser hand sign-ins (m6loapp:// addresses) to magister-notify")
	fl.BoolVar(&f.unregister, "unregister-handler", false, "stop handling m6loapp:// addresses")
	fl.BoolVar(&f.force, "force", false, "with --register-handler: replace another application's m6loapp:// handler")
	cmd.MarkFlagsMutuallyExclusive("register-handler", "unregister-handler", "redirect-url", "print-url", "refresh-token-stdin")
	return cmd
}

// runLogin signs in the way the flags ask: register or unregister the
// m6loapp:// handler, finish a started login, import a refresh token, or
// start a browser login and wait for it.
func (a *app) runLogin(ctx context.Context, f loginOptions) error {
	st, err := a.openStore("login")
	if err != nil {
		return err
	}
	switch {
	case f.register:
		return a.runHandler(installer.RegisterHandler(ctx, a.handlerOptions(f.force)))
	case f.unregister:
		return a.runHandler(installer.UnregisterHandler(ctx, a.handlerOptions(false)))
	}
	accts := a.accounts(st)
	// Whether the token file is there already: the note about it is said
	// once, when it is first made.
	_, statErr := os.Stat(filepath.Join(st.Dir(), magister.TokenFileName))
	a.tokenFileExisted = statErr == nil
	if f.redirect != "" {
		acct, err := account.CompleteLogin(ctx, st, accts, f.redirect, time.Now())
		if err != nil {
			return err
		}
		return a.loggedIn(acct, accts)
	}
	school, err := a.school(f.school, f.baseURL)
	if err != nil {
		return err
	}
	if f.refreshStdin {
		rt, err := readSecretLine(a.stdin, a.lang())
		if err != nil {
			return err
		}
		acct, err := account.ImportRefreshToken(ctx, st, accts, school, rt, time.Now())
		if err != nil {
			return err
		}
		return a.loggedIn(acct, accts)
	}
	return a.runBrowserLogin(ctx, st, accts, school, f)
}

// runHandler reports what registering or unregistering the handler did.
func (a *app) runHandler(res installer.Result, err error) error {
	if err != nil {
		return err
	}
	return a.emit(res, func(p *printer) { p.Line("%s", res.In(p.lang)) })
}

// runBrowserLogin starts a login in the browser and waits for it to come
// back (or, with --print-url, only prints its address).
func (a *app) runBrowserLogin(ctx context.Context, st *state.Store, accts *account.Clients, school magister.School, f loginOptions) error {
	req, err := account.StartLogin(ctx, st.Dir(), school, f.hint)
	if err != nil {
		return err
	}
	if f.printURL {
		return a.emit(struct {
			URL string `json:"url"`
		}{req.AuthorizeURL()}, func(p *printer) { p.Line("%s", req.AuthorizeURL()) })
	}
	// Let the browser hand the sign-in back by itself where it can.
	if _, err := installer.RegisterHandler(ctx, a.handlerOptions(f.force)); err != nil {
		fmt.Fprintf(a.stderr, a.say("Note: the browser cannot hand the sign-in back by itself (%v).\n",
			"Let op: de browser kan de aanmelding niet zelf teruggeven (%v).\n"), err)
	}
	fmt.Fprintf(a.stderr, a.say("Open this address to sign in to Magister:\n\n  %s\n\n",
		"Open dit adres om bij Magister in te loggen:\n\n  %s\n\n"), req.AuthorizeURL())
	if !f.noBrowser {
		if err := openBrowser(req.AuthorizeURL()); err == nil {
			fmt.Fprintln(a.stderr, a.say("Your browser has been opened with it.", "Je browser is ermee geopend."))
		}
	}
	acct, err := a.waitForLogin(ctx, st, accts, req)
	if err != nil {
		return err
	}
	return a.loggedIn(acct, accts)
}

// waitForLogin waits for the sign-in to come back: through the m6loapp://
// handler (another process completes it) or pasted here, whichever is first.
func (a *app) waitForLogin(ctx context.Context, st *state.Store, accts *account.Clients, req *magister.LoginRequest) (state.Account, error) {
	lang := a.lang() // before the goroutines below
	fmt.Fprint(a.stderr, say(lang, "Waiting for the browser… After you sign in, this finishes by itself when your system\n"+
		"hands the sign-in back to magister-notify. If nothing happens, the browser shows (or fails to open)\n"+
		"an address that starts with m6loapp://oauth2redirect/ — copy it from the address bar, the message,\n"+
		"or the developer tools (Network, the last redirect), paste it here and press Enter:\n> ",
		"Wachten op de browser… Na het inloggen gaat dit vanzelf verder zodra je systeem de aanmelding\n"+
			"aan magister-notify teruggeeft. Gebeurt er niets, dan toont de browser een adres dat begint met\n"+
			"m6loapp://oauth2redirect/ (of lukt het niet dat te openen): kopieer het uit de adresbalk, de melding\n"+
			"of de ontwikkelhulpmiddelen (Netwerk, de laatste doorverwijzing), plak het hier en druk op Enter:\n> "))
	type result struct {
		acct state.Account
		err  error
	}
	done := make(chan result, 2)
	go func() {
		acct, err := account.WaitLogin(ctx, st, req, 250*time.Millisecond)
		done <- result{acct, err}
	}()
	go func() {
		in := bufio.NewReader(a.stdin)
		for {
			line, err := in.ReadString('\n')
			if strings.TrimSpace(line) == "" && err != nil {
				return // no terminal input: keep waiting for the handler
			}
			if strings.TrimSpace(line) == "" {
				continue
			}
			acct, err := account.CompleteLogin(ctx, st, accts, strings.TrimSpace(line), time.Now())
			if errors.Is(err, magister.ErrNoCode) {
				// A wrong paste spends nothing: ask again.
				fmt.Fprint(a.stderr, say(lang, "That is not the address Magister sends after signing in. Paste the one that\n"+
					"starts with m6loapp://oauth2redirect/ and press Enter:\n> ",
					"Dat is niet het adres dat Magister na het inloggen stuurt. Plak het adres dat begint met\n"+
						"m6loapp://oauth2redirect/ en druk op Enter:\n> "))
				continue
			}
			if errors.Is(err, account.ErrNoPendingLogin) {
				return // the handler was first; WaitLogin reports it
			}
			done <- result{acct, err}
			return
		}
	}()
	r := <-done
	fmt.Fprintln(a.stderr)
	return r.acct, r.err
}

func (a *app) school(code, baseURL string) (magister.School, error) {
	if code == "" {
		return magister.School{}, errors.New(a.say("which school? Give --school, e.g. --school myschool for myschool.magister.net",
			"welke school? Geef --school, bijvoorbeeld --school mijnschool voor mijnschool.magister.net"))
	}
	school, err := magister.ParseSchool(code)
	if err != nil {
		return school, err
	}
	if baseURL != "" {
		return school.WithBaseURL(baseURL)
	}
	return school, nil
}

func (a *app) loggedIn(acct state.Account, accts *account.Clients) error {
	info := infoOf(acct)
	if accts.UsedFallback && !a.tokenFileExisted {
		// Told once: from now on the file is simply where the tokens are.
		fmt.Fprintf(a.stderr, a.say("Note: no system keyring is available, so your sign-in is kept in %s\n"+
			"(readable only by you). Delete it, or run `magister-notify logout`, to forget it.\n",
			"Let op: er is geen sleutelbos van het systeem, dus je aanmelding wordt bewaard in %s\n"+
				"(alleen door jou te lezen). Verwijder het, of voer `magister-notify logout` uit, om haar te vergeten.\n"),
			filepath.Join(accts.Dir, "tokens.json"))
	}
	return a.emit(info, func(p *printer) {
		who := acct.Name
		if len(acct.Children) > 0 && acct.IsParent {
			p.Line(p.say("Signed in as %s (parent of %s).", "Ingelogd als %s (ouder van %s)."), who, strings.Join(info.Children, ", "))
		} else {
			p.Line(p.say("Signed in as %s.", "Ingelogd als %s."), who)
		}
		p.Line("%s", p.say("Run `magister-notify check` to take stock; later checks announce what is new.",
			"Voer `magister-notify check` uit om de stand op te nemen; latere controles melden wat nieuw is."))
	})
}

func readSecretLine(r io.Reader, lang string) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	if line == "" {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return "", fmt.Errorf(say(lang, "no refresh token on standard input: %w", "geen refresh token op de standaardinvoer: %w"), err)
	}
	return line, nil
}

// logoutOptions are the argument and flags of `logout`.
type logoutOptions struct {
	keys []string // the ACCOUNT argument; none: every account in the state
	all  bool
}

func (a *app) logoutCommand() *cobra.Command {
	var o logoutOptions
	cmd := &cobra.Command{
		Use:   "logout [ACCOUNT]",
		Short: "Sign out and forget an account (its tokens and what was seen)",
		Long: "Signs out and forgets an account: its tokens and what was seen. With --all, or when the state\n" +
			"names nobody, every stored sign-in that can be found is removed, including those a damaged\n" +
			"state file no longer names.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.keys = args
			return a.runLogout(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.all, "all", false, "sign out every account and remove every stored sign-in")
	return cmd
}

// runLogout signs out the named account, the only one in the state, or
// with o.all (or nobody in the state) everyone.
func (a *app) runLogout(ctx context.Context, o logoutOptions) error {
	st, err := a.openStore("logout")
	if err != nil {
		return err
	}
	var keys []string
	if len(o.keys) == 1 {
		keys = o.keys
	} else if err := st.View(ctx, func(s state.State) error {
		a.useSettings(s.Settings)
		for _, acct := range s.Accounts {
			keys = append(keys, acct.Key)
		}
		return nil
	}); err != nil {
		return err
	}
	switch {
	case len(keys) > 1 && !o.all:
		return fmt.Errorf(a.say("several accounts are signed in (%s): name one, or use --all",
			"er zijn meerdere accounts ingelogd (%s): noem er één, of gebruik --all"), strings.Join(keys, ", "))
	case len(keys) == 0 || o.all:
		return a.logoutAll(ctx, st)
	}
	acct, err := account.Logout(ctx, st, a.accounts(st), keys[0])
	if err != nil {
		return err
	}
	out := []accountInfo{infoOf(acct)}
	return a.emit(out, func(p *printer) {
		p.Line(p.say("Signed out %s (%s) and forgot its tokens.", "%s (%s) is uitgelogd en de sleutels zijn vergeten."),
			acct.Name, acct.Key)
	})
}

// logoutAll signs everyone out and removes every stored sign-in it finds,
// also those the state no longer names (it was damaged).
func (a *app) logoutAll(ctx context.Context, st *state.Store) error {
	gone, forgot, err := account.LogoutAll(ctx, st, a.accounts(st))
	if err != nil {
		return err
	}
	out := []accountInfo{}
	for _, acct := range gone {
		out = append(out, infoOf(acct))
	}
	var left []string
	for _, k := range forgot {
		if !slices.ContainsFunc(gone, func(acct state.Account) bool { return acct.Key == k }) {
			left = append(left, k)
			school, _, _ := strings.Cut(k, "/")
			out = append(out, accountInfo{Key: k, School: school, Children: []string{}})
		}
	}
	return a.emit(out, func(p *printer) {
		if len(out) == 0 {
			p.Line("%s", p.say("Nobody is signed in.", "Er is niemand ingelogd."))
		}
		for _, acct := range gone {
			p.Line(p.say("Signed out %s (%s) and forgot its tokens.", "%s (%s) is uitgelogd en de sleutels zijn vergeten."),
				acct.Name, acct.Key)
		}
		for _, k := range left {
			p.Line(p.say("Forgot the stored sign-in of %s, which the state no longer named.",
				"De bewaarde aanmelding van %s, die niet meer in de status stond, is vergeten."), k)
		}
	})
}

func (a *app) whoamiCommand() *cobra.Command {
	return &cobra.Command{
		Use:         "whoami",
		Annotations: map[string]string{readOnly: "yes"},
		Short:       "Show who is signed in and which children are watched",
		Args:        cobra.NoArgs,
		RunE:        func(cmd *cobra.Command, _ []string) error { return a.runWhoami(cmd.Context()) },
	}
}

// runWhoami lists the signed-in accounts and the children each watches.
func (a *app) runWhoami(ctx context.Context) error {
	_, s, err := a.loadState(ctx, "whoami")
	if err != nil {
		return err
	}
	out := []accountInfo{}
	for _, acct := range s.Accounts {
		out = append(out, infoOf(acct))
	}
	return a.emit(out, func(p *printer) {
		if len(out) == 0 {
			p.Line("%s", p.say("Nobody is signed in. Sign in with: magister-notify login --school <school>",
				"Er is niemand ingelogd. Log in met: magister-notify login --school <school>"))
		}
		for _, i := range out {
			role := p.say("student", "leerling")
			if i.Parent {
				role = p.say("parent", "ouder")
			}
			p.Field(i.Name, p.say("%s at %s.magister.net (%s) · watching %s", "%s bij %s.magister.net (%s) · volgt %s"),
				role, i.School, i.Key, strings.Join(i.Children, ", "))
		}
	})
}

// handlerOptions says how the m6loapp:// handler runs this binary: on the
// state directory chosen by flag or environment, if any.
func (a *app) handlerOptions(force bool) installer.HandlerOptions {
	return installer.HandlerOptions{StateDir: a.stateDir, Force: force}
}

// accounts opens Magister clients for the accounts in st.
func (a *app) accounts(st *state.Store) *account.Clients {
	return &account.Clients{Dir: st.Dir(), Options: []magister.Option{magister.WithVersion(version)}}
}
