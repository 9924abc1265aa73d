// Command sabot moves Kafka data through Apache Arrow from the command line:
//
//	sabot export   topic → Arrow IPC file (any codec, registry, metadata columns)
//	sabot produce  Arrow IPC or JSON Lines → topic (any codec, keys, partitioning)
//	sabot dev      an embedded Kafka broker and schema registry on loopback
//	sabot schema   register, fetch and check schemas on a registry
//	sabot topic    create, list, describe and delete topics
//
// Run `sabot <command> -help` for each command's flags and examples.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: its name, one-line summary, and entry point.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"export", "read a topic into an Arrow IPC file", runExport},
		{"produce", "write Arrow IPC or JSON Lines records to a topic", runProduce},
		{"dev", "run an embedded Kafka broker and schema registry until interrupted", runDev},
		{"schema", "register, get and check schemas on a registry", runSchema},
		{"topic", "create, list, describe and delete topics", runTopic},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(realMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// realMain runs one command and returns the exit status: 0 ok, 1 failure,
// 2 usage error.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		}
		fmt.Fprintf(stderr, "sabot %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "sabot: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks errors already reported with the command's usage.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sabot <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'sabot <command> -help' for a command's flags and examples.")
}

// newFlags returns a FlagSet whose usage prints the summary, the flags and the
// examples; parse errors are reported once and become errUsage.
func newFlags(name, synopsis, examples string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sabot "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: sabot %s [flags]\n\n%s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
		fmt.Fprintf(stderr, "\nExamples:\n%s", examples)
	}
	return fs
}

// parse parses args, turning a flag error into errUsage (already printed).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %v\n", fs.Args())
		fs.Usage()
		return errUsage
	}
	return nil
}
