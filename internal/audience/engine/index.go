package engine

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// Index holds one tenant's members as compressed bitmaps: the universe of live
// members, every registered field and the bitmaps of named segments. It is safe for
// concurrent use: Evaluate, Count and Check take a read lock for the duration of one
// evaluation, Update and Define take the write lock, so an evaluation sees either
// all or none of one Update's changes.
type Index struct {
	mu       sync.RWMutex
	universe *roaring.Bitmap
	fields   map[string]*field
	segments map[string]*roaring.Bitmap
}

type field struct {
	kind   Kind
	num    *bsi                       // Number
	values map[string]*roaring.Bitmap // Set: value → members holding it
	any    *roaring.Bitmap            // Set: members with a value; Flag: members with the flag
}

// NewIndex returns an empty Index.
func NewIndex() *Index {
	return &Index{universe: roaring.New(), fields: map[string]*field{}, segments: map[string]*roaring.Bitmap{}}
}

// Define registers field name with kind k. Defining a field again with the same
// kind does nothing; with another kind it is an error wrapping ErrInvalid. Field
// names starting with "days_since:" or "segment:" are reserved.
func (ix *Index) Define(name string, k Kind) error {
	if msg := validFieldName(name); msg != "" {
		return fmt.Errorf("segment: define: %s: %w", msg, ErrInvalid)
	}
	if strings.HasPrefix(name, DaysSincePrefix) || strings.HasPrefix(name, "segment:") {
		return fmt.Errorf("segment: define %q: %w: reserved prefix", name, ErrInvalid)
	}
	if k < Number || k > Flag {
		return fmt.Errorf("segment: define %q: %w: unknown kind %d", name, ErrInvalid, k)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if f, ok := ix.fields[name]; ok {
		if f.kind != k {
			return fmt.Errorf("segment: define %q as %s: %w: already a %s field", name, k, ErrInvalid, f.kind)
		}
		return nil
	}
	f := &field{kind: k, any: roaring.New()}
	switch k {
	case Number:
		f.num = newBSI()
	case Set:
		f.values = map[string]*roaring.Bitmap{}
	}
	ix.fields[name] = f
	return nil
}

// Members returns the number of live members.
func (ix *Index) Members() uint64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.universe.GetCardinality()
}

// Update runs fn with a Tx holding the write lock. Changes fn made before it
// returned an error stay applied.
func (ix *Index) Update(fn func(tx *Tx) error) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return fn(&Tx{ix: ix})
}

// Tx changes an Index inside Update. Every change costs O(the fields touched), and
// clearing a Set field also O(that field's distinct values); nothing is rebuilt.
type Tx struct{ ix *Index }

func (tx *Tx) field(name string, k Kind) (*field, error) {
	f, ok := tx.ix.fields[name]
	if !ok {
		return nil, fmt.Errorf("segment: unknown field %q: %w", name, ErrInvalid)
	}
	if f.kind != k {
		return nil, fmt.Errorf("segment: field %q is a %s field, not %s: %w", name, f.kind, k, ErrInvalid)
	}
	return f, nil
}

// Add makes member m live (setting a value does too).
func (tx *Tx) Add(m uint32) { tx.ix.universe.Add(m) }

// Remove clears every value of member m and takes it out of the universe; a
// removed member is in no result, whatever segment bitmaps still hold it.
func (tx *Tx) Remove(m uint32) {
	for _, f := range tx.ix.fields {
		f.clear(m)
	}
	tx.ix.universe.Remove(m)
}

// SetNumber sets m's value of Number field name to v.
func (tx *Tx) SetNumber(m uint32, name string, v int64) error {
	f, err := tx.field(name, Number)
	if err != nil {
		return err
	}
	f.num.set(m, v)
	tx.ix.universe.Add(m)
	return nil
}

// SetValues replaces m's values of Set field name by values (none clears them).
func (tx *Tx) SetValues(m uint32, name string, values ...string) error {
	f, err := tx.field(name, Set)
	if err != nil {
		return err
	}
	f.clear(m)
	for _, v := range values {
		bm := f.values[v]
		if bm == nil {
			bm = roaring.New()
			f.values[v] = bm
		}
		bm.Add(m)
		f.any.Add(m)
	}
	tx.ix.universe.Add(m)
	return nil
}

// SetFlag sets or clears m's Flag field name.
func (tx *Tx) SetFlag(m uint32, name string, on bool) error {
	f, err := tx.field(name, Flag)
	if err != nil {
		return err
	}
	if on {
		f.any.Add(m)
	} else {
		f.any.Remove(m)
	}
	tx.ix.universe.Add(m)
	return nil
}

// Put sets m's values of the fields in row (see Row for the Go types per kind; nil
// clears) and leaves its other fields alone.
func (tx *Tx) Put(m uint32, row Row) error {
	names := make([]string, 0, len(row))
	for k := range row {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := tx.put(m, name, row[name]); err != nil {
			return err
		}
	}
	tx.ix.universe.Add(m)
	return nil
}

// Replace makes row m's complete set of values: fields not in row are cleared.
func (tx *Tx) Replace(m uint32, row Row) error {
	for name, f := range tx.ix.fields {
		if _, ok := row[name]; !ok {
			f.clear(m)
		}
	}
	return tx.Put(m, row)
}

func (tx *Tx) put(m uint32, name string, v any) error {
	f, ok := tx.ix.fields[name]
	if !ok {
		return fmt.Errorf("segment: unknown field %q: %w", name, ErrInvalid)
	}
	if v == nil {
		f.clear(m)
		return nil
	}
	mismatch := func() error {
		return fmt.Errorf("segment: field %q is a %s field, value %v (%T) does not fit: %w", name, f.kind, v, v, ErrInvalid)
	}
	switch f.kind {
	case Number:
		n, ok := rowNumber(v)
		if !ok {
			return mismatch()
		}
		return tx.SetNumber(m, name, n)
	case Set:
		switch x := v.(type) {
		case string:
			return tx.SetValues(m, name, x)
		case []string:
			return tx.SetValues(m, name, x...)
		}
		return mismatch()
	default:
		b, ok := v.(bool)
		if !ok {
			return mismatch()
		}
		return tx.SetFlag(m, name, b)
	}
}

// SetSegment sets the members of segment code (the service's stored or freshly
// evaluated result); the Index keeps bm, so the caller must not change it after.
// A nil bm is an empty segment.
func (tx *Tx) SetSegment(code string, bm *roaring.Bitmap) {
	if bm == nil {
		bm = roaring.New()
	}
	tx.ix.segments[code] = bm
}

func (f *field) clear(m uint32) {
	switch f.kind {
	case Number:
		f.num.clear(m)
	case Set:
		if !f.any.CheckedRemove(m) {
			return
		}
		for v, bm := range f.values {
			if bm.CheckedRemove(m) && bm.IsEmpty() {
				delete(f.values, v)
			}
		}
	case Flag:
		f.any.Remove(m)
	}
}

// Stats describes an Index's size.
type Stats struct {
	Members   uint64 // live members
	Fields    int    // defined fields
	Bitmaps   int    // bitmaps held (values, planes, flags, segments)
	SizeBytes uint64 // serialized size of all bitmaps
}

// Stats returns the Index's size.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	s := Stats{Members: ix.universe.GetCardinality(), Fields: len(ix.fields)}
	add := func(bm *roaring.Bitmap) { s.Bitmaps++; s.SizeBytes += bm.GetSerializedSizeInBytes() }
	add(ix.universe)
	for _, f := range ix.fields {
		add(f.any)
		for _, bm := range f.values {
			add(bm)
		}
		if f.num != nil {
			add(f.num.exists)
			add(f.num.neg)
			for _, p := range f.num.planes {
				add(p)
			}
		}
	}
	for _, bm := range ix.segments {
		add(bm)
	}
	return s
}

// Optimize converts runs of consecutive members to run containers in every
// bitmap (worth it after a bulk build).
func (ix *Index) Optimize() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.universe.RunOptimize()
	for _, f := range ix.fields {
		f.any.RunOptimize()
		for _, bm := range f.values {
			bm.RunOptimize()
		}
		if f.num != nil {
			f.num.exists.RunOptimize()
			for _, p := range f.num.planes {
				p.RunOptimize()
			}
		}
	}
}
