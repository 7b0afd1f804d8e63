package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/upscaled/upscaled/models"
)

func init() {
	register("models", "list the model catalog or fetch model files (models list|fetch [--dir DIR] [ID…])", runModels)
}

func runModels(ctx context.Context, a *app, args []string) error {
	top := newFlagSet(a, "models", "Lists the model catalog (list) or fetches, verifies and installs model files (fetch).",
		"list [--dir DIR]", "fetch [--dir DIR] [ID…]")
	modelsDirFlag(top)
	if len(args) == 0 {
		return top.usageErr("want a subcommand: list or fetch")
	}
	var f *flagSet
	switch args[0] {
	case "-h", "-help", "--help":
		return top.noArgs(args)
	case "list":
		f = newFlagSet(a, "models list", "Lists the model catalog and which models are installed in --dir.", "[flags]")
	case "fetch":
		f = newFlagSet(a, "models fetch", "Fetches model files, checks them against their pinned SHA-256 and installs them\n"+
			"in --dir: the models named by ID, or all of them.", "[flags] [ID…]")
	default:
		return top.usageErr("unknown subcommand %q (want list or fetch)", args[0])
	}
	dir := modelsDirFlag(f)
	ids, err := f.parse(args[1:])
	if err != nil {
		return err
	}
	out := a.stdout
	if args[0] == "list" {
		if len(ids) > 0 {
			return f.usageErr("models list takes no arguments, got %q", ids)
		}
		return listModels(*dir, out)
	}
	n := len(ids)
	if n == 0 {
		n = len(models.All())
	}
	if err := models.Fetch(ctx, *dir, ids, func(s string) { fmt.Fprintln(out, s) }); err != nil {
		return err
	}
	fmt.Fprintf(out, "%d model(s) installed and verified in %s\n", n, *dir)
	return nil
}

func modelsDirFlag(f *flagSet) *string {
	return f.String("dir", "", "DIR", "UPSCALED_MODELS_DIR", "models", "models directory")
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
