package audience

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/oneretail/oneretail/internal/audience/custmodel"
	"github.com/oneretail/oneretail/internal/audience/engine"
	"github.com/oneretail/oneretail/internal/platform/auth"
	"github.com/oneretail/oneretail/internal/platform/db"
	"github.com/oneretail/oneretail/internal/platform/errs"
	"github.com/oneretail/oneretail/internal/platform/httpapi"
	"github.com/oneretail/oneretail/internal/platform/ids"
)

// JobModels is the job kind that runs every customer model and writes the computed
// tags (RFM, lifecycle, churn, lifetime value, category affinity).
const JobModels = "models"

// The job statuses.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// jobClaim is how long a node holds a running job between progress writes; a job
// whose node died is taken over once it lapses.
const jobClaim = 30 * time.Second

// modelBatch is how many tag values one transaction (one progress step) writes.
const modelBatch = 1000

// Job is a model run.
type Job struct {
	ID         string
	Kind       string
	Status     string
	Done       int64
	Total      int64
	Result     map[string]any
	Error      string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

// The computed tags the models write, created in the library on the first run.
var modelTags = []TagInput{
	{Code: "rfm_layer", Name: "RFM 价值分层", Group: "价值分层", Kind: TagComputed, ValueType: ValueEnum, EnumValues: rfmLayerNames()},
	{Code: "rfm_r", Name: "RFM 最近消费得分", Group: "价值分层", Kind: TagComputed, ValueType: ValueNumber},
	{Code: "rfm_f", Name: "RFM 消费频次得分", Group: "价值分层", Kind: TagComputed, ValueType: ValueNumber},
	{Code: "rfm_m", Name: "RFM 消费金额得分", Group: "价值分层", Kind: TagComputed, ValueType: ValueNumber},
	{Code: "lifecycle_stage", Name: "生命周期阶段", Group: "生命周期", Kind: TagComputed, ValueType: ValueEnum,
		EnumValues: []string{"潜在客户", "新客户", "活跃客户", "沉睡客户", "流失客户"}},
	{Code: "churn_risk", Name: "流失风险（%）", Group: "预测", Kind: TagComputed, ValueType: ValueNumber},
	{Code: "churn_band", Name: "流失风险分层", Group: "预测", Kind: TagComputed, ValueType: ValueEnum, EnumValues: []string{"低", "中", "高"}},
	{Code: "clv_365d", Name: "预测一年价值（元）", Group: "预测", Kind: TagComputed, ValueType: ValueNumber},
	{Code: "preferred_category", Name: "偏好品类", Group: "偏好", Kind: TagComputed, ValueType: ValueEnum, EnumValues: []string{"-"}},
	{Code: "next_best_category", Name: "下一个推荐品类", Group: "偏好", Kind: TagComputed, ValueType: ValueEnum, EnumValues: []string{"-"}},
}

func rfmLayerNames() []string {
	var out []string
	for _, l := range custmodel.RFMLayers() {
		out = append(out, l.NameZH())
	}
	return out
}

var stageNames = map[custmodel.Stage]string{custmodel.StageProspect: "潜在客户", custmodel.StageNew: "新客户",
	custmodel.StageActive: "活跃客户", custmodel.StageDormant: "沉睡客户", custmodel.StageLost: "流失客户"}

var bandNames = map[custmodel.ChurnBand]string{custmodel.ChurnLow: "低", custmodel.ChurnMedium: "中", custmodel.ChurnHigh: "高"}

// StartJob starts a model run; it runs in the background (RunJobs) and its progress
// is read with FindJobByID. Errors: invalid (body.kind), conflict (a run is going),
// unauthorized, forbidden.
func (s *Service) StartJob(ctx context.Context, kind string) (Job, error) {
	p, err := caller(ctx, auth.AudiencesWrite)
	if err != nil {
		return Job{}, err
	}
	if kind != JobModels {
		return Job{}, errs.Field("body.kind", "the job kind is models")
	}
	now := s.now()
	j := Job{ID: ids.New(), Kind: kind, Status: JobRunning, StartedAt: now, UpdatedAt: now, Result: map[string]any{}}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var running int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audience_jobs WHERE tenant_id = $1 AND status = 'running'`,
			p.TenantID).Scan(&running); err != nil {
			return err
		}
		if running > 0 {
			return errs.E(errs.Conflict, "a model run is going: wait for it to finish")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audience_jobs (id, tenant_id, kind, status, started_at, updated_at)
			VALUES ($1, $2, $3, 'running', $4, $4)`, j.ID, p.TenantID, kind, millis(now))
		return err
	})
	if err != nil {
		return Job{}, fmt.Errorf("audience: start job: %w", err)
	}
	return j, nil
}

const jobCols = `id, kind, status, done, total, result, error, started_at, updated_at, finished_at`

func scanJob(row interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var result string
	var started, updated int64
	var finished sql.NullInt64
	if err := row.Scan(&j.ID, &j.Kind, &j.Status, &j.Done, &j.Total, &result, &j.Error, &started, &updated, &finished); err != nil {
		return Job{}, err
	}
	if err := json.Unmarshal([]byte(result), &j.Result); err != nil {
		return Job{}, fmt.Errorf("result of job %s: %w", j.ID, err)
	}
	j.StartedAt, j.UpdatedAt = fromMillis(started), fromMillis(updated)
	if finished.Valid {
		t := fromMillis(finished.Int64)
		j.FinishedAt = &t
	}
	return j, nil
}

// FindJobByID returns a job with its progress. Errors: not_found, unauthorized,
// forbidden.
func (s *Service) FindJobByID(ctx context.Context, id string) (Job, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return Job{}, err
	}
	j, err := scanJob(s.db.Reader().QueryRowContext(ctx, `SELECT `+jobCols+` FROM audience_jobs WHERE tenant_id = $1 AND id = $2`, p.TenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, errs.E(errs.NotFound, "job not found")
	}
	if err != nil {
		return Job{}, fmt.Errorf("audience: find job %s: %w", id, err)
	}
	return j, nil
}

// FindJobs returns the tenant's latest jobs, newest first. Errors: unauthorized,
// forbidden.
func (s *Service) FindJobs(ctx context.Context) ([]Job, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return nil, err
	}
	out := []Job{}
	err = db.EachRow(ctx, s.db.Reader(), `SELECT `+jobCols+` FROM audience_jobs WHERE tenant_id = $1 ORDER BY started_at DESC LIMIT 20`,
		[]any{p.TenantID}, func(rs *sql.Rows) error {
			j, err := scanJob(rs)
			if err != nil {
				return err
			}
			out = append(out, j)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("audience: find jobs: %w", err)
	}
	return out, nil
}

// RunJobs runs due model jobs until ctx ends, looking every few seconds.
func (s *Service) RunJobs(ctx context.Context) error {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		// A job records its own failure; a claim that failed is tried again next round.
		_, _ = s.RunDueJobs(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// RunDueJobs claims and runs every running job whose claim lapsed (new ones, and
// those of a node that died: they resume from their recorded progress). It returns
// how many it ran.
func (s *Service) RunDueJobs(ctx context.Context) (int, error) {
	n := 0
	for {
		tenantID, id, err := s.claimJob(ctx)
		if err != nil || id == "" {
			return n, err
		}
		n++
		if err := s.runModels(ctx, tenantID, id); err != nil {
			s.failJob(ctx, id, err)
		}
	}
}

func (s *Service) claimJob(ctx context.Context) (string, string, error) {
	var tenantID, id string
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		tenantID, id = "", ""
		err := tx.QueryRowContext(ctx, `SELECT tenant_id, id FROM audience_jobs WHERE status = 'running' AND claimed_until < $1
			ORDER BY started_at LIMIT 1`+s.db.Dialect.ForUpdate(), millis(now)).Scan(&tenantID, &id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE audience_jobs SET claimed_until = $2 WHERE id = $1`, id, millis(now.Add(jobClaim)))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("audience: claim job: %w", err)
	}
	return tenantID, id, nil
}

func (s *Service) failJob(ctx context.Context, id string, cause error) {
	now := millis(s.now())
	_ = s.db.Tx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audience_jobs SET status = 'failed', error = $2, updated_at = $3, finished_at = $3 WHERE id = $1`,
			id, cause.Error(), now)
		return err
	})
}

// modelValue is one computed tag value to write.
type modelValue struct {
	customerID string
	code       string
	value      string
	num        *float64
}

// runModels computes every model over the tenant's members and writes the computed
// tags in batches, recording progress; a resumed run recomputes (the models are
// deterministic) and skips the values already written.
func (s *Service) runModels(ctx context.Context, tenantID, jobID string) error {
	var done int64
	if err := s.db.Reader().QueryRowContext(ctx, `SELECT done FROM audience_jobs WHERE id = $1`, jobID).Scan(&done); err != nil {
		return fmt.Errorf("audience: job %s: %w", jobID, err)
	}
	var members []Member
	err := s.deps.Facts.Members(ctx, tenantID, nil, s.now().Add(-factsHorizon), func(m Member) error {
		members = append(members, m)
		return nil
	})
	if err != nil {
		return fmt.Errorf("audience: models: facts: %w", err)
	}
	sort.Slice(members, func(i, j int) bool { return members[i].CustomerID < members[j].CustomerID })
	values, result, err := computeModels(members, s.now().In(s.zone()))
	if err != nil {
		return err
	}
	tags, err := s.ensureModelTags(ctx, tenantID, values)
	if err != nil {
		return err
	}
	if done == 0 {
		if err := s.clearModelTags(ctx, tenantID, tags); err != nil {
			return err
		}
	}
	total := int64(len(values))
	for start := done; start < total; start += modelBatch {
		end := min(start+modelBatch, total)
		if err := s.writeModelBatch(ctx, tenantID, jobID, tags, values[start:end], end, total); err != nil {
			return err
		}
	}
	raw, err := json.Marshal(result)
	if err != nil {
		return err
	}
	now := millis(s.now())
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE audience_jobs SET status = 'done', done = $2, total = $2, result = $3, updated_at = $4,
			finished_at = $4 WHERE id = $1`, jobID, total, string(raw), now); err != nil {
			return err
		}
		// Every node rebuilds its index when a definition's updated_at moves: the
		// computed values changed wholesale.
		_, err := tx.ExecContext(ctx, `UPDATE audience_tag_definitions SET updated_at = $2 WHERE tenant_id = $1 AND kind = 'computed'`,
			tenantID, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("audience: finish job %s: %w", jobID, err)
	}
	s.invalidate(tenantID)
	return nil
}

func (s *Service) writeModelBatch(ctx context.Context, tenantID, jobID string, tags map[string]TagDefinition, batch []modelValue, done, total int64) error {
	rows := make([]tagValueRow, 0, len(batch))
	for _, v := range batch {
		rows = append(rows, tagValueRow{TagID: tags[v.code].ID, CustomerID: v.customerID, Value: v.value, Num: v.num, Source: "job:" + jobID})
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := upsertTagValues(ctx, tx, s.db.Dialect, tenantID, now, rows); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE audience_jobs SET done = $2, total = $3, updated_at = $4, claimed_until = $5 WHERE id = $1`,
			jobID, done, total, millis(now), millis(now.Add(jobClaim)))
		return err
	})
	if err != nil {
		return fmt.Errorf("audience: job %s at %d: %w", jobID, done, err)
	}
	return nil
}

// ensureModelTags creates the computed tags the models write when missing, and
// widens the category enums to the categories the run found.
func (s *Service) ensureModelTags(ctx context.Context, tenantID string, values []modelValue) (map[string]TagDefinition, error) {
	cats := map[string][]string{}
	for _, v := range values {
		if (v.code == "preferred_category" || v.code == "next_best_category") && !slices.Contains(cats[v.code], v.value) {
			cats[v.code] = append(cats[v.code], v.value)
		}
	}
	out := map[string]TagDefinition{}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		existing, err := allTags(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		now := s.now()
		for _, in := range modelTags {
			i := slices.IndexFunc(existing, func(t TagDefinition) bool { return t.Code == in.Code })
			if i < 0 {
				t := TagDefinition{ID: ids.New(), TenantID: tenantID, Code: in.Code, Name: in.Name, Group: in.Group, Kind: in.Kind,
					ValueType: in.ValueType, EnumValues: in.EnumValues, Status: StatusActive, CreatedAt: now, UpdatedAt: now}
				if err := insertTag(ctx, tx, t); err != nil {
					return err
				}
				existing = append(existing, t)
				i = len(existing) - 1
			}
			t := existing[i]
			if found := cats[t.Code]; len(found) > 0 {
				merged := union(slices.DeleteFunc(slices.Clone(t.EnumValues), func(v string) bool { return v == "-" }), found)
				sort.Strings(merged)
				if len(merged) > 200 {
					merged = merged[:200]
				}
				t.EnumValues, t.UpdatedAt = merged, now
				if err := updateTag(ctx, tx, t); err != nil {
					return err
				}
			}
			out[t.Code] = t
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audience: model tags: %w", err)
	}
	return out, nil
}

func (s *Service) clearModelTags(ctx context.Context, tenantID string, tags map[string]TagDefinition) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, t := range tags {
			if _, err := tx.ExecContext(ctx, `DELETE FROM audience_tag_values WHERE tenant_id = $1 AND tag_id = $2`, tenantID, t.ID); err != nil {
				return fmt.Errorf("audience: clear %s: %w", t.Code, err)
			}
		}
		return nil
	})
}

// computeModels runs the models over the members as of now (in the tenant's zone)
// and returns the values to write, sorted by customer, and a summary of the fits.
// Time is in days; a customer's orders are its lifetime orders (same-day orders count
// separately: the order center does not merge tickets).
func computeModels(members []Member, now time.Time) ([]modelValue, map[string]any, error) {
	today := engine.DayOf(now)
	result := map[string]any{"members": len(members)}
	var rfmIn []custmodel.RFMInput
	var life []custmodel.LifecycleInput
	var bg []custmodel.BGNBDCustomer
	var bgIDs []string
	var means []float64 // each BG/NBD customer's mean order value in fen
	var spend []custmodel.SpendCustomer
	var purchases []custmodel.CategoryPurchase
	for _, m := range members {
		m.FirstOrderAt, m.LastOrderAt = notAfter(m.FirstOrderAt, now), notAfter(m.LastOrderAt, now) // a till's clock ahead of ours
		life = append(life, custmodel.LifecycleInput{CustomerID: m.CustomerID, FirstOrder: m.FirstOrderAt, LastOrder: m.LastOrderAt})
		if m.LifetimeOrders == 0 {
			continue
		}
		first, last := engine.DayOf(m.FirstOrderAt.In(now.Location())), engine.DayOf(m.LastOrderAt.In(now.Location()))
		rfmIn = append(rfmIn, custmodel.RFMInput{CustomerID: m.CustomerID, RecencyDays: int(today - last), Frequency: int(m.LifetimeOrders),
			MonetaryFen: max(m.LifetimeSpendFen, 0)})
		c := custmodel.BGNBDCustomer{X: int(m.LifetimeOrders - 1), TX: float64(last - first), T: float64(today - first)}
		if c.X > 0 && c.TX == 0 {
			c.TX = 0.5 // repeat orders on the first day: half a day, as the model needs t_x > 0
		}
		if c.T < c.TX {
			c.T = c.TX
		}
		bg, bgIDs = append(bg, c), append(bgIDs, m.CustomerID)
		means = append(means, float64(max(m.LifetimeSpendFen, 0))/float64(m.LifetimeOrders))
		if c.X > 0 && m.LifetimeSpendFen > 0 {
			spend = append(spend, custmodel.SpendCustomer{X: c.X, MeanSpend: float64(m.LifetimeSpendFen) / float64(m.LifetimeOrders)})
		}
		for _, o := range m.Orders {
			for _, cat := range o.Categories {
				purchases = append(purchases, custmodel.CategoryPurchase{CustomerID: m.CustomerID, Category: cat, Orders: 1})
			}
		}
	}
	var out []modelValue
	num := func(f float64) *float64 { return &f }
	add := func(id, code, value string, n *float64) {
		out = append(out, modelValue{customerID: id, code: code, value: value, num: n})
	}
	rfm, err := custmodel.ScoreRFM(rfmIn)
	if err != nil {
		return nil, nil, fmt.Errorf("audience: rfm: %w", err)
	}
	layers := map[string]int{}
	for _, sc := range rfm.Scores {
		add(sc.CustomerID, "rfm_layer", sc.Layer.NameZH(), nil)
		add(sc.CustomerID, "rfm_r", strconv.Itoa(sc.R), num(float64(sc.R)))
		add(sc.CustomerID, "rfm_f", strconv.Itoa(sc.F), num(float64(sc.F)))
		add(sc.CustomerID, "rfm_m", strconv.Itoa(sc.M), num(float64(sc.M)))
		layers[sc.Layer.NameZH()]++
	}
	result["rfm_layers"] = layers
	stages, err := custmodel.Lifecycle(now, life, custmodel.DefaultLifecycleWindows())
	if err != nil {
		return nil, nil, fmt.Errorf("audience: lifecycle: %w", err)
	}
	counts := map[string]int{}
	for _, st := range stages {
		add(st.CustomerID, "lifecycle_stage", stageNames[st.Stage], nil)
		counts[stageNames[st.Stage]]++
	}
	result["lifecycle"] = counts
	if err := predictions(bg, bgIDs, means, spend, add, result); err != nil {
		return nil, nil, err
	}
	if len(purchases) > 0 {
		aff, err := custmodel.Affinity(purchases, custmodel.AffinityOptions{Measure: custmodel.MeasureOrders, TopN: 1, NextN: 1})
		if err != nil {
			return nil, nil, fmt.Errorf("audience: affinity: %w", err)
		}
		for _, a := range aff {
			if len(a.Preferred) > 0 {
				add(a.CustomerID, "preferred_category", a.Preferred[0], nil)
			}
			if len(a.NextBest) > 0 {
				add(a.CustomerID, "next_best_category", a.NextBest[0].Category, nil)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].customerID < out[j].customerID })
	return out, result, nil
}

// predictions fits BG/NBD and Gamma-Gamma and adds churn risk and one-year value in
// yuan (means[i] is customer i's mean order value in fen). A
// base too small or too regular to fit gets no predictions (the result says why).
func predictions(bg []custmodel.BGNBDCustomer, ids []string, means []float64, spend []custmodel.SpendCustomer, add func(string, string, string, *float64),
	result map[string]any) error {
	repeaters := 0
	for _, c := range bg {
		if c.X > 0 {
			repeaters++
		}
	}
	if repeaters < 20 || len(spend) < 20 {
		result["predictions"] = "skipped: fewer than 20 repeat customers"
		return nil
	}
	fit, err := custmodel.FitBGNBD(bg)
	if err != nil {
		result["predictions"] = "skipped: " + err.Error()
		return nil
	}
	gg, err := custmodel.FitGammaGamma(spend)
	if err != nil {
		result["predictions"] = "skipped: " + err.Error()
		return nil
	}
	result["bgnbd"] = map[string]float64{"r": fit.Params.R, "alpha": fit.Params.Alpha, "a": fit.Params.A, "b": fit.Params.B}
	result["gamma_gamma"] = map[string]float64{"p": gg.Params.P, "q": gg.Params.Q, "gamma": gg.Params.Gamma}
	for i, c := range bg {
		if c.X == 0 {
			continue // BG/NBD says nothing of one-time buyers' churn: their lifecycle stage does
		}
		ch, err := custmodel.ChurnRisk(fit.Params, c, custmodel.ChurnBands{})
		if err != nil {
			return fmt.Errorf("audience: churn of %s: %w", ids[i], err)
		}
		pct := math.Round(ch.Risk * 100)
		add(ids[i], "churn_risk", strconv.FormatFloat(pct, 'f', -1, 64), &pct)
		add(ids[i], "churn_band", bandNames[ch.Band], nil)
	}
	for i, c := range bg {
		if c.X == 0 || means[i] <= 0 {
			continue
		}
		v, err := custmodel.CLV(fit.Params, gg.Params, c, means[i], custmodel.CLVOptions{Horizon: 365})
		if err != nil {
			return fmt.Errorf("audience: value of %s: %w", ids[i], err)
		}
		yuan := math.Round(v / 100)
		add(ids[i], "clv_365d", strconv.FormatFloat(yuan, 'f', -1, 64), &yuan)
	}
	return nil
}

// notAfter returns t, or now when t is later.
func notAfter(t, now time.Time) time.Time {
	if t.After(now) {
		return now
	}
	return t
}

// JobRequest starts a job.
type JobRequest struct {
	Kind string `json:"kind" enum:"models" doc:"models: RFM layers, lifecycle stages, churn risk (BG/NBD), one-year value (BG/NBD × Gamma-Gamma) and category affinity, written as computed tags."`
}

// JobResponse is a job and its progress.
type JobResponse struct {
	ID         string         `json:"id"`
	Kind       string         `json:"kind"`
	Status     string         `json:"status" enum:"running,done,failed"`
	Done       int64          `json:"done" doc:"Tag values written so far."`
	Total      int64          `json:"total" doc:"Tag values to write (known once the models ran)."`
	Result     map[string]any `json:"result" doc:"A summary: members, RFM layer and lifecycle counts, fitted BG/NBD and Gamma-Gamma parameters."`
	Error      string         `json:"error,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	FinishedAt *time.Time     `json:"finished_at,omitempty"`
}

func jobResponse(j Job) JobResponse {
	if j.Result == nil {
		j.Result = map[string]any{}
	}
	return JobResponse{ID: j.ID, Kind: j.Kind, Status: j.Status, Done: j.Done, Total: j.Total, Result: j.Result, Error: j.Error,
		StartedAt: j.StartedAt, UpdatedAt: j.UpdatedAt, FinishedAt: j.FinishedAt}
}

// JobsResponse lists jobs.
type JobsResponse struct {
	Items []JobResponse `json:"items"`
}

func (s *Service) registerJobs(api huma.API) {
	tags := []string{audienceTag}
	huma.Register(api, huma.Operation{OperationID: "start-audience-job", Method: http.MethodPost, Path: "/api/v1/audience-jobs",
		Summary: "Run the customer models", Description: "Starts a background run that writes the computed tags; read its progress with get-audience-job.",
		Tags: tags, Security: httpapi.Secured(auth.AudiencesWrite), DefaultStatus: http.StatusAccepted,
	}, func(ctx context.Context, in *struct{ Body JobRequest }) (*httpapi.Body[JobResponse], error) {
		return httpapi.Reply(jobResponse)(s.StartJob(ctx, in.Body.Kind))
	})
	huma.Register(api, huma.Operation{OperationID: "list-audience-jobs", Method: http.MethodGet, Path: "/api/v1/audience-jobs",
		Summary: "The latest model runs", Tags: tags, Security: httpapi.Secured(auth.AudiencesRead),
	}, func(ctx context.Context, _ *struct{}) (*httpapi.Body[JobsResponse], error) {
		return httpapi.Reply(func(js []Job) JobsResponse {
			out := JobsResponse{Items: make([]JobResponse, len(js))}
			for i, j := range js {
				out.Items[i] = jobResponse(j)
			}
			return out
		})(s.FindJobs(ctx))
	})
	huma.Register(api, huma.Operation{OperationID: "get-audience-job", Method: http.MethodGet, Path: "/api/v1/audience-jobs/{id}",
		Summary: "A model run and its progress", Tags: tags, Security: httpapi.Secured(auth.AudiencesRead),
	}, func(ctx context.Context, in *idInput) (*httpapi.Body[JobResponse], error) {
		return httpapi.Reply(jobResponse)(s.FindJobByID(ctx, in.ID))
	})
}
