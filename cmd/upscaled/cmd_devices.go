package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/upscaled/upscaled/engines"
	_ "github.com/upscaled/upscaled/engines/cpu"    // registers the Go executor
	_ "github.com/upscaled/upscaled/engines/vulkan" // registers the Vulkan engine
)

func init() {
	register("devices", "list compute devices (Vulkan GPUs, CPU) and what they support", runDevices)
}

func runDevices(_ context.Context, a *app, args []string) error { return listDevices(a, args) }

// listDevices prints every device of every engine to stdout.
func listDevices(a *app, args []string) error {
	fs := newFlagSet(a, "devices", "Lists the compute devices (Vulkan GPUs, the CPU) and what they support.")
	asJSON := fs.Bool("json", "", "print JSON instead of a table")
	if err := fs.noArgs(args); err != nil {
		return err
	}
	out := a.stdout
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
