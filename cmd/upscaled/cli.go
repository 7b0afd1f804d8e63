package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Exit statuses of every command.
const (
	exitOK      = 0 // success (--help included)
	exitFailure = 1 // the work failed: an image, the service, a device
	exitUsage   = 2 // bad command line: unknown command or flag, wrong arguments
)

// app is what a command reads and writes: the process's streams and
// environment, or a test's.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stderrTTY: stderr is a terminal (progress is one redrawn line).
	stderrTTY bool
}

func osApp() *app {
	return &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stderrTTY: isTerminal(os.Stderr)}
}

// usageError is a bad command line: main prints it with the command's
// synopsis on stderr and exits 2.
type usageError struct {
	err      error
	synopsis []string // "upscaled CMD …" lines
	command  string   // "upscaled CMD"
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// flagDoc is one flag as --help shows it.
type flagDoc struct {
	names []string // long name first, then a one-letter alias
	arg   string   // N, SIZE, DIR…; empty for a switch
	env   string   // UPSCALED_* variable giving the default, if any
	def   string   // default as shown; empty: none shown
	help  string
}

// flagSet is a standard library FlagSet whose --help and errors look the
// same for every command: "Usage: upscaled CMD [flags] ARGS", a summary,
// then each flag with two dashes, its variable and its default.
type flagSet struct {
	fs       *flag.FlagSet
	a        *app
	command  string   // "upscaled upscale"
	synopsis []string // argument forms after the command, e.g. "[flags] IN OUT"
	summary  string
	notes    []string // paragraphs after the summary
	docs     []flagDoc
	envErr   error // a malformed UPSCALED_* default, reported at parse time
}

func newFlagSet(a *app, name, summary string, synopsis ...string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by us
	fs.Usage = func() {}
	f := &flagSet{fs: fs, a: a, command: "upscaled " + name, synopsis: synopsis, summary: summary}
	return f
}

// shown replaces the default --help shows for the last flag defined.
func (f *flagSet) shown(def string) { f.docs[len(f.docs)-1].def = def }

func (f *flagSet) note(paragraph string) { f.notes = append(f.notes, paragraph) }

func (f *flagSet) doc(long, short, arg, env, def, help string) {
	names := []string{long}
	if short != "" {
		names = append(names, short)
	}
	f.docs = append(f.docs, flagDoc{names: names, arg: arg, env: env, def: def, help: help})
}

// fromEnv is env's value when it is set, else def.
func (f *flagSet) fromEnv(env, def string) string {
	if env != "" && f.a.getenv != nil {
		if v := strings.TrimSpace(f.a.getenv(env)); v != "" {
			return v
		}
	}
	return def
}

func (f *flagSet) String(long, short, arg, env, def, help string) *string {
	p := new(string)
	*p = f.fromEnv(env, def)
	f.fs.StringVar(p, long, *p, help)
	if short != "" {
		f.fs.StringVar(p, short, *p, help)
	}
	f.doc(long, short, arg, env, def, help)
	return p
}

// Int is an integer flag; shown is its default as --help prints it (empty:
// the number).
func (f *flagSet) Int(long, arg, env string, def int, shown, help string) *int {
	p := new(int)
	*p = def
	if v := f.fromEnv(env, ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil && f.envErr == nil {
			f.envErr = fmt.Errorf("%s=%s: not an integer", env, v)
		}
		*p = n
	}
	f.fs.IntVar(p, long, *p, help)
	if shown == "" {
		shown = strconv.Itoa(def)
	}
	f.doc(long, "", arg, env, shown, help)
	return p
}

func (f *flagSet) Bool(long, short, help string) *bool {
	p := new(bool)
	f.fs.BoolVar(p, long, false, help)
	if short != "" {
		f.fs.BoolVar(p, short, false, help)
	}
	f.doc(long, short, "", "", "", help)
	return p
}

// Size is a byte count: a plain number or one with a unit (512MiB, 2GiB),
// read like the UPSCALED_* sizes of serve.
func (f *flagSet) Size(long, env string, def int64, shown, help string) *int64 {
	p := new(int64)
	*p = def
	if v := f.fromEnv(env, ""); v != "" {
		if err := setSize(p, v); err != nil && f.envErr == nil {
			f.envErr = fmt.Errorf("%s=%s: %w", env, v, err)
		}
	}
	f.fs.Func(long, help, func(v string) error { return setSize(p, v) })
	f.doc(long, "", "SIZE", env, shown, help)
	return p
}

// Func is a flag parsed by set; env and shown are for --help only (the
// caller applies the variable itself).
func (f *flagSet) Func(long, arg, env, shown, help string, set func(string) error) {
	f.fs.Func(long, help, set)
	f.doc(long, "", arg, env, shown, help)
}

// usageErr makes a usage error (exit 2) of this command.
func (f *flagSet) usageErr(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), synopsis: f.synopsisLines(), command: f.command}
}

// parse reads flags before, between and after the positional arguments
// (-- ends the flags) and returns the positional ones. --help prints the
// help on stdout and returns flag.ErrHelp.
func (f *flagSet) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			f.printHelp(f.a.stdout)
			return nil, flag.ErrHelp
		} else if err != nil {
			return nil, &usageError{err: dashes(err), synopsis: f.synopsisLines(), command: f.command}
		}
		if f.envErr != nil {
			return nil, f.envErr
		}
		rest := f.fs.Args()
		// the flag package stops at "--" and drops it: all the rest is positional
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// noArgs parses args and refuses positional arguments.
func (f *flagSet) noArgs(args []string) error {
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return f.usageErr("unexpected argument %q", pos[0])
	}
	return nil
}

// dashes spells the flag package's errors with the flags as --help shows
// them: "unknown flag --colour" rather than "flag provided but not
// defined: -colour".
func dashes(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return errors.New("unknown flag -" + dash(name))
	}
	if strings.HasPrefix(msg, "invalid ") || strings.HasPrefix(msg, "flag needs an argument: ") || strings.HasPrefix(msg, "bad flag syntax") {
		for _, sep := range []string{"flag -", ": -"} {
			if i := strings.Index(msg, sep); i >= 0 {
				rest := msg[i+len(sep):]
				name, tail, _ := strings.Cut(rest, ":")
				if tail != "" {
					tail = ":" + tail
				}
				return errors.New(msg[:i] + strings.TrimSuffix(sep, "-") + "-" + dash(name) + tail)
			}
		}
	}
	return err
}

// dash is "-x" for a one-letter flag, "--name" for a longer one (name
// without its first dash).
func dash(name string) string {
	if len(strings.TrimPrefix(name, "-")) == 1 {
		return strings.TrimPrefix(name, "-")
	}
	return "-" + strings.TrimPrefix(name, "-")
}

func (f *flagSet) synopsisLines() []string {
	forms := f.synopsis
	if len(forms) == 0 {
		forms = []string{"[flags]"}
	}
	var out []string
	for _, s := range forms {
		out = append(out, f.command+" "+s)
	}
	return out
}

func (f *flagSet) printHelp(w io.Writer) {
	for i, l := range f.synopsisLines() {
		if i == 0 {
			fmt.Fprintln(w, "Usage: "+l)
		} else {
			fmt.Fprintln(w, "       "+l)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, f.summary)
	for _, n := range f.notes {
		fmt.Fprintln(w)
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w, "\nFlags:")
	docs := append(f.docs, flagDoc{names: []string{"help", "h"}, help: "show this help and exit"})
	for _, d := range docs {
		var names []string
		for i := len(d.names) - 1; i >= 0; i-- { // short alias first: -o, --output
			if len(d.names[i]) == 1 {
				names = append(names, "-"+d.names[i])
			} else {
				names = append(names, "--"+d.names[i])
			}
		}
		line := "  " + strings.Join(names, ", ")
		if d.arg != "" {
			line += " " + d.arg
		}
		fmt.Fprintln(w, line)
		fmt.Fprintln(w, "      "+d.help)
		switch {
		case d.env != "" && d.def != "":
			fmt.Fprintf(w, "      env %s, default %s\n", d.env, d.def)
		case d.env != "":
			fmt.Fprintf(w, "      env %s\n", d.env)
		case d.def != "":
			fmt.Fprintf(w, "      default %s\n", d.def)
		}
	}
}

// exitCode is the exit status for a command's error, after printing it.
func exitCode(a *app, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(a.stderr, "%s: %v\n", ue.command, ue.err)
		for i, l := range ue.synopsis {
			if i == 0 {
				fmt.Fprintln(a.stderr, "Usage: "+l)
			} else {
				fmt.Fprintln(a.stderr, "       "+l)
			}
		}
		fmt.Fprintf(a.stderr, "Run '%s --help' for the flags.\n", ue.command)
		return exitUsage
	}
	fmt.Fprintln(a.stderr, "upscaled:", err)
	return exitFailure
}
