package arrowipc

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/float16"
)

// A copier appends elements of one source array to one builder. bind points
// it at a batch's array (of the type the plan checked); row appends element i.
type copier interface {
	bind(a arrow.Array)
	row(i int)
}

type valueArray[T any] interface {
	IsNull(int) bool
	Value(int) T
}

type valueBuilder[T any] interface {
	Append(T)
	AppendNull()
}

// prim copies fixed-width values.
type prim[T any, A valueArray[T]] struct {
	b valueBuilder[T]
	a A
}

func (c *prim[T, A]) bind(a arrow.Array) { c.a = a.(A) }
func (c *prim[T, A]) row(i int) {
	if c.a.IsNull(i) {
		c.b.AppendNull()
	} else {
		c.b.Append(c.a.Value(i))
	}
}

func newPrim[T any, A valueArray[T]](b valueBuilder[T]) copier { return &prim[T, A]{b: b} }

// strCopy copies string values (any width, views) through AppendString.
type strCopy[A valueArray[string]] struct {
	b interface {
		AppendString(string)
		AppendNull()
	}
	a A
}

func (c *strCopy[A]) bind(a arrow.Array) { c.a = a.(A) }
func (c *strCopy[A]) row(i int) {
	if c.a.IsNull(i) {
		c.b.AppendNull()
	} else {
		c.b.AppendString(c.a.Value(i))
	}
}

type nullCopy struct{ b *array.NullBuilder }

func (c nullCopy) bind(arrow.Array) {}
func (c nullCopy) row(int)          { c.b.AppendNull() }

// dictCopy copies a dictionary<_, utf8|binary> column by value.
type dictCopy struct {
	b   *array.BinaryDictionaryBuilder
	a   *array.Dictionary
	bin *array.Binary
	str *array.String
}

func (c *dictCopy) bind(a arrow.Array) {
	c.a = a.(*array.Dictionary)
	c.bin, c.str = nil, nil
	switch d := c.a.Dictionary().(type) {
	case *array.Binary:
		c.bin = d
	case *array.String:
		c.str = d
	}
}

func (c *dictCopy) row(i int) {
	if c.a.IsNull(i) {
		c.b.AppendNull()
		return
	}
	j := c.a.GetValueIndex(i)
	var err error
	switch {
	case c.bin != nil && !c.bin.IsNull(j):
		err = c.b.Append(c.bin.Value(j))
	case c.str != nil && !c.str.IsNull(j):
		err = c.b.AppendString(c.str.Value(j))
	default:
		c.b.AppendNull()
	}
	if err != nil { // index overflow: the plan's index type is too narrow
		c.b.AppendNull()
	}
}

type listBuilder interface {
	Append(bool)
	AppendNull()
}

type offsetsArray interface {
	arrow.Array
	ValueOffsets(int) (int64, int64)
}

// listCopy copies list, large list, fixed-size list and map arrays; for maps
// elem copies the keys and item the items.
type listCopy struct {
	b          listBuilder
	a          offsetsArray
	elem, item copier
}

func (c *listCopy) bind(a arrow.Array) {
	c.a = a.(offsetsArray)
	switch a := a.(type) {
	case *array.Map:
		c.elem.bind(a.Keys())
		c.item.bind(a.Items())
	case *array.List:
		c.elem.bind(a.ListValues())
	case *array.LargeList:
		c.elem.bind(a.ListValues())
	case *array.FixedSizeList:
		c.elem.bind(a.ListValues())
	}
}

func (c *listCopy) row(i int) {
	if c.a.IsNull(i) {
		c.b.AppendNull()
		return
	}
	c.b.Append(true)
	start, end := c.a.ValueOffsets(i)
	for j := int(start); j < int(end); j++ {
		c.elem.row(j)
		if c.item != nil {
			c.item.row(j)
		}
	}
}

type structCopy struct {
	b      *array.StructBuilder
	a      *array.Struct
	fields []copier
}

func (c *structCopy) bind(a arrow.Array) {
	c.a = a.(*array.Struct)
	for j, f := range c.fields {
		f.bind(c.a.Field(j))
	}
}

func (c *structCopy) row(i int) {
	if c.a.IsNull(i) {
		c.b.AppendNull()
		return
	}
	c.b.Append(true)
	for _, f := range c.fields {
		f.row(i)
	}
}

// newCopier returns the copier into b for arrays of type dt.
func newCopier(dt arrow.DataType, b array.Builder) (copier, error) {
	switch dt := dt.(type) {
	case *arrow.Int8Type:
		return newPrim[int8, *array.Int8](b.(*array.Int8Builder)), nil
	case *arrow.Int16Type:
		return newPrim[int16, *array.Int16](b.(*array.Int16Builder)), nil
	case *arrow.Int32Type:
		return newPrim[int32, *array.Int32](b.(*array.Int32Builder)), nil
	case *arrow.Int64Type:
		return newPrim[int64, *array.Int64](b.(*array.Int64Builder)), nil
	case *arrow.Uint8Type:
		return newPrim[uint8, *array.Uint8](b.(*array.Uint8Builder)), nil
	case *arrow.Uint16Type:
		return newPrim[uint16, *array.Uint16](b.(*array.Uint16Builder)), nil
	case *arrow.Uint32Type:
		return newPrim[uint32, *array.Uint32](b.(*array.Uint32Builder)), nil
	case *arrow.Uint64Type:
		return newPrim[uint64, *array.Uint64](b.(*array.Uint64Builder)), nil
	case *arrow.Float16Type:
		return newPrim[float16.Num, *array.Float16](b.(*array.Float16Builder)), nil
	case *arrow.Float32Type:
		return newPrim[float32, *array.Float32](b.(*array.Float32Builder)), nil
	case *arrow.Float64Type:
		return newPrim[float64, *array.Float64](b.(*array.Float64Builder)), nil
	case *arrow.BooleanType:
		return newPrim[bool, *array.Boolean](b.(*array.BooleanBuilder)), nil
	case *arrow.Decimal128Type:
		return newPrim[decimal128.Num, *array.Decimal128](b.(*array.Decimal128Builder)), nil
	case *arrow.Decimal256Type:
		return newPrim[decimal256.Num, *array.Decimal256](b.(*array.Decimal256Builder)), nil
	case *arrow.TimestampType:
		return newPrim[arrow.Timestamp, *array.Timestamp](b.(*array.TimestampBuilder)), nil
	case *arrow.Date32Type:
		return newPrim[arrow.Date32, *array.Date32](b.(*array.Date32Builder)), nil
	case *arrow.Date64Type:
		return newPrim[arrow.Date64, *array.Date64](b.(*array.Date64Builder)), nil
	case *arrow.Time32Type:
		return newPrim[arrow.Time32, *array.Time32](b.(*array.Time32Builder)), nil
	case *arrow.Time64Type:
		return newPrim[arrow.Time64, *array.Time64](b.(*array.Time64Builder)), nil
	case *arrow.DurationType:
		return newPrim[arrow.Duration, *array.Duration](b.(*array.DurationBuilder)), nil
	case *arrow.FixedSizeBinaryType:
		return newPrim[[]byte, *array.FixedSizeBinary](b.(*array.FixedSizeBinaryBuilder)), nil
	case *arrow.BinaryType:
		return newPrim[[]byte, *array.Binary](b.(*array.BinaryBuilder)), nil
	case *arrow.LargeBinaryType:
		return newPrim[[]byte, *array.LargeBinary](b.(*array.BinaryBuilder)), nil
	case *arrow.BinaryViewType:
		return newPrim[[]byte, *array.BinaryView](b.(*array.BinaryViewBuilder)), nil
	case *arrow.StringType:
		return &strCopy[*array.String]{b: b.(*array.StringBuilder).BinaryBuilder}, nil
	case *arrow.LargeStringType:
		return &strCopy[*array.LargeString]{b: b.(*array.LargeStringBuilder).BinaryBuilder}, nil
	case *arrow.StringViewType:
		return &strCopy[*array.StringView]{b: b.(*array.StringViewBuilder).BinaryViewBuilder}, nil
	case *arrow.NullType:
		return nullCopy{b.(*array.NullBuilder)}, nil
	case *arrow.DictionaryType:
		db, ok := b.(*array.BinaryDictionaryBuilder)
		if !ok {
			return nil, fmt.Errorf("dictionary of %s", dt.ValueType)
		}
		return &dictCopy{b: db}, nil
	case *arrow.MapType: // before List: a map is a list of entries
		mb := b.(*array.MapBuilder)
		k, err := newCopier(dt.KeyType(), mb.KeyBuilder())
		if err != nil {
			return nil, err
		}
		v, err := newCopier(dt.ItemType(), mb.ItemBuilder())
		if err != nil {
			return nil, err
		}
		return &listCopy{b: mb, elem: k, item: v}, nil
	case *arrow.ListType:
		lb := b.(*array.ListBuilder)
		e, err := newCopier(dt.Elem(), lb.ValueBuilder())
		return &listCopy{b: lb, elem: e}, err
	case *arrow.LargeListType:
		lb := b.(*array.LargeListBuilder)
		e, err := newCopier(dt.Elem(), lb.ValueBuilder())
		return &listCopy{b: lb, elem: e}, err
	case *arrow.FixedSizeListType:
		lb := b.(*array.FixedSizeListBuilder)
		e, err := newCopier(dt.Elem(), lb.ValueBuilder())
		return &listCopy{b: lb, elem: e}, err
	case *arrow.StructType:
		sb := b.(*array.StructBuilder)
		c := &structCopy{b: sb}
		for j, f := range dt.Fields() {
			fc, err := newCopier(f.Type, sb.FieldBuilder(j))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name, err)
			}
			c.fields = append(c.fields, fc)
		}
		return c, nil
	}
	return nil, fmt.Errorf("type %s: %w", dt, errNoCopy)
}
