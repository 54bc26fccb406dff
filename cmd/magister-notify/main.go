// Command magister-notify shows desktop notifications for new grades,
// schedule changes, tests, homework and messages in Magister 6. Its tray
// subcommand is the long-running process; every other subcommand is the CLI
// companion, which works whether or not the tray runs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/magister-notify/magister-notify/account"
	"github.com/magister-notify/magister-notify/internal/plainfile"
	"github.com/magister-notify/magister-notify/magister"
	"github.com/magister-notify/magister-notify/notifier"
	"github.com/magister-notify/magister-notify/state"
	"github.com/magister-notify/magister-notify/tray"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// app holds what every command shares: the global flags and where output goes.
type app struct {
	stateDir string
	json     bool
	stdin    io.Reader
	stdout   io.Writer
	stderr   io.Writer
	now      func() time.Time    // the clock of pause; time.Now
	getenv   func(string) string // reads the locale; os.Getenv

	// language is the CLI's language once known; see lang.
	language string

	tokenFileExisted bool // login: tokens.json was there before it

	// catchSignals: a stop signal cancels a command that is not read-only
	// (runMain, whose process ends with the command; tests leave signals
	// alone).
	catchSignals bool
	// allCommands builds every command whatever the command line names
	// (see rootCommand); tests compare both trees.
	allCommands bool
}

func main() { os.Exit(runMain(os.Args[1:])) }

// runMain runs args as the program does. A command that changes something
// or waits (everything but the read-only commands, see readOnly) is
// cancelled by the first stop signal (see stopSignals), so that it finishes
// or releases what it holds: notifications it claimed go back to the outbox
// at once instead of waiting for their lease to expire, and no half-written
// temporary file is left behind. A second signal ends the process straight
// away. A read-only command keeps the default action: it holds nothing the
// end of the process does not release, and watching for signals costs a
// thread and half a millisecond of start-up.
func runMain(args []string) int {
	var stdout io.Writer = os.Stdout
	if stdoutClosed() {
		stdout = closedOutput{}
	}
	a := newApp(stdout, os.Stderr)
	a.catchSignals = true
	return a.execute(context.Background(), args)
}

// closedOutput stands for a standard output the process was started
// without: writing to it fails, so a notification sent there (check --sink
// stdout) is not taken as shown.
type closedOutput struct{}

func (closedOutput) Write([]byte) (int, error) {
	return 0, errors.New("standard output is closed")
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return newApp(stdout, stderr).execute(ctx, args)
}

func newApp(stdout, stderr io.Writer) *app {
	return &app{stdin: os.Stdin, stdout: stdout, stderr: stderr, now: time.Now, getenv: os.Getenv}
}

// execute runs one command line with a's settings and returns the exit code.
func (a *app) execute(ctx context.Context, args []string) int {
	stdout, stderr := a.stdout, a.stderr
	root := a.rootCommand(args)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		code := exitCode(err)
		msg := explain(err, a.lang(), func() string { return a.schoolHint(ctx) })
		if a.json {
			// Scripts that asked for JSON get the failure as JSON too.
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			enc.Encode(struct {
				Error    string `json:"error"`
				ExitCode int    `json:"exit_code"`
			}{msg, code})
		}
		fmt.Fprintln(stderr, "magister-notify:", msg)
		return code
	}
	return 0
}

// rootCommand builds the command tree for the command line args. A line
// that names a command builds the root and that command only: building the
// others is most of the start-up work of a short command. Help, completion
// and anything not recognised by name build them all, so that listings and
// suggestions see every command (see namedCommand).
func (a *app) rootCommand(args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "magister-notify",
		Short: "Desktop notifications for Magister 6",
		Long: "magister-notify watches Magister 6 and shows a desktop notification for every new grade,\n" +
			"cancelled or changed lesson, upcoming test, homework deadline and new message.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	def := os.Getenv("MAGISTER_NOTIFY_HOME")
	root.PersistentFlags().StringVar(&a.stateDir, "state-dir", def,
		"state directory (default $MAGISTER_NOTIFY_HOME, else the user configuration directory)")
	root.PersistentFlags().BoolVar(&a.json, "json", false, "print machine-readable JSON")
	commands := a.commands()
	named := namedCommand(root, args)
	if i := slices.IndexFunc(commands, func(c subcommand) bool { return c.name == named }); i >= 0 && !a.allCommands {
		root.AddCommand(commands[i].build())
		root.CompletionOptions.DisableDefaultCmd = true
	} else {
		for _, c := range commands {
			root.AddCommand(c.build())
		}
	}
	root.Long += "\n\nExit codes: 0 success, 1 failure (the message says why), 2 a mistyped command or flag,\n" +
		"3 the state is locked by another process for too long, 4 the state file is from a newer\n" +
		"magister-notify, 5 you need to sign in (again), 6 the tray is already running."
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentPreRun = a.watchSignals
	a.refuseUnknownSubcommands(root)
	return root
}

// subcommand is one of the root's commands, built when needed.
type subcommand struct {
	name  string
	build func() *cobra.Command
}

// commands are the root's subcommands, in the order cobra suggests them.
func (a *app) commands() []subcommand {
	return []subcommand{
		{"version", a.versionCommand}, {"status", a.statusCommand}, {"config", a.configCommand},
		{"pause", a.pauseCommand}, {"resume", a.resumeCommand}, {"log", a.logCommand},
		{"login", a.loginCommand}, {"logout", a.logoutCommand}, {"whoami", a.whoamiCommand},
		{"grades", a.gradesCommand}, {"check", a.checkCommand}, {"notify", a.notifyCommand},
		{"tray", a.trayCommand}, {"demo", a.demoCommand}, {"service", a.serviceCommand},
	}
}

// namedCommand is the command args name before anything else: the first
// word that is not a flag of the root or its value. It is "" when args ask
// for help anywhere, or contain something the root does not know (a
// shorthand, an unknown flag, "--"), so that cobra sees every command then.
func namedCommand(root *cobra.Command, args []string) string {
	if slices.ContainsFunc(args, func(arg string) bool {
		return arg == "-h" || arg == "--help" || strings.HasPrefix(arg, "--help=")
	}) {
		return ""
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			return arg
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		f := root.PersistentFlags().Lookup(name)
		if !strings.HasPrefix(arg, "--") || f == nil {
			return ""
		}
		if !hasValue && f.NoOptDefVal == "" {
			i++ // the flag's value
		}
	}
	return ""
}

// readOnly is the annotation of a command that only reads: it may be ended
// at any instant, so a stop signal keeps its default action (see runMain).
// (Such a command may move a damaged state file aside, as every reader
// does: a rename and an atomic write. Ended in between, it is like a
// process that lost power, and the state package expects what that leaves.)
const readOnly = "read-only"

// watchSignals makes the first stop signal cancel cmd's context, unless
// cmd is read-only, and the second end the process.
func (a *app) watchSignals(cmd *cobra.Command, _ []string) {
	if !a.catchSignals || cmd.Annotations[readOnly] != "" {
		return
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), stopSignals()...)
	context.AfterFunc(ctx, stop) // the default action again, for the second signal
	cmd.SetContext(ctx)
}

// usageError is a command line that does not say anything magister-notify
// knows: a mistyped command or flag. It exits with 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// refuseUnknownSubcommands makes every command that only groups others
// ("service", "config", "notify", the root) refuse a word it does not know,
// suggesting the command that was probably meant, instead of printing its
// help and exiting 0.
func (a *app) refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		a.refuseUnknownSubcommands(c)
	}
	if !cmd.HasSubCommands() || cmd.Run != nil || cmd.RunE != nil {
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return c.Help()
		}
		msg := a.say(fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath()),
			fmt.Sprintf("onbekende opdracht %q voor %q", args[0], c.CommandPath()))
		if s := closest(c, args[0]); len(s) > 0 {
			msg += a.say("; did you mean "+strings.Join(s, " or ")+"?", "; bedoel je "+strings.Join(s, " of ")+"?")
		} else {
			msg += a.say("; see ", "; zie ") + c.CommandPath() + " --help"
		}
		return usageError{errors.New(msg)}
	}
}

// dir is the state directory chosen by the flags.
func (a *app) dir() (string, error) {
	if a.stateDir != "" {
		return a.stateDir, nil
	}
	return state.DefaultDir()
}

// openStore opens the state directory chosen by the flags.
func (a *app) openStore(owner string) (*state.Store, error) {
	dir, err := a.dir()
	if err != nil {
		return nil, err
	}
	return state.Open(dir, state.WithOwner("magister-notify "+owner))
}

// loadState opens the state directory chosen by the flags and reads the
// state, for commands that only show it. The CLI's words follow its
// settings.
func (a *app) loadState(ctx context.Context, owner string) (*state.Store, state.State, error) {
	st, err := a.openStore(owner)
	if err != nil {
		return nil, state.State{}, err
	}
	s, err := st.Load(ctx)
	if err == nil {
		a.useSettings(s.Settings)
	}
	return st, s, err
}

var errNotLoggedIn = notifier.ErrNoAccounts

// schoolHint is the school to name in advice: the school of the accounts in
// the state when they share one, else "<school>".
func (a *app) schoolHint(ctx context.Context) string {
	const unknown = "<school>"
	st, err := a.openStore("explain")
	if err != nil {
		return unknown
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	s, err := st.Load(ctx)
	if err != nil {
		return unknown
	}
	hint := unknown
	for _, acct := range s.Accounts {
		if hint != unknown && hint != acct.School {
			return unknown
		}
		hint = acct.School
	}
	return hint
}

// explain turns an error into the one sentence the user sees, in lang:
// what happened (the error, which names the condition) and what the user
// can do about it. school names the school in the commands it suggests; it
// is only asked when advice needs it. The error texts of the packages are
// English; in Dutch the sentence names the condition itself and keeps the
// error text only where it carries a detail (a path, a process), in
// parentheses.
func explain(err error, lang string, school func() string) string {
	say := func(en, nl string) string { return say(lang, en, nl) }
	login := func() string { return "`magister-notify login --school " + school() + "`" }
	// detail is the error's text, for Dutch sentences that name the
	// condition themselves.
	detail := " (" + err.Error() + ")"
	var storeErr *magister.StoreError
	switch {
	case errors.As(err, &storeErr):
		return say(err.Error(), "je aanmelding kon niet worden bewaard"+detail) + storeAdvice(storeErr, lang, login())
	case errors.Is(err, state.ErrLocked):
		return say(err.Error()+"; try again in a moment",
			"een ander magister-notify-proces houdt de status vast"+detail+"; probeer het zo opnieuw")
	case errors.Is(err, context.Canceled):
		return say("interrupted", "onderbroken")
	case errors.Is(err, magister.ErrLoginRequired):
		return say("Magister wants you to sign in again: run "+login()+" ("+err.Error()+")",
			"Magister wil dat je opnieuw inlogt: voer "+login()+" uit"+detail)
	case errors.Is(err, notifier.ErrNoAccounts):
		return say("nobody is signed in yet: log in first with "+login(),
			"er is nog niemand ingelogd: log eerst in met "+login())
	case errors.Is(err, account.ErrNoPendingLogin), errors.Is(err, account.ErrLoginExpired),
		errors.Is(err, account.ErrLoginNotCompleted), errors.Is(err, account.ErrDamagedPending):
		return say(err.Error()+": start again with "+login(), loginStateNL(err)+": begin opnieuw met "+login())
	case errors.Is(err, account.ErrForeignLogin):
		return say(err.Error()+": use the address from the browser window this sign-in opened, or start again with "+login(),
			"het adres hoort bij een andere aanmelding: gebruik het adres uit het browservenster dat deze aanmelding "+
				"opende, of begin opnieuw met "+login())
	case errors.Is(err, account.ErrLoginSuperseded):
		return say(err.Error()+"; finish that one", "er is intussen een andere aanmelding begonnen; maak die af")
	case errors.Is(err, account.ErrLoginBusy):
		return say(err.Error()+"; try again in a moment", "er wordt op dit moment een andere aanmelding afgerond; probeer het zo opnieuw")
	case errors.Is(err, tray.ErrNoDesktop):
		return say(err.Error()+"; run the tray inside your desktop session (`magister-notify service install` "+
			"starts it at login), or use `magister-notify check` from a timer",
			"geen bureaubladsessie"+detail+"; start de tray binnen je bureaubladsessie (`magister-notify service install` "+
				"start hem bij het inloggen), of gebruik `magister-notify check` vanuit een timer")
	case errors.Is(err, magister.ErrNoCode):
		return say(err.Error()+": that is not the address Magister sends after signing in. Give the one that starts "+
			"with m6loapp://oauth2redirect/ (from the address bar, the browser's message, or its developer tools)",
			"dat is niet het adres dat Magister na het inloggen stuurt. Geef het adres dat begint met "+
				"m6loapp://oauth2redirect/ (uit de adresbalk, de melding van de browser of de ontwikkelhulpmiddelen)")
	case errors.Is(err, magister.ErrTokenRedirect):
		return say(err.Error()+". Something between you and Magister (a proxy, a captive portal, or a changed base URL) "+
			"sends sign-in requests elsewhere. Try again later or on another network",
			"Magister stuurde de aanmelding door naar elders"+detail+". Iets tussen jou en Magister (een proxy, een "+
				"inlogpagina van een wifi-netwerk of een gewijzigde base URL) stuurt aanmeldverzoeken ergens anders heen. "+
				"Probeer het later opnieuw of op een ander netwerk")
	case errors.Is(err, magister.ErrWrongOrigin):
		return say(err.Error()+". If base_url in the state file was changed, change it back; to use another server, "+
			"sign in there: magister-notify login --school "+school()+" --base-url <url>",
			"de bewaarde aanmelding wordt niet naar deze server gestuurd. Is base_url in het statusbestand gewijzigd, "+
				"zet het dan terug; wil je een andere server gebruiken, log daar dan in: magister-notify login --school "+
				school()+" --base-url <url>")
	case errors.Is(err, magister.ErrRateLimited):
		return say("Magister asks us to slow down: "+err.Error()+"; try again later",
			"Magister vraagt ons het rustiger aan te doen"+detail+"; probeer het later opnieuw")
	case errors.As(err, new(*magister.PageError)):
		return say(err.Error()+"; Magister seems to be down or in maintenance, try again later",
			"Magister stuurde een webpagina in plaats van gegevens"+detail+"; Magister lijkt onbereikbaar of in onderhoud, "+
				"probeer het later opnieuw")
	case errors.Is(err, state.ErrUnsafeDir):
		return say(err.Error(), "de statusmap is niet veilig"+detail) + unsafeDirAdvice(err, lang)
	case errors.Is(err, plainfile.ErrNotPlain):
		return say(err.Error(), "geen gewoon bestand"+detail) + notPlainAdvice(err, lang)
	case errors.Is(err, state.ErrTooLarge):
		return say(err.Error()+"; no state magister-notify writes comes near that size: move the file away "+
			"(a fresh state is then started, and the next check takes stock silently) or restore a backup",
			"het statusbestand is te groot"+detail+"; geen status die magister-notify schrijft komt in de buurt: "+
				"zet het bestand opzij (dan begint een nieuwe status en neemt de volgende controle stil de stand op) "+
				"of zet een reservekopie terug")
	case errors.Is(err, state.ErrNewerVersion):
		return say(err.Error(), "het statusbestand komt van een nieuwere magister-notify"+detail)
	}
	return err.Error()
}

// loginStateNL says in Dutch what became of a sign-in that cannot be
// completed.
func loginStateNL(err error) string {
	switch {
	case errors.Is(err, account.ErrNoPendingLogin):
		return "er wacht geen aanmelding om afgerond te worden (ze is al afgerond, of nooit begonnen)"
	case errors.Is(err, account.ErrLoginExpired):
		return "de aanmelding is meer dan 10 minuten geleden begonnen en verlopen"
	case errors.Is(err, account.ErrDamagedPending):
		return "de wachtende aanmelding is beschadigd"
	}
	return "de aanmelding is niet afgerond (verlopen of mislukt)"
}

// storeAdvice says what to do when the sign-in could not be written.
func storeAdvice(e *magister.StoreError, lang, login string) string {
	fix := say(lang, "make "+e.Dir+" writable again", "maak "+e.Dir+" weer schrijfbaar")
	switch {
	case errors.Is(e, syscall.ENOSPC):
		fix = say(lang, "free some space on the disk that holds "+e.Dir, "maak ruimte vrij op de schijf met "+e.Dir)
	case errors.Is(e, syscall.EROFS):
		fix = say(lang, e.Dir+" is on a read-only file system: make it writable again",
			e.Dir+" staat op een alleen-lezen bestandssysteem: maak het weer schrijfbaar")
	}
	if !e.LoginKept() {
		return say(lang, ". To keep working, "+fix+" and sign in again with "+login,
			". Om verder te kunnen: "+fix+" en log opnieuw in met "+login)
	}
	return say(lang, ". You are still signed in; "+fix+" and the next check carries on",
		". Je bent nog ingelogd; "+fix+" en de volgende controle gaat gewoon verder")
}

// notPlainAdvice says what to do about a file in the state directory that
// is a link, or not a plain file.
func notPlainAdvice(err error, lang string) string {
	it, het := "it", "het"
	var np *plainfile.NotPlainError
	if errors.As(err, &np) && strings.HasPrefix(np.What, "a symbolic link") {
		it, het = "the link", "de koppeling"
	}
	return say(lang, "; magister-notify never follows links in its state directory and keeps only plain files there: "+
		"remove "+it+" (or put the real file in its place) and try again",
		"; magister-notify volgt nooit koppelingen in zijn statusmap en bewaart daar alleen gewone bestanden: "+
			"verwijder "+het+" (of zet het echte bestand op die plek) en probeer het opnieuw")
}

// unsafeDirAdvice says what to do about a refused state directory.
func unsafeDirAdvice(err error, lang string) string {
	var e *state.UnsafeDirError
	if !errors.As(err, &e) {
		return ""
	}
	own := say(lang, "give magister-notify a directory of its own with --state-dir or MAGISTER_NOTIFY_HOME "+
		"(or leave both unset for the default)",
		"geef magister-notify een eigen map met --state-dir of MAGISTER_NOTIFY_HOME "+
			"(of laat beide leeg voor de standaardmap)")
	switch e.Problem {
	case state.NotPlainFile:
		return notPlainAdvice(err, lang)
	case state.WritableByOthers:
		return say(lang, "; anyone could plant files beside your sign-in there, and magister-notify does not change "+
			"the permissions of a shared directory: ",
			"; iedereen zou daar bestanden naast je aanmelding kunnen neerzetten, en magister-notify verandert de "+
				"rechten van een gedeelde map niet: ") + own
	case state.Shared:
		return say(lang, "; magister-notify does not change the permissions of a directory that also holds other files: "+
			"make it private yourself (chmod 700 "+e.Dir+") or ",
			"; magister-notify verandert de rechten niet van een map waarin ook andere bestanden staan: "+
				"maak hem zelf privé (chmod 700 "+e.Dir+") of ") + own
	case state.ForeignOwner:
		return say(lang, "; run magister-notify as that user, or ", "; start magister-notify als die gebruiker, of ") + own
	}
	return "; " + own
}

// closest names the commands nearest to word by cobra's own suggestions:
// one edit away (or starting with word) if there are any, else two.
func closest(c *cobra.Command, word string) []string {
	defer func(d int) { c.SuggestionsMinimumDistance = d }(c.SuggestionsMinimumDistance)
	for d := 1; d <= 2; d++ {
		c.SuggestionsMinimumDistance = d
		if s := c.SuggestionsFor(word); len(s) > 0 {
			return s
		}
	}
	return nil
}

// Exit codes scripts can rely on.
const (
	exitFailure = 1
	exitUsage   = 2
	exitLocked  = 3
	exitNewer   = 4
	exitLogin   = 5
	// exitAlreadyRunning is known to the systemd unit (RestartPreventExitStatus).
	exitAlreadyRunning = 6
)

func exitCode(err error) int {
	switch {
	case errors.Is(err, state.ErrLocked):
		return exitLocked
	case errors.Is(err, state.ErrNewerVersion):
		return exitNewer
	case errors.Is(err, magister.ErrLoginRequired), errors.Is(err, notifier.ErrNoAccounts):
		return exitLogin
	case errors.Is(err, state.ErrTrayRunning):
		return exitAlreadyRunning
	case errors.As(err, new(usageError)):
		return exitUsage
	}
	return exitFailure
}
