//go:build !unix

package codecbench

import "time"

// cpuTime is 0 where getrusage is missing: the meter reports records/s only.
func cpuTime() time.Duration { return 0 }
