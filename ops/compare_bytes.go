package ops

import (
	"bytes"
	"encoding/binary"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Kernels over variable-length binary arrays (String, Binary and their Large
// forms) read the offsets and data buffers directly: one value is
// data[offs[i]:offs[i+1]], with no string header or allocation per row.

type offset interface{ ~int32 | ~int64 }

// binaryValues returns the offsets (n+1 of them, for the array's window) and
// the whole data buffer the offsets index into.
func binaryValues[O offset](a arrow.Array) (offs []O, data []byte) {
	d := a.Data()
	bufs := d.Buffers()
	if d.Len() == 0 || bufs[1] == nil {
		return []O{0}, nil
	}
	offs = castSlice[O](bufs[1].Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	if bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	return offs, data
}

// bstr views b as a string without copying; the string must not outlive b.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b)) //nolint:gosec // G103: read-only view; never retained
}

// shortWord packs a pattern of 1 to 8 bytes into a little-endian word and the
// mask of its bytes, so a value's bytes can be compared with one load.
func shortWord(p string) (w, mask uint64) {
	var tmp [8]byte
	copy(tmp[:], p)
	return binary.LittleEndian.Uint64(tmp[:]), ^uint64(0) >> (64 - 8*uint(len(p)))
}

// eqScalarBytes writes value == s (or != s when ne) for every row. Lengths
// come from the offsets; the bytes of a value of the right length are compared
// as one 8-byte word when s is that short and the buffer has 8 bytes to read,
// so the usual short codes ("EUR") never call memequal.
func eqScalarBytes[O offset](offs []O, data []byte, s string, ne bool, out []uint64) {
	n := len(offs) - 1
	want := O(len(s))
	flip := b2u(ne)
	short := len(s) >= 1 && len(s) <= 8
	var sw, mask uint64
	if short {
		sw, mask = shortWord(s)
	}
	// an 8-byte load may start at most at ulimit; the unsigned compare also
	// keeps a (malformed) negative offset off the fast path
	short = short && len(data) >= 8
	ulimit := uint64(max(len(data)-8, 0))
	for w := range out {
		base := w * 64
		end := min(base+64, n)
		var word uint64
		o := offs[base : end+1]
		for i := len(o) - 2; i >= 0; i-- {
			lo, hi := o[i], o[i+1]
			var eq uint64
			if short && uint64(lo) <= ulimit {
				// branch-free: length and bytes in one go
				eq = b2u(hi-lo == want) & b2u(load64(data, int(lo))&mask == sw)
			} else {
				eq = b2u(hi-lo == want && bstr(data[lo:hi]) == s)
			}
			word = word<<1 | (eq ^ flip)
		}
		out[w] = word
	}
}

// load64 reads 8 little-endian bytes at data[at:], which the caller has
// checked are in range, without a bounds check.
func load64(data []byte, at int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), at)), 8)) //nolint:gosec // G103: at+8 <= len(data) checked by the caller
}

// rowPred evaluates a predicate over every value of a binary array.
func rowPred[O offset](offs []O, data []byte, out []uint64, pred func(v []byte) bool) {
	n := len(offs) - 1
	for w := range out {
		base := w * 64
		end := min(base+64, n)
		var word uint64
		for i := end - 1; i >= base; i-- {
			word = word<<1 | b2u(pred(data[offs[i]:offs[i+1]]))
		}
		out[w] = word
	}
}

func compareScalarBytes[O offset](mem memory.Allocator, a arrow.Array, op CmpOp, s string) (*array.Boolean, error) {
	offs, data := binaryValues[O](a)
	if op == OpEq || op == OpNe {
		return boolResult(mem, a.Len(), func(w []uint64) { eqScalarBytes(offs, data, s, op == OpNe, w) }, a)
	}
	tab := op.fromCmp()
	return boolResult(mem, a.Len(), func(w []uint64) {
		rowPred(offs, data, w, func(v []byte) bool { return tab[cmp3(bstr(v), s)+1] == 1 })
	}, a)
}

func cmp3(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareVectorBytes[O offset](mem memory.Allocator, a, b arrow.Array, op CmpOp) (*array.Boolean, error) {
	ao, ad := binaryValues[O](a)
	bo, bd := binaryValues[O](b)
	tab := op.fromCmp()
	n := a.Len()
	return boolResult(mem, n, func(out []uint64) {
		packRows(n, out, func(i int) uint64 {
			return tab[cmp3(bstr(ad[ao[i]:ao[i+1]]), bstr(bd[bo[i]:bo[i+1]]))+1]
		})
	}, a, b)
}

// strFn names a string predicate with a constant argument.
type strFn uint8

const (
	fnPrefix strFn = iota
	fnSuffix
	fnContains
)

func (f strFn) String() string {
	switch f {
	case fnPrefix:
		return "HasPrefix"
	case fnSuffix:
		return "HasSuffix"
	}
	return "Contains"
}

func matchBytes[O offset](mem memory.Allocator, a arrow.Array, fn strFn, s string) (*array.Boolean, error) {
	offs, data := binaryValues[O](a)
	var fill func(w []uint64)
	switch fn {
	case fnPrefix:
		fill = func(w []uint64) { affixBytes(offs, data, s, false, w) }
	case fnSuffix:
		fill = func(w []uint64) { affixBytes(offs, data, s, true, w) }
	default:
		pat := []byte(s)
		fill = func(w []uint64) {
			rowPred(offs, data, w, func(v []byte) bool { return bytes.Contains(v, pat) })
		}
	}
	return boolResult(mem, a.Len(), fill, a)
}

// affixBytes tests HasPrefix (or HasSuffix when suffix) on every row. The
// pattern's first (up to) 8 bytes are compared with one word load, which for
// patterns of 8 bytes or fewer decides the row; longer ones compare the rest
// only when that word matched.
func affixBytes[O offset](offs []O, data []byte, p string, suffix bool, out []uint64) {
	n := len(offs) - 1
	pl := O(len(p))
	head := p
	if len(head) > 8 {
		head = head[:8]
	}
	var pw, mask uint64
	if len(head) > 0 {
		pw, mask = shortWord(head)
	}
	wordOK := len(data) >= 8
	ulimit := uint64(max(len(data)-8, 0)) // last start of an 8-byte load
	for w := range out {
		base := w * 64
		end := min(base+64, n)
		var word uint64
		for i := end - 1; i >= base; i-- {
			lo, hi := offs[i], offs[i+1]
			at := lo
			if suffix {
				at = hi - pl
			}
			var ok bool
			switch {
			case hi-lo < pl:
			case wordOK && uint64(at) <= ulimit && load64(data, int(at))&mask != pw:
			case pl <= 8 && wordOK && uint64(at) <= ulimit:
				ok = true
			default:
				ok = bstr(data[at:at+pl]) == p
			}
			word = word<<1 | b2u(ok)
		}
		out[w] = word
	}
}

// byteSet is the value set of an In over strings or binary, built once at
// bind time. Sets of up to smallSet values of at most 8 bytes each are
// compared inline, one word load per row and member; larger sets use a map,
// whose lookup with a converted []byte key does not allocate.
type byteSet struct {
	words, masks []uint64
	lens         []int
	m            map[string]struct{}
}

const smallSet = 8

func newByteSet(vals []string) *byteSet {
	short := len(vals) <= smallSet
	for _, v := range vals {
		short = short && len(v) <= 8
	}
	s := &byteSet{}
	if !short {
		s.m = make(map[string]struct{}, len(vals))
		for _, v := range vals {
			s.m[v] = struct{}{}
		}
		return s
	}
	for _, v := range vals {
		var w, m uint64
		if v != "" {
			w, m = shortWord(v)
		}
		s.words, s.masks, s.lens = append(s.words, w), append(s.masks, m), append(s.lens, len(v))
	}
	return s
}

func inBytes[O offset](mem memory.Allocator, a arrow.Array, set *byteSet) (*array.Boolean, error) {
	offs, data := binaryValues[O](a)
	if set.m != nil {
		return boolResult(mem, a.Len(), func(w []uint64) {
			rowPred(offs, data, w, func(v []byte) bool {
				_, ok := set.m[string(v)]
				return ok
			})
		}, a)
	}
	return boolResult(mem, a.Len(), func(out []uint64) { inShortBytes(offs, data, set, out) }, a)
}

func inShortBytes[O offset](offs []O, data []byte, set *byteSet, out []uint64) {
	n := len(offs) - 1
	wordOK := len(data) >= 8
	ulimit := uint64(max(len(data)-8, 0)) // last start of an 8-byte load
	lens := set.lens
	words, masks := set.words[:len(lens)], set.masks[:len(lens)]
	var tail [8]byte
	for w := range out {
		base := w * 64
		end := min(base+64, n)
		var word uint64
		for i := end - 1; i >= base; i-- {
			lo, hi := offs[i], offs[i+1]
			l := int(hi - lo)
			var v uint64
			switch {
			case l > 8:
			case wordOK && uint64(lo) <= ulimit:
				v = load64(data, int(lo))
			default:
				// near the end of the buffer: copy the short value
				tail = [8]byte{}
				copy(tail[:], data[lo:hi])
				v = binary.LittleEndian.Uint64(tail[:])
			}
			var hit uint64
			for j, sl := range lens {
				hit |= b2u(sl == l) & b2u(v&masks[j] == words[j])
			}
			word = word<<1 | hit
		}
		out[w] = word
	}
}

// orderedSet is the value set of an In over fixed-width values, built once
// at bind time. Sets up to smallSet values are compared 64 rows at a time with
// the scalar kernel and OR-ed; larger ones use a map.
type orderedSet[T ordered] struct {
	list []T
	m    map[T]struct{}
}

func newOrderedSet[T ordered](vals []T) *orderedSet[T] {
	if len(vals) <= smallSet {
		return &orderedSet[T]{list: vals}
	}
	m := make(map[T]struct{}, len(vals))
	for _, v := range vals {
		m[v] = struct{}{}
	}
	return &orderedSet[T]{m: m}
}

func (s *orderedSet[T]) word(c *[64]T) uint64 {
	var word uint64
	for _, x := range s.list {
		word |= eqS(c, x)
	}
	return word
}

func inOrdered[T ordered](mem memory.Allocator, a arrow.Array, set *orderedSet[T]) (*array.Boolean, error) {
	vals := fixedValues[T](a)
	n := a.Len()
	if set.m == nil {
		return boolResult(mem, n, func(out []uint64) {
			full := n / 64
			for w := 0; w < full; w++ {
				out[w] = set.word((*[64]T)(vals[w*64:]))
			}
			if rem := n % 64; rem != 0 {
				var tmp [64]T
				copy(tmp[:], vals[full*64:])
				out[full] = set.word(&tmp) & tailMask(rem)
			}
		}, a)
	}
	return boolResult(mem, n, func(out []uint64) {
		packRows(n, out, func(i int) uint64 {
			_, ok := set.m[vals[i]]
			return b2u(ok)
		})
	}, a)
}
