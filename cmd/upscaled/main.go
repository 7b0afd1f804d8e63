// Command upscaled upscales manga and comic pages with Real-CUGAN and
// Real-ESRGAN models: as an HTTP service (serve) or from the command line.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand; each lives in its own cmd_*.go file and
// registers itself in init.
type command struct {
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, a *app, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func init() {
	register("version", "print the version", func(_ context.Context, a *app, args []string) error {
		f := newFlagSet(a, "version", "Prints the version of this build.")
		if err := f.noArgs(args); err != nil {
			return err
		}
		fmt.Fprintln(a.stdout, "upscaled", version)
		return nil
	})
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: upscaled COMMAND [flags] ARGS")
	fmt.Fprintln(w, "\nUpscales manga and comic pages with Real-CUGAN and Real-ESRGAN models, from the")
	fmt.Fprintln(w, "command line (upscale) or as an HTTP service (serve).")
	fmt.Fprintln(w, "\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "help", "show a command's help: upscaled help COMMAND")
	fmt.Fprintln(w, "\nRun 'upscaled COMMAND --help' for a command's flags. Flags go before, between or")
	fmt.Fprintln(w, "after the arguments; -- ends them. Sizes take units (512MiB, 2GiB) or plain bytes.")
	fmt.Fprintln(w, "\nExit status: 0 success, 1 failure (e.g. an image could not be upscaled),")
	fmt.Fprintln(w, "2 usage error (unknown command or flag, wrong arguments).")
}

// run is the whole program short of the process: it returns the exit status.
func run(ctx context.Context, a *app, args []string) int {
	if len(args) == 0 {
		usage(a.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		usage(a.stdout)
		return exitOK
	case "help":
		if len(rest) == 0 {
			usage(a.stdout)
			return exitOK
		}
		// upscaled help CMD [SUB]: CMD [SUB] --help
		name, rest = rest[0], append(rest[1:len(rest):len(rest)], "--help")
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(a.stderr, "upscaled: unknown command %q\n\n", name)
		usage(a.stderr)
		return exitUsage
	}
	return exitCode(a, cmd.run(ctx, a, rest))
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, osApp(), os.Args[1:])
	stop()
	os.Exit(code)
}
