package json

import (
	"bytes"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sabot-kafka/sabot/decode"
)

// objDec decodes a JSON object into fields: the top-level columns (sb nil)
// or a struct column. Keys are matched by predicting the next field in
// declaration order (producers usually write keys in a fixed order) and then
// through the key table; unknown keys are skipped.
type objDec struct {
	base
	sb       *array.StructBuilder // nil for the top level
	fields   []dec
	kids     []*node
	keys     *keyTable
	seen     []bool
	closed   bool  // unknown keys are a validation error
	required []int // fields that must be present (validation)
}

func (d *objDec) null() {
	if d.sb != nil {
		d.sb.AppendNull() // appends a null to every child too
		return
	}
	for _, f := range d.fields {
		f.null()
	}
}

func (d *objDec) value(s *scanner, c byte) error {
	if c != '{' {
		if c == 'n' && s.isNull() {
			d.null()
			if !d.nullOK {
				return d.badNull(s)
			}
			return nil
		}
		d.null()
		return d.wrongKind(s, "object", c)
	}
	if d.sb != nil {
		d.sb.Append(true)
	}
	return d.object(s)
}

// object reads the object at s.pos ('{'), one entry per field.
func (d *objDec) object(s *scanner) error {
	clear(d.seen)
	if err := s.enter(d.path); err != nil {
		return d.fail(err)
	}
	s.pos++
	c := s.ws()
	if c == '}' {
		s.pos++
		s.depth--
		return d.finish(s)
	}
	next, n := 0, 0
	for {
		if c != '"' {
			return d.fail(s.syntax(d.path, "expected an object key"))
		}
		key, err := s.str(d.path, &s.keyBuf)
		if err != nil {
			return d.fail(err)
		}
		if s.ws() != ':' {
			return d.fail(s.syntax(d.path, "expected ':' after an object key"))
		}
		s.pos++
		c = s.ws()
		var i int
		if next < len(d.fields) && bytes.Equal(d.keys.names[next], key) {
			i = next
		} else {
			i = d.keys.lookup(key)
		}
		switch {
		case i >= 0 && d.seen[i]:
			return d.fail(s.fail(decode.ErrType, d.kids[i].path, "duplicate key %q", key))
		case i >= 0:
			d.seen[i] = true
			if err := d.fields[i].value(s, c); err != nil {
				return d.fail(err)
			}
			next = i + 1
		case d.closed:
			return d.fail(s.fail(decode.ErrInvalid, d.path, "additional property %q is not allowed", key))
		default:
			if err := s.skip(d.path); err != nil {
				return d.fail(err)
			}
		}
		if n++; n > s.lim.MaxItems {
			return d.fail(s.fail(decode.ErrTooLarge, d.path, "object with more than %d keys", s.lim.MaxItems))
		}
		switch c = s.ws(); c {
		case ',':
			s.pos++
			c = s.ws()
		case '}':
			s.pos++
			s.depth--
			return d.finish(s)
		default:
			return d.fail(s.syntax(d.path, "expected ',' or '}' in an object"))
		}
	}
}

// finish appends nulls for absent fields and reports the first absent field
// that may not be absent.
func (d *objDec) finish(s *scanner) error {
	var err error
	for _, i := range d.required {
		if !d.seen[i] && err == nil {
			err = s.fail(decode.ErrInvalid, d.path, "missing required property %q", d.kids[i].name)
		}
	}
	for i, seen := range d.seen {
		if seen {
			continue
		}
		d.fields[i].null()
		if err == nil && !d.kids[i].nullable {
			err = s.fail(decode.ErrNull, d.kids[i].path, "key is missing")
		}
	}
	return err
}

// fail appends nulls for the fields not yet written and returns err.
func (d *objDec) fail(err error) error {
	for i, seen := range d.seen {
		if !seen {
			d.fields[i].null()
			d.seen[i] = true
		}
	}
	return err
}

// listBuilder is what list and large-list builders share.
type listBuilder interface {
	Append(bool)
	AppendNull()
}

type listDec struct {
	base
	b        listBuilder
	elem     dec
	minItems int
	maxItems int // -1: no cap beyond Limits.MaxItems
}

func (d *listDec) null() { d.b.AppendNull() }

func (d *listDec) value(s *scanner, c byte) error {
	if c != '[' {
		if c == 'n' && s.isNull() {
			d.b.AppendNull()
			if !d.nullOK {
				return d.badNull(s)
			}
			return nil
		}
		d.b.AppendNull()
		return d.wrongKind(s, "array", c)
	}
	d.b.Append(true)
	if err := s.enter(d.path); err != nil {
		return err
	}
	s.pos++
	n := 0
	c = s.ws()
	if c != ']' {
		for {
			if err := d.elem.value(s, c); err != nil {
				return err
			}
			if n++; n > s.lim.MaxItems {
				return s.fail(decode.ErrTooLarge, d.path, "array with more than %d items", s.lim.MaxItems)
			}
			c = s.ws()
			if c == ',' {
				s.pos++
				c = s.ws()
				continue
			}
			if c != ']' {
				return s.syntax(d.path, "expected ',' or ']' in an array")
			}
			break
		}
	}
	s.pos++
	s.depth--
	if n < d.minItems || (d.maxItems >= 0 && n > d.maxItems) {
		return s.fail(decode.ErrInvalid, d.path, "%d items, want between %d and %s", n, d.minItems, maxText(d.maxItems))
	}
	return nil
}

// mapDec decodes an object with arbitrary keys into a map<utf8, T> column.
// A key that appears twice in one object is an error: Arrow maps may hold
// duplicates, but JSON readers disagree on which one wins.
type mapDec struct {
	base
	b    *array.MapBuilder
	keyB *array.BinaryBuilder
	item dec
	dups dupSet
}

func (d *mapDec) null() { d.b.AppendNull() }

func (d *mapDec) value(s *scanner, c byte) error {
	if c != '{' {
		if c == 'n' && s.isNull() {
			d.b.AppendNull()
			if !d.nullOK {
				return d.badNull(s)
			}
			return nil
		}
		d.b.AppendNull()
		return d.wrongKind(s, "object", c)
	}
	d.b.Append(true)
	if err := s.enter(d.path); err != nil {
		return err
	}
	s.pos++
	d.dups.reset()
	first := d.keyB.Len()
	c = s.ws()
	if c == '}' {
		s.pos++
		s.depth--
		return nil
	}
	for n := 1; ; n++ {
		if c != '"' {
			return s.syntax(d.path, "expected an object key")
		}
		key, err := s.str(d.path, &s.keyBuf)
		if err != nil {
			return err
		}
		if d.dups.add(key, d.keyB, first) {
			return s.fail(decode.ErrType, d.path, "duplicate key %q", key)
		}
		if s.ws() != ':' {
			return s.syntax(d.path, "expected ':' after an object key")
		}
		s.pos++
		d.keyB.Append(key)
		if err := d.item.value(s, s.ws()); err != nil {
			return err
		}
		if n > s.lim.MaxItems {
			return s.fail(decode.ErrTooLarge, d.path, "object with more than %d keys", s.lim.MaxItems)
		}
		switch c = s.ws(); c {
		case ',':
			s.pos++
			c = s.ws()
		case '}':
			s.pos++
			s.depth--
			return nil
		default:
			return s.syntax(d.path, "expected ',' or '}' in an object")
		}
	}
}

// dupSet finds repeated keys within one map: linear for small maps, then an
// open-addressing table of key-builder indexes stamped with a generation so
// it never needs clearing.
type dupSet struct {
	n     int
	gen   uint32
	slots []dupSlot
}

type dupSlot struct {
	gen uint32
	idx int32
}

func (t *dupSet) reset() { t.n, t.gen = 0, t.gen+1 }

// add reports whether key is already among the keys appended to kb since
// index first, and otherwise records it (the caller appends it next).
func (t *dupSet) add(key []byte, kb *array.BinaryBuilder, first int) bool {
	idx := first + t.n
	t.n++
	if t.n <= linearKeys {
		for i := first; i < idx; i++ {
			if bytes.Equal(kb.Value(i), key) {
				return true
			}
		}
		if t.n < linearKeys {
			return false
		}
		// Switch to the table: index the keys so far.
		t.grow(kb, first, idx)
	} else if t.n*2 > len(t.slots) {
		t.grow(kb, first, idx)
	}
	mask := uint32(len(t.slots) - 1) //nolint:gosec // G115: table sizes are small powers of two
	for h := hashKey(key, 0) & mask; ; h = (h + 1) & mask {
		sl := &t.slots[h]
		if sl.gen != t.gen {
			sl.gen, sl.idx = t.gen, int32(idx) //nolint:gosec // G115: capped by Limits.MaxItems
			return false
		}
		if bytes.Equal(kb.Value(int(sl.idx)), key) {
			return true
		}
	}
}

// grow rebuilds the table (a new generation) over keys [first, end).
func (t *dupSet) grow(kb *array.BinaryBuilder, first, end int) {
	size := 16
	for size < 4*(end-first+1) {
		size <<= 1
	}
	if len(t.slots) < size {
		t.slots = make([]dupSlot, size)
	}
	t.gen++
	mask := uint32(len(t.slots) - 1) //nolint:gosec // G115: table sizes are small powers of two
	for i := first; i < end; i++ {
		for h := hashKey(kb.Value(i), 0) & mask; ; h = (h + 1) & mask {
			if sl := &t.slots[h]; sl.gen != t.gen {
				sl.gen, sl.idx = t.gen, int32(i) //nolint:gosec // G115: capped by Limits.MaxItems
				break
			}
		}
	}
}

func maxText(n int) string {
	if n < 0 {
		return "any"
	}
	return itoa(n)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
