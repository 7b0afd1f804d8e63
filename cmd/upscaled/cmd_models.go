package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/upscaled/upscaled/models"
)

func init() {
	register("models", "list the model catalog or fetch model files (models list|fetch [--dir D] [ID…])", func(ctx context.Context, args []string) error {
		return runModels(ctx, args, os.Stdout)
	})
}

// modelsDirDefault is $UPSCALED_MODELS_DIR, else ./models.
func modelsDirDefault() string {
	if d := os.Getenv("UPSCALED_MODELS_DIR"); d != "" {
		return d
	}
	return "models"
}

func runModels(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("models: want a subcommand: list or fetch")
	}
	fs := flag.NewFlagSet("models "+args[0], flag.ContinueOnError)
	dir := fs.String("dir", modelsDirDefault(), "models directory (default $UPSCALED_MODELS_DIR or ./models)")
	var ids []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); errors.Is(err, flag.ErrHelp) {
			return nil
		} else if err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	switch args[0] {
	case "list":
		if len(ids) > 0 {
			return fmt.Errorf("models list takes no arguments, got %q", ids)
		}
		return listModels(*dir, out)
	case "fetch":
		n := len(ids)
		if n == 0 {
			n = len(models.All())
		}
		err := models.Fetch(ctx, *dir, ids, func(s string) { fmt.Fprintln(out, s) })
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%d model(s) installed and verified in %s\n", n, *dir)
		return nil
	}
	return fmt.Errorf("models: unknown subcommand %q (want list or fetch)", args[0])
}

func listModels(dir string, out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFAMILY\tSCALE\tDENOISE\tINSTALLED\tSIZE")
	for _, info := range models.All() {
		installed := "no"
		if models.Installed(dir, info) {
			installed = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%dx\t%s\t%s\t%s\n", info.ID, info.Family, info.Scale, denoiseText(info.Denoise), installed, sizeText(info.Param.Size+info.Bin.Size))
	}
	return tw.Flush()
}

func denoiseText(d int) string {
	switch d {
	case -1:
		return "conservative"
	case 0:
		return "none"
	}
	return fmt.Sprintf("%dx", d)
}

func sizeText(b int64) string {
	return fmt.Sprintf("%.1f MB", float64(b)/1e6)
}
