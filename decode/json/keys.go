package json

import "bytes"

// keyTable maps object keys to field indexes without allocating: small
// objects compare linearly, larger ones use a collision-free open table built
// at compile time (the seed is searched until no two names share a slot).
type keyTable struct {
	names [][]byte
	slots []int32 // field index + 1; 0 is empty
	mask  uint32
	seed  uint32
}

const linearKeys = 8

func newKeyTable(names []string) keyTable {
	t := keyTable{names: make([][]byte, len(names))}
	for i, n := range names {
		t.names[i] = []byte(n)
	}
	if len(names) <= linearKeys {
		return t
	}
	size := uint32(1)
	for size < uint32(4*len(names)) { //nolint:gosec // G115: field counts are small
		size <<= 1
	}
	for seed := uint32(1); ; seed++ {
		if seed > 64 {
			size <<= 1
			seed = 1
		}
		slots := make([]int32, size)
		ok := true
		for i, n := range t.names {
			h := hashKey(n, seed) & (size - 1)
			if slots[h] != 0 {
				ok = false
				break
			}
			slots[h] = int32(i + 1) //nolint:gosec // G115: field counts are small
		}
		if ok {
			t.slots, t.mask, t.seed = slots, size-1, seed
			return t
		}
	}
}

// hashKey is FNV-1a with a seed mixed in.
func hashKey(b []byte, seed uint32) uint32 {
	h := 2166136261 ^ seed*16777619
	for _, c := range b {
		h ^= uint32(c)
		h *= 16777619
	}
	return h
}

// lookup returns the field index of key, or -1.
func (t *keyTable) lookup(key []byte) int {
	if t.slots == nil {
		for i, n := range t.names {
			if bytes.Equal(n, key) {
				return i
			}
		}
		return -1
	}
	i := int(t.slots[hashKey(key, t.seed)&t.mask]) - 1
	if i >= 0 && bytes.Equal(t.names[i], key) {
		return i
	}
	return -1
}
