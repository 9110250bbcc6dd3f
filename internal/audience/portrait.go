package audience

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/oneretail/oneretail/internal/audience/engine"
	"github.com/oneretail/oneretail/internal/platform/auth"
)

// PortraitBucket is one value of a dimension: how many of the segment and of the
// whole base hold it, and the index (share in segment ÷ share in base × 100).
type PortraitBucket struct {
	Value   string
	Segment int64
	Base    int64
	Index   float64
}

// PortraitDimension is one attribute or tag the portrait compares on.
type PortraitDimension struct {
	Field   string
	Buckets []PortraitBucket
}

// Portrait compares a segment with the whole base.
type Portrait struct {
	Segment    int64
	Base       int64
	Dimensions []PortraitDimension
}

// ageBands are the portrait's age bands (inclusive bounds).
var ageBands = []struct {
	label    string
	from, to int64
}{{"<25", 0, 24}, {"25-34", 25, 34}, {"35-44", 35, 44}, {"45-54", 45, 54}, {"55+", 55, 200}}

// portraitFields are the set-valued fields the portrait always shows; enum tags are
// added after them.
var portraitFields = []string{fieldGender, fieldCity, fieldTier, fieldChannels, fieldRegChannel, engine.BoughtField("365d")}

// maxPortraitValues bounds the values of one dimension (the largest in the base).
const maxPortraitValues = 20

// SegmentPortrait returns the portrait of a saved segment. Errors: not_found,
// unauthorized, forbidden.
func (s *Service) SegmentPortrait(ctx context.Context, id string) (Portrait, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return Portrait{}, err
	}
	g, err := findSegment(ctx, s.db.Reader(), p.TenantID, id)
	if err != nil {
		return Portrait{}, fmt.Errorf("audience: portrait %s: %w", id, err)
	}
	return s.portrait(ctx, p.TenantID, g.Definition)
}

// PreviewPortrait returns the portrait of an unsaved condition. Errors: invalid,
// unauthorized, forbidden.
func (s *Service) PreviewPortrait(ctx context.Context, def []byte, text string) (Portrait, error) {
	p, err := caller(ctx, auth.AudiencesRead)
	if err != nil {
		return Portrait{}, err
	}
	c, err := parseDefinition(def, text)
	if err != nil {
		return Portrait{}, err
	}
	if _, err := s.checkCond(ctx, p.TenantID, "", "body.definition", c); err != nil {
		return Portrait{}, err
	}
	return s.portrait(ctx, p.TenantID, c)
}

func (s *Service) portrait(ctx context.Context, tenantID string, c engine.Cond) (Portrait, error) {
	ti, err := s.index(ctx, tenantID)
	if err != nil {
		return Portrait{}, err
	}
	ti.mu.Lock()
	defer ti.mu.Unlock()
	seg, err := ti.ix.Evaluate(c, ti.day)
	if err != nil {
		return Portrait{}, fmt.Errorf("audience: portrait: %w", err)
	}
	base := int64(ti.ix.Members())
	out := Portrait{Segment: int64(seg.GetCardinality()), Base: base}
	fields := append([]string(nil), portraitFields...)
	for _, t := range ti.tags {
		if t.ValueType == ValueEnum && t.Status == StatusActive {
			fields = append(fields, engine.TagField(t.Code))
		}
	}
	for _, f := range fields {
		d, err := ti.setDimension(f, seg, out)
		if err != nil {
			return Portrait{}, err
		}
		if len(d.Buckets) > 0 {
			out.Dimensions = append(out.Dimensions, d)
		}
	}
	ages := PortraitDimension{Field: fieldAge}
	for _, b := range ageBands {
		bm, err := ti.ix.Evaluate(engine.Compare(fieldAge, engine.Between, engine.Int(b.from), engine.Int(b.to)), ti.day)
		if err != nil {
			return Portrait{}, fmt.Errorf("audience: portrait: %w", err)
		}
		ages.Buckets = append(ages.Buckets, bucket(b.label, seg, bm, out))
	}
	out.Dimensions = append(out.Dimensions, ages)
	return out, nil
}

// setDimension compares the segment with the base on a set field's values, the
// most common in the base first.
func (ti *tenantIndex) setDimension(field string, seg *roaring.Bitmap, p Portrait) (PortraitDimension, error) {
	counts := map[string]int64{}
	for _, row := range ti.rows {
		switch v := row[field].(type) {
		case string:
			counts[v]++
		case []string:
			for _, x := range v {
				counts[x]++
			}
		}
	}
	values := make([]string, 0, len(counts))
	for v := range counts {
		values = append(values, v)
	}
	sort.Slice(values, func(i, j int) bool {
		if counts[values[i]] != counts[values[j]] {
			return counts[values[i]] > counts[values[j]]
		}
		return values[i] < values[j]
	})
	if len(values) > maxPortraitValues {
		values = values[:maxPortraitValues]
	}
	d := PortraitDimension{Field: field}
	for _, v := range values {
		bm, err := ti.ix.Evaluate(engine.Compare(field, engine.Eq, engine.Str(v)), ti.day)
		if err != nil {
			return d, fmt.Errorf("audience: portrait %s: %w", field, err)
		}
		d.Buckets = append(d.Buckets, bucket(v, seg, bm, p))
	}
	return d, nil
}

func bucket(label string, seg, holders *roaring.Bitmap, p Portrait) PortraitBucket {
	b := PortraitBucket{Value: label, Segment: int64(seg.AndCardinality(holders)), Base: int64(holders.GetCardinality())}
	if p.Segment > 0 && b.Base > 0 && p.Base > 0 {
		idx := (float64(b.Segment) / float64(p.Segment)) / (float64(b.Base) / float64(p.Base)) * 100
		b.Index, _ = strconv.ParseFloat(strconv.FormatFloat(idx, 'f', 1, 64), 64)
	}
	return b
}
