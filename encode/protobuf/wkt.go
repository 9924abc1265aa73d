package protobuf

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sabot-kafka/sabot/encode"
)

// timeEnc writes a Timestamp or Duration column as the message's seconds and
// nanos: for a Timestamp, seconds round down and nanos are in [0, 1e9); for a
// Duration both take the sign of the value.
type timeEnc struct {
	arr      arrow.Array
	ts       []arrow.Timestamp
	ds       []arrow.Duration
	perSec   int64
	nsPerU   int64
	duration bool
}

func bindTime(v *valuePlan, a arrow.Array) valEnc {
	e := &timeEnc{arr: a, perSec: v.perSec, nsPerU: v.nsPerU}
	switch c := a.(type) {
	case *array.Timestamp:
		if v.wkt != "google.protobuf.Timestamp" {
			return nil
		}
		e.ts = c.TimestampValues()
	case *array.Duration:
		if v.wkt != "google.protobuf.Duration" {
			return nil
		}
		e.duration = true
		e.ds = c.DurationValues()
	default:
		return nil
	}
	return e
}

func (e *timeEnc) null(i int) bool { return e.arr.IsNull(i) }
func (e *timeEnc) zero(int) bool   { return false }
func (e *timeEnc) put(dst []byte, i int) ([]byte, error) {
	var v int64
	if e.duration {
		v = int64(e.ds[i])
	} else {
		v = int64(e.ts[i])
	}
	secs, rem := v/e.perSec, v%e.perSec
	if !e.duration && rem < 0 {
		secs--
		rem += e.perSec
	}
	nanos := rem * e.nsPerU
	at := len(dst)
	dst = append(dst, 0)
	if secs != 0 {
		dst = protowire.AppendVarint(append(dst, 1<<3), uint64(secs)) // #nosec G115 -- int64 field bits
	}
	if nanos != 0 {
		dst = protowire.AppendVarint(append(dst, 2<<3), uint64(nanos)) // #nosec G115 -- int32 field, sign-extended
	}
	return fixLen(dst, at), nil
}

// bindEnum binds an enum column: dictionary of names, names, or numbers.
func bindEnum(v *valuePlan, a arrow.Array, path string) valEnc {
	switch c := a.(type) {
	case *array.Int32:
		return intEnc[int32]{newValidity(c), c.Int32Values(), opVarint}
	case *array.String:
		return &enumNameEnc[*array.String]{arr: c, enum: v.enum, path: path}
	case *array.LargeString:
		return &enumNameEnc[*array.LargeString]{arr: c, enum: v.enum, path: path}
	case *array.Dictionary:
		e := &enumDictEnc{arr: c, path: path}
		dict, ok := c.Dictionary().(stringArray)
		if !ok {
			return nil
		}
		e.nums = make([]int64, c.Dictionary().Len())
		for k := range e.nums {
			e.nums[k] = badEnum
			if dict.IsNull(k) {
				continue
			}
			if n, ok := v.enum.number(dict.Value(k)); ok {
				e.nums[k] = int64(n)
			}
		}
		e.names = dict
		return e
	}
	return nil
}

const badEnum = int64(1) << 40

type enumNameEnc[A stringArray] struct {
	arr  A
	enum *enumPlan
	path string
}

func (e *enumNameEnc[A]) null(i int) bool { return e.arr.IsNull(i) }
func (e *enumNameEnc[A]) zero(i int) bool {
	n, ok := e.enum.number(e.arr.Value(i))
	return ok && n == 0
}
func (e *enumNameEnc[A]) put(dst []byte, i int) ([]byte, error) {
	n, ok := e.enum.number(e.arr.Value(i))
	if !ok {
		return dst, rowErr(e.path, encode.ErrInvalid, "%q is not a value of enum %s", e.arr.Value(i), e.enum.name)
	}
	return protowire.AppendVarint(dst, uint64(int64(n))), nil // #nosec G115 -- enums sign-extend
}

// enumDictEnc maps the dictionary's names to numbers once per bind.
type enumDictEnc struct {
	arr   *array.Dictionary
	nums  []int64
	names stringArray
	path  string
}

func (e *enumDictEnc) null(i int) bool { return e.arr.IsNull(i) }
func (e *enumDictEnc) zero(i int) bool { return e.nums[e.arr.GetValueIndex(i)] == 0 }
func (e *enumDictEnc) put(dst []byte, i int) ([]byte, error) {
	k := e.arr.GetValueIndex(i)
	n := e.nums[k]
	if n == badEnum {
		return dst, rowErr(e.path, encode.ErrInvalid, "%q is not a value of the enum", e.names.Value(k))
	}
	return protowire.AppendVarint(dst, uint64(n)), nil // #nosec G115 -- enums sign-extend
}
