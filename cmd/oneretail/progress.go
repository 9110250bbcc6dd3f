package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// newProgress returns a progress reporter for long commands: a bar per stage on a
// terminal, and a line every 10% otherwise (CI logs would turn every redraw into a line).
func newProgress(w io.Writer) func(stage string, done, total int) {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	var (
		bar       *progressbar.ProgressBar
		current   string
		lastDecil int
	)
	return func(stage string, done, total int) {
		if stage != current {
			if bar != nil {
				_ = bar.Finish()
				fmt.Fprintln(w)
			}
			current, lastDecil, bar = stage, -1, nil
			if tty {
				bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(stage),
					progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionShowCount())
			}
		}
		if bar != nil {
			_ = bar.Set(done)
			return
		}
		if total <= 0 {
			return
		}
		if decil := done * 10 / total; decil != lastDecil {
			lastDecil = decil
			fmt.Fprintf(w, "%s: %d/%d (%d%%)\n", stage, done, total, done*100/total)
		}
	}
}
