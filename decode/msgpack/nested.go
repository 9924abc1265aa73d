package msgpack

import (
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
)

// listBuilder is what list and large-list builders have in common.
type listBuilder interface {
	Append(bool)
	AppendNull()
}

// listCol decodes arrays into a list, large list or fixed-size list column.
type listCol struct {
	b            listBuilder
	elem         column
	elemNullable bool
	fixed        int // the length of a fixed-size list, else 0
}

func (c *listCol) decode(r *reader, depth int) error {
	ch := r.b[r.p]
	if !isArray(ch) {
		c.b.AppendNull()
		return r.wrongType(ch, "array")
	}
	start := r.p
	n, err := r.arrayLen(ch)
	if err == nil && c.fixed > 0 && n != c.fixed {
		r.p = start
		err = r.fail(decode.ErrType, "array of %d items, want %d", n, c.fixed)
	}
	if err != nil {
		c.b.AppendNull()
		return err
	}
	c.b.Append(true)
	for i := range n {
		if err := decodeSlot(r, c.elem, c.elemNullable, depth+1); err != nil {
			for j := i + 1; j < c.fixed; j++ { // a fixed-size list needs all its items
				c.elem.appendNull()
			}
			return within(err, "[]")
		}
	}
	return nil
}

func (c *listCol) appendNull() { c.b.AppendNull() }

// mapCol decodes maps into a map column: keys (never nil) and items.
type mapCol struct {
	b            *array.MapBuilder
	key, item    column
	itemNullable bool
}

func (c *mapCol) decode(r *reader, depth int) error {
	ch := r.b[r.p]
	if !isMap(ch) {
		c.b.AppendNull()
		return r.wrongType(ch, "map")
	}
	n, err := r.mapLen(ch)
	if err != nil {
		c.b.AppendNull()
		return err
	}
	c.b.Append(true)
	for range n {
		if err := decodeSlot(r, c.key, false, depth+1); err != nil {
			c.item.appendNull()
			return err // a key error is the map's own
		}
		if err := decodeSlot(r, c.item, c.itemNullable, depth+1); err != nil {
			return within(err, "{}")
		}
	}
	return nil
}

func (c *mapCol) appendNull() { c.b.AppendNull() }

// structField is one field of a struct column. Fields of the commonest
// types also keep their concrete builder, so the struct loop can append the
// commonest encodings without a dynamic call (fast); anything else goes
// through col.
type structField struct {
	name     string
	col      column
	nullable bool
	fast     uint8 // fastNone, fastText, fastBytes, fastInt64, fastFloat64, fastBool
	bin      *array.BinaryBuilder
	i64      *array.Int64Builder
	f64      *array.Float64Builder
	bl       *array.BooleanBuilder
}

const (
	fastNone = iota
	fastText
	fastBytes
	fastInt64
	fastFloat64
	fastBool
)

// setFast records the concrete builder of a field with a fast path.
func (f *structField) setFast(dt arrow.DataType, b array.Builder) {
	switch dt.ID() {
	case arrow.STRING:
		f.fast, f.bin = fastText, b.(*array.StringBuilder).BinaryBuilder
	case arrow.BINARY:
		f.fast, f.bin = fastBytes, b.(*array.BinaryBuilder)
	case arrow.INT64:
		f.fast, f.i64 = fastInt64, b.(*array.Int64Builder)
	case arrow.FLOAT64:
		f.fast, f.f64 = fastFloat64, b.(*array.Float64Builder)
	case arrow.BOOL:
		f.fast, f.bl = fastBool, b.(*array.BooleanBuilder)
	}
}

// tryFast appends the value at r.p when it is the commonest encoding for the
// field's type (fixstr, fixint, int64, float64, bool) and reports whether it
// did; otherwise nothing is consumed.
func (f *structField) tryFast(r *reader) bool {
	if r.p >= len(r.b) {
		return false
	}
	c := r.b[r.p]
	switch f.fast {
	case fastText, fastBytes:
		if c&0xe0 != 0xa0 {
			return false
		}
		n := int(c & 0x1f)
		end := r.p + 1 + n
		if end > len(r.b) || n > r.maxBytes {
			return false
		}
		v := r.b[r.p+1 : end : end]
		if f.fast == fastText && !validUTF8(v) {
			return false
		}
		f.bin.Append(v)
		r.p = end
		return true
	case fastInt64:
		if c <= 0x7f {
			appendInt64(f.i64, int64(c))
			r.p++
			return true
		}
		if (c == mInt64 || c == mUint64) && len(r.b)-r.p >= 9 {
			v := beUint64(r.b[r.p+1:])
			if c == mUint64 && v > math.MaxInt64 {
				return false
			}
			appendInt64(f.i64, int64(v)) //nolint:gosec // G115: bit pattern kept; range checked above
			r.p += 9
			return true
		}
	case fastFloat64:
		if c == mFloat64 && len(r.b)-r.p >= 9 {
			v := math.Float64frombits(beUint64(r.b[r.p+1:]))
			if f.f64.Len() < f.f64.Cap() {
				f.f64.UnsafeAppend(v)
			} else {
				f.f64.Append(v)
			}
			r.p += 9
			return true
		}
	case fastBool:
		if c == mTrue || c == mFalse {
			if f.bl.Len() < f.bl.Cap() {
				f.bl.UnsafeAppend(c == mTrue)
			} else {
				f.bl.Append(c == mTrue)
			}
			r.p++
			return true
		}
	}
	return false
}

// appendInt64 skips the builder's capacity check when there is room.
func appendInt64(b *array.Int64Builder, v int64) {
	if b.Len() < b.Cap() {
		b.UnsafeAppend(v)
	} else {
		b.Append(v)
	}
}

// validUTF8 is utf8.Valid with a quicker answer for short ASCII strings.
func validUTF8(v []byte) bool {
	for _, c := range v {
		if c >= utf8.RuneSelf {
			return utf8.Valid(v)
		}
	}
	return true
}

// structCol decodes a map with string keys (by field name; unknown keys
// skipped, missing keys null) or an array of exactly one item per field (by
// position) into a struct column, or into the top-level columns when b is nil.
type structCol struct {
	b      *array.StructBuilder // nil for the top level
	fields []structField
	index  map[string]int
	seen   []uint32 // seen[i] == gen: field i has its entry for this value
	gen    uint32
}

func (c *structCol) decode(r *reader, depth int) error {
	ch := r.b[r.p]
	switch {
	case isMap(ch):
		return c.fromMap(r, ch, depth)
	case isArray(ch):
		return c.fromArray(r, ch, depth)
	}
	c.appendNull()
	return r.wrongType(ch, "map")
}

func (c *structCol) appendNull() {
	if c.b != nil {
		c.b.AppendNull() // appends a null to every field as well
		return
	}
	for i := range c.fields {
		c.fields[i].col.appendNull()
	}
}

func (c *structCol) begin() {
	if c.b != nil {
		c.b.Append(true)
	}
	c.gen++
	if c.gen == 0 { // wrapped: forget every old mark
		clear(c.seen)
		c.gen = 1
	}
}

// abort appends a null to every field that has no entry yet and returns err.
func (c *structCol) abort(err error) error {
	for i := range c.fields {
		if c.seen[i] != c.gen {
			c.fields[i].col.appendNull()
		}
	}
	return err
}

func (c *structCol) fromMap(r *reader, ch byte, depth int) error {
	n, err := r.mapLen(ch)
	if err != nil {
		c.appendNull()
		return err
	}
	c.begin()
	next := 0 // producers usually write fields in schema order: try that first
	for range n {
		keyAt := r.p
		var k []byte
		if keyAt < len(r.b) && r.b[keyAt]&0xe0 == 0xa0 && keyAt+1+int(r.b[keyAt]&0x1f) <= len(r.b) && int(r.b[keyAt]&0x1f) <= r.maxBytes {
			end := keyAt + 1 + int(r.b[keyAt]&0x1f) // fixstr key: the common case
			k = r.b[keyAt+1 : end]
			r.p = end
		} else if k, _, err = r.strOrBin(); err != nil {
			return c.abort(err)
		}
		idx := -1
		if next < len(c.fields) && string(k) == c.fields[next].name {
			idx = next
		} else if i, ok := c.index[string(k)]; ok {
			idx = i
		}
		if idx < 0 {
			if err := r.skip(depth + 1); err != nil {
				return c.abort(err)
			}
			continue
		}
		f := &c.fields[idx]
		if c.seen[idx] == c.gen {
			r.p = keyAt
			return c.abort(within(r.fail(decode.ErrType, "duplicate key %q", f.name), f.name))
		}
		c.seen[idx] = c.gen
		next = idx + 1
		if f.fast != fastNone && f.tryFast(r) {
			continue
		}
		if err := decodeSlot(r, f.col, f.nullable, depth+1); err != nil {
			return c.abort(within(err, f.name))
		}
	}
	var missing error
	for i := range c.fields {
		if c.seen[i] == c.gen {
			continue
		}
		f := &c.fields[i]
		f.col.appendNull()
		if !f.nullable && missing == nil {
			missing = within(r.fail(decode.ErrNull, "key is missing"), f.name)
		}
	}
	return missing
}

func (c *structCol) fromArray(r *reader, ch byte, depth int) error {
	start := r.p
	n, err := r.arrayLen(ch)
	if err == nil && n != len(c.fields) {
		r.p = start
		err = r.fail(decode.ErrType, "array of %d items for a struct of %d fields", n, len(c.fields))
	}
	if err != nil {
		c.appendNull()
		return err
	}
	c.begin()
	for i := range c.fields {
		f := &c.fields[i]
		c.seen[i] = c.gen
		if err := decodeSlot(r, f.col, f.nullable, depth+1); err != nil {
			return c.abort(within(err, f.name))
		}
	}
	return nil
}
