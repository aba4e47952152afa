//go:build !unix

package mock

import "time"

// processCPU is not measured here: the CPU ratio is left out.
func processCPU() time.Duration { return 0 }
