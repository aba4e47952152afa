package cli

import (
	"os"
	"testing"
)

// TestMain keeps the tests out of the user's cache directory: `token`
// keeps Maskinporten's documents in WORKBENCH_CACHE_DIR.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "workbench-cli-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("WORKBENCH_CACHE_DIR", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
