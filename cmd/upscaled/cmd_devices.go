package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/upscaled/upscaled/engines"
	_ "github.com/upscaled/upscaled/engines/cpu"    // registers the Go executor
	_ "github.com/upscaled/upscaled/engines/vulkan" // registers the Vulkan engine
)

func init() {
	register("devices", "list compute devices (Vulkan GPUs, CPU) and what they support", runDevices)
}

func runDevices(_ context.Context, args []string) error { return listDevices(os.Stdout, args) }

// listDevices prints every device of every engine to out.
func listDevices(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("devices", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("devices: unexpected argument %q", fs.Arg(0))
	}
	ds, err := engines.ListDevices()
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if e := enc.Encode(ds); e != nil {
			return e
		}
		return err
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ENGINE\tDEVICE\tTYPE\tNAME\tDRIVER\tAPI\tMEMORY BUDGET\tFP16 STORAGE\tFP16 MATH\tCOOP MATRIX\tSUBGROUP\tQUEUES\tSTATUS")
	for _, d := range ds {
		budget := "unbounded"
		if d.MemoryBudget > 0 {
			budget = fmt.Sprintf("%.1f GiB", float64(d.MemoryBudget)/(1<<30))
		}
		coop := d.CoopMatrix
		if coop == "" {
			coop = "no"
		}
		status := "ok"
		if d.Unusable != "" {
			status = "unusable: " + d.Unusable
		}
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", d.Backend, d.Index, d.Type, d.Name, d.Driver, d.API,
			budget, yesNo(d.FP16Storage), yesNo(d.FP16Math), coop, d.SubgroupSize, d.Queues, status)
	}
	if e := w.Flush(); e != nil {
		return e
	}
	if err != nil {
		return fmt.Errorf("listing devices: %w", err)
	}
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
