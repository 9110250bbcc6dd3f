package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/oneretail/oneretail/internal/app"
	"github.com/oneretail/oneretail/internal/identity"
)

// newIdentityCommand groups the batch identity-resolution commands: the fuzzy pass and
// the full re-resolution for backfills.
func newIdentityCommand(opts *options) *cobra.Command {
	cmd := &cobra.Command{Use: "identity", Short: "Batch identity resolution: fuzzy matching and full re-resolution"}
	var tenant string
	var dryRun, fuzzy bool
	matchFuzzy := &cobra.Command{
		Use:   "match-fuzzy",
		Short: "Merge customers whose profiles match above the high threshold; queue the middle band for review",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd.Context(), opts, tenant, func(ctx context.Context, a *app.App) error {
				rep, err := a.Identity.MatchFuzzy(ctx, identity.FuzzyOptions{DryRun: dryRun, Progress: newProgress(cmd.ErrOrStderr())})
				if err != nil {
					return err
				}
				printFuzzy(cmd, rep, dryRun)
				return nil
			})
		},
	}
	matchFuzzy.Flags().BoolVar(&dryRun, "dry-run", false, "score and report without merging or queueing")
	rebuild := &cobra.Command{
		Use:   "rebuild",
		Short: "Re-resolve every stored event from scratch (backfills, rule changes); Ctrl-C leaves the old state intact",
		Long: "Re-resolves every stored event of the tenant with the batch resolver and swaps the new customers in\n" +
			"one transaction; old customer ids redirect to the new customer that received most of their events.\n" +
			"Links refused by a per-customer or cluster size limit are queued for review; the open reviews it\n" +
			"replaces are closed. Fuzzy merges are not replayed: pass --fuzzy (or run match-fuzzy afterwards).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd.Context(), opts, tenant, func(ctx context.Context, a *app.App) error {
				rep, err := a.Identity.Rebuild(ctx, identity.RebuildOptions{Progress: newProgress(cmd.ErrOrStderr())})
				if err != nil {
					if ctx.Err() != nil {
						return fmt.Errorf("interrupted; nothing was changed: %w", err)
					}
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "rebuilt %d events into %d customers (%d before), %d identifiers; refused links: %v; %d reviews queued, %d open reviews superseded\n",
					rep.Events, rep.Customers, rep.Previous, rep.Identifier, rep.Refused, rep.Reviews, rep.Superseded)
				if !fuzzy {
					return nil
				}
				fr, err := a.Identity.MatchFuzzy(ctx, identity.FuzzyOptions{Progress: newProgress(cmd.ErrOrStderr())})
				if err != nil {
					return err
				}
				printFuzzy(cmd, fr, false)
				return nil
			})
		},
	}
	rebuild.Flags().BoolVar(&fuzzy, "fuzzy", false, "run the fuzzy pass after the rebuild")
	for _, c := range []*cobra.Command{matchFuzzy, rebuild} {
		c.Flags().StringVar(&tenant, "tenant", "demo", "tenant code")
		cmd.AddCommand(c)
	}
	return cmd
}

func printFuzzy(cmd *cobra.Command, rep identity.FuzzyReport, dryRun bool) {
	verb, queued := "merged", "queued for review"
	if dryRun {
		verb, queued = "would merge", "in the review band (some may be queued already)"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "fuzzy matching: %d customers, %d pairs compared, %s %d, %d %s, %d refused (identifier limits), %d oversized blocks skipped\n",
		rep.Customers, rep.Compared, verb, rep.Merged, rep.Reviews, queued, rep.Refused, rep.Skipped)
	fmt.Fprint(cmd.OutOrStdout(), identity.FuzzyModelSummary(rep))
}
