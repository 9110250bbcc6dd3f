// Package custmodel holds OneRetail's customer models (C13): pure functions that take
// plain per-customer summaries and return scores the audience service writes as
// computed tags. It has no database and no HTTP; every function is deterministic
// (same input, same output, independent of input order where documented) and never
// reads the clock: "today" is always a parameter.
//
// The models:
//
//   - RFM (ScoreRFM): quintile scores 1–5 for recency, frequency and monetary value,
//     and the eight classic value layers (重要价值客户 … 一般挽留客户) obtained by comparing
//     each score with the base's mean score.
//   - Lifecycle (Lifecycle, StageOf): prospect / new / active / dormant / lost from the
//     first and last order day, with configurable windows.
//   - BG/NBD (FitBGNBD, BGNBDParams): the Fader, Hardie & Lee (2005) "buy till you die"
//     model of repeat purchasing, fitted by maximum likelihood; expected repeat
//     purchases, P(alive), and expectations for a new customer.
//   - Gamma-Gamma (FitGammaGamma, GammaGammaParams): the Fader, Hardie & Lee (2005)
//     spend model; the conditional expected average order value, and CLV combining
//     it with BG/NBD.
//   - Churn risk (ChurnRisk): 1 − P(alive) from a fitted BG/NBD, in low/medium/high
//     bands.
//   - Category affinity (Affinity): each customer's lift on every category, preferred
//     categories, and next best categories by item-to-item co-occurrence.
//
// Invalid input is reported as an *errs.Error with code errs.Invalid whose Field names
// the offending element (for example "customers[3].t_x").
//
// Cost: ScoreRFM is O(n log n) (three sorts), Lifecycle O(n), a BG/NBD or Gamma-Gamma
// fit O(u·k) where u is the number of distinct customer summaries (identical summaries
// are evaluated once) and k the number of likelihood evaluations (a few thousand),
// Affinity O(Σ c_i² + n·C log C) for c_i categories bought by customer i out of C.
package custmodel
