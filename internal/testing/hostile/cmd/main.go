// Command hostile writes the hostile-input corpus into a directory, one file
// per case, named NN-CASE.EXT, with an index of the documented answers.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/upscaled/upscaled/internal/testing/hostile"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go run ./internal/hostile/cmd DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	index, err := os.Create(filepath.Join(dir, "INDEX.txt"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer index.Close()
	for i, c := range hostile.Cases() {
		name := fmt.Sprintf("%02d-%s%s", i, c.Name, filepath.Ext(c.FileName))
		if err := os.WriteFile(filepath.Join(dir, name), c.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Fprintf(index, "%s\t%d\t%s\n", name, c.Want.Status(), c.ContentType)
	}
}
