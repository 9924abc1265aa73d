package agg

import (
	"fmt"
	"hash/maphash"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// colKind says how a key column is stored: fixed-width values as uint64 bit
// patterns, or variable-width bytes.
type colKind uint8

const (
	kindFixed colKind = iota
	kindBytes
	kindBool
)

// keyCol is one key column of one batch, normalized so that rows compare and
// hash by value. Its slices are scratch reused across batches.
type keyCol struct {
	kind  colKind
	fixed []uint64
	bytes [][]byte
	valid []bool // nil when the column has no nulls
}

func (k *keyCol) isNull(i int) bool { return k.valid != nil && !k.valid[i] }

// kindOf reports how values of dt are keyed, or an error for unsupported types.
func kindOf(dt arrow.DataType) (colKind, error) {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64,
		arrow.TIMESTAMP, arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.DURATION:
		return kindFixed, nil
	case arrow.BOOL:
		return kindBool, nil
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
		return kindBytes, nil
	}
	return 0, fmt.Errorf("agg: unsupported key type %s", dt)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

func fillSigned[T int8 | int16 | int32 | int64](dst []uint64, src []T) {
	for i, v := range src {
		dst[i] = uint64(int64(v)) //nolint:gosec // G115: bit pattern kept
	}
}

func fillUnsigned[T uint8 | uint16 | uint32 | uint64](dst []uint64, src []T) {
	for i, v := range src {
		dst[i] = uint64(v)
	}
}

// canonical float bit patterns: -0 folds into +0 and every NaN into one NaN.
func f64bits(v float64) uint64 {
	switch {
	case v == 0:
		return 0
	case v != v:
		return 0x7ff8000000000000
	}
	return math.Float64bits(v)
}

func f32bits(v float32) uint64 {
	switch {
	case v == 0:
		return 0
	case v != v:
		return 0x7fc00000
	}
	return uint64(math.Float32bits(v))
}

// load fills k from column a (one batch).
func (k *keyCol) load(a arrow.Array) error {
	kind, err := kindOf(a.DataType())
	if err != nil {
		return err
	}
	k.kind = kind
	n := a.Len()
	k.valid = nil
	if a.NullN() > 0 {
		k.valid = grow(k.valid[:0:cap(k.valid)], n)
		for i := range n {
			k.valid[i] = a.IsValid(i)
		}
	}
	switch kind {
	case kindBytes:
		k.bytes, err = byteValues(a, k.bytes)
		return err
	case kindBool:
		k.fixed = grow(k.fixed, n)
		b := a.(*array.Boolean)
		for i := range n {
			k.fixed[i] = 0
			if b.Value(i) {
				k.fixed[i] = 1
			}
		}
		return nil
	}
	k.fixed = grow(k.fixed, n)
	fillFixed(k.fixed, a)
	if k.valid != nil {
		// Null slots may hold anything; zero them so stored keys are canonical.
		for i, ok := range k.valid {
			if !ok {
				k.fixed[i] = 0
			}
		}
	}
	return nil
}

// fillFixed writes the normalized bit patterns of a fixed-width column.
func fillFixed(dst []uint64, a arrow.Array) {
	d := a.Data()
	switch a.DataType().ID() {
	case arrow.INT8:
		fillSigned(dst, arrow.GetValues[int8](d, 1))
	case arrow.INT16:
		fillSigned(dst, arrow.GetValues[int16](d, 1))
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		fillSigned(dst, arrow.GetValues[int32](d, 1))
	case arrow.INT64, arrow.TIMESTAMP, arrow.DATE64, arrow.TIME64, arrow.DURATION:
		fillSigned(dst, arrow.GetValues[int64](d, 1))
	case arrow.UINT8:
		fillUnsigned(dst, arrow.GetValues[uint8](d, 1))
	case arrow.UINT16:
		fillUnsigned(dst, arrow.GetValues[uint16](d, 1))
	case arrow.UINT32:
		fillUnsigned(dst, arrow.GetValues[uint32](d, 1))
	case arrow.UINT64:
		fillUnsigned(dst, arrow.GetValues[uint64](d, 1))
	case arrow.FLOAT32:
		for i, v := range arrow.GetValues[float32](d, 1) {
			dst[i] = f32bits(v)
		}
	case arrow.FLOAT64:
		for i, v := range arrow.GetValues[float64](d, 1) {
			dst[i] = f64bits(v)
		}
	}
}

// strBytes aliases s without copying; callers only read the bytes.
func strBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) } //nolint:gosec // G103: read-only alias

// byteValues returns the values of a string or binary column as byte slices
// aliasing the array's buffers (valid while the array is).
func byteValues(a arrow.Array, dst [][]byte) ([][]byte, error) {
	n := a.Len()
	dst = grow(dst, n)
	switch c := a.(type) {
	case *array.String:
		offs, data := c.ValueOffsets(), c.ValueBytes()
		for i := range n {
			dst[i] = data[offs[i]:offs[i+1]:offs[i+1]]
		}
	case *array.Binary:
		offs, data := c.ValueOffsets(), c.ValueBytes()
		for i := range n {
			dst[i] = data[offs[i]:offs[i+1]:offs[i+1]]
		}
	case *array.LargeString:
		offs, data := c.ValueOffsets(), c.ValueBytes()
		for i := range n {
			dst[i] = data[offs[i]:offs[i+1]:offs[i+1]]
		}
	case *array.LargeBinary:
		offs, data := c.ValueOffsets(), c.ValueBytes()
		for i := range n {
			dst[i] = data[offs[i]:offs[i+1]:offs[i+1]]
		}
	case *array.StringView:
		for i := range n {
			dst[i] = strBytes(c.Value(i))
		}
	case *array.BinaryView:
		for i := range n {
			dst[i] = c.Value(i)
		}
	default:
		return dst, fmt.Errorf("agg: %s is not a string or binary column", a.DataType())
	}
	return dst, nil
}

// mix64 is a 64-bit finalizer (the MurmurHash3 fmix64 constants): it spreads
// every input bit over the output so linear probing sees well-mixed hashes.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

const nullHash = 0x9e3779b97f4a7c15

// hashInto combines the hash of column k into h (one entry per row); first
// says h is not yet initialized. One loop per layout keeps the hot loop free
// of type dispatch.
func (k *keyCol) hashInto(h []uint64, seed maphash.Seed, first bool) {
	switch {
	case k.valid != nil:
		for i := range h {
			var v uint64
			switch {
			case !k.valid[i]:
				v = nullHash
			case k.kind == kindBytes:
				v = maphash.Bytes(seed, k.bytes[i])
			default:
				v = mix64(k.fixed[i] ^ 0x2545f4914f6cdd1d)
			}
			combine(h, i, v, first)
		}
	case k.kind == kindBytes:
		for i := range h {
			combine(h, i, maphash.Bytes(seed, k.bytes[i]), first)
		}
	default:
		for i := range h {
			combine(h, i, mix64(k.fixed[i]^0x2545f4914f6cdd1d), first)
		}
	}
}

func combine(h []uint64, i int, v uint64, first bool) {
	if first {
		h[i] = v
	} else {
		h[i] = mix64(h[i]*0x100000001b3 ^ v)
	}
}
