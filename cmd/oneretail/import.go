package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
)

// maxImportBytes bounds an import file: it is read whole (GBK detection needs all of
// it) and a larger one should be split.
const maxImportBytes = 1 << 30

func newImportCommand(opts *options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Import customers or events from a file (CSV, NDJSON) through a touchpoint",
		Long: "Import a customer list (CSV: identifier columns such as phone, email, member_card or 手机号/会员卡号, " +
			"profile columns name, gender, birthday, city, address) or events (NDJSON as POST /api/v1/events takes " +
			"them, or CSV with id, type, occurred_at and identifier columns). Rows are stored in transactions of 1,000; " +
			"an interrupted import keeps whole transactions only, and running it again skips what is stored.",
	}
	for _, kind := range []identity.ImportKind{identity.ImportCustomers, identity.ImportEvents} {
		cmd.AddCommand(newImportKindCommand(opts, kind))
	}
	return cmd
}

func newImportKindCommand(opts *options, kind identity.ImportKind) *cobra.Command {
	var tenant, touchpoint, errorsPath string
	cmd := &cobra.Command{
		Use:   string(kind) + " FILE",
		Short: "Import " + string(kind) + " from FILE (.csv, or .ndjson/.jsonl for events)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			format, err := identity.FormatOf(path)
			if err != nil {
				return err
			}
			data, err := readImportFile(path)
			if err != nil {
				return err
			}
			return withTenant(cmd.Context(), opts, tenant, func(ctx context.Context, a *app.App) error {
				progress := newProgress(cmd.ErrOrStderr())
				sum, err := a.Identity.ImportFile(ctx, kind, format, touchpoint, data, func(done, total int64) {
					progress("import "+filepath.Base(path), int(done), int(total))
				})
				fmt.Fprintln(cmd.ErrOrStderr())
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return fmt.Errorf("interrupted after %d rows (%d stored); run the same command again to finish", sum.Rows, sum.Accepted)
					}
					return err
				}
				return reportImport(cmd, sum, path, errorsPath)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "demo", "tenant code")
	cmd.Flags().StringVar(&touchpoint, "touchpoint", "", "code of the touchpoint the rows come from (it must exist and be active)")
	cmd.Flags().StringVar(&errorsPath, "errors", "", "where to write the rows that were not stored, as CSV (default FILE.errors.csv when there are any)")
	_ = cmd.MarkFlagRequired("touchpoint")
	return cmd
}

func readImportFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > maxImportBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes; split it into smaller files", path, maxImportBytes)
	}
	return data, nil
}

// reportImport prints the summary and writes the rejected rows. Rejected rows make
// the command fail, so that scripts notice.
func reportImport(cmd *cobra.Command, sum identity.ImportSummary, path, errorsPath string) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%d rows: %d stored, %d already stored, %d rejected\n", sum.Rows, sum.Accepted, sum.Duplicates, len(sum.Errors))
	if len(sum.ExtraColumns) > 0 {
		fmt.Fprintf(out, "columns kept as properties: %v\n", sum.ExtraColumns)
	}
	if len(sum.Errors) == 0 {
		return nil
	}
	for i, e := range sum.Errors {
		if i == 10 {
			fmt.Fprintf(out, "… and %d more\n", len(sum.Errors)-10)
			break
		}
		fmt.Fprintf(out, "line %d: %s: %s\n", e.Line, e.Field, e.Reason)
	}
	if errorsPath == "" {
		errorsPath = path + ".errors.csv"
	}
	if err := writeImportErrors(errorsPath, sum.Errors); err != nil {
		return err
	}
	return fmt.Errorf("%d rows were not stored; they are listed in %s", len(sum.Errors), errorsPath)
}

func writeImportErrors(path string, rows []identity.ImportRowError) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write the error report: %w", err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"line", "field", "reason"})
	for _, e := range rows {
		_ = w.Write([]string{strconv.Itoa(e.Line), e.Field, e.Reason})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write the error report: %w", err)
	}
	return f.Close()
}
