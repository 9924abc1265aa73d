package avro

import (
	"encoding/binary"
	"unicode/utf8"
)

const highBits = 0x8080808080808080

// validUTF8 is utf8.Valid with a faster path for ASCII, what most strings
// in records are: whole words at a time, the tail as one overlapping word,
// then utf8.Valid from the first word that has a byte over 0x7f (everything
// before it is whole ASCII characters).
func validUTF8(b []byte) bool {
	n := len(b)
	if n < 8 {
		var x uint32
		if n >= 4 {
			x = binary.LittleEndian.Uint32(b) | binary.LittleEndian.Uint32(b[n-4:])
		} else {
			for _, c := range b {
				x |= uint32(c)
			}
		}
		return x&0x80808080 == 0 || utf8.Valid(b)
	}
	i := 0
	for ; i+16 <= n; i += 16 {
		if (binary.LittleEndian.Uint64(b[i:])|binary.LittleEndian.Uint64(b[i+8:]))&highBits != 0 {
			return utf8.Valid(b[i:])
		}
	}
	if i+8 <= n {
		if binary.LittleEndian.Uint64(b[i:])&highBits != 0 {
			return utf8.Valid(b[i:])
		}
		i += 8
	}
	if i < n && binary.LittleEndian.Uint64(b[n-8:])&highBits != 0 {
		return utf8.Valid(b[i:])
	}
	return true
}
