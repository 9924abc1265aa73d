// Package msgpack encodes the rows of Arrow record batches as MessagePack
// maps, one value per row, appended into the caller's buffer (the Encoder's
// arena) with the smallest header and integer encodings. It writes what
// decode/msgpack reads.
//
// Encoding per Arrow column type:
//
//	int*, uint*                      the smallest int/uint encoding of the value
//	float16, float32                 float32
//	float64                          float64
//	bool                             bool
//	utf8 (any width, views)          str
//	binary (any width, views), fixed_size_binary   bin
//	timestamp[unit]                  timestamp extension (-1), smallest of its three sizes
//	date32, date64, time32, time64, duration       int (the count of the unit)
//	dictionary                       the encoding of the value the index points at
//	list, large_list, fixed_size_list              array
//	map                              map
//	struct                           map with the field names as str keys
//	null (type or value)             nil, or the key left out with OmitNulls
//
// Decimal, interval, union, run-end-encoded, list-view and extension types
// fail at compile time naming the column, wrapping encode.ErrUnsupported.
// Every value has a MessagePack form; the only row error is a list or map of
// more than 2^32-1 items (an *encode.ValueError wrapping encode.ErrRange).
package msgpack
