package kafka

import (
	"encoding/binary"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Murmur2 is the 32-bit MurmurHash2 variant the Java client hashes keys with
// (seed 0x9747b28c).
func Murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	h := seed ^ uint32(len(data)) // #nosec G115 -- Java hashes the int length the same way
	for len(data) >= 4 {
		k := binary.LittleEndian.Uint32(data)
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// KeyPartition is the partition the Java client's default partitioner picks
// for a non-null key among n partitions: toPositive(murmur2(key)) % n, where
// toPositive clears the sign bit. It is what the KeyHash strategy does.
func KeyPartition(key []byte, n int) int32 {
	if n <= 0 {
		return -1
	}
	return int32((Murmur2(key) & 0x7fffffff) % uint32(n)) // #nosec G115 -- n > 0 and the result < n
}

// partitioner returns the kgo partitioner for c's strategy.
func (c SinkConfig) partitioner() kgo.Partitioner {
	switch c.Partitioning {
	case RoundRobin:
		return kgo.RoundRobinPartitioner()
	case Sticky:
		return kgo.StickyPartitioner()
	case Explicit:
		return kgo.ManualPartitioner()
	case Custom:
		fn := c.PartitionFunc
		return kgo.BasicConsistentPartitioner(func(string) func(*kgo.Record, int) int {
			return func(r *kgo.Record, n int) int {
				p := fn(r.Key, r.Value, n)
				if p < 0 || p >= n {
					// A partition out of range would fail the record; wrap
					// instead so a bad function cannot lose data.
					p = ((p % n) + n) % n
				}
				return p
			}
		})
	}
	// A nil hasher is franz-go's copy of the Java hashing (murmur2, sign bit
	// cleared, modulo); partition_test checks it against the Java client.
	return kgo.StickyKeyPartitioner(nil)
}
