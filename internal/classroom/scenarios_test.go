package classroom

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/systembruker/workbench/flow"
)

// A trainer's scenario files (--scenarios) are the room's too: the
// trainer can send the room to one of their exercises.
func TestTheRoomOffersTheTrainersScenarios(t *testing.T) {
	files, err := flow.ReadScenarioDir(filepath.Join("..", "..", "testdata", "scenarios"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(t.Context(), Options{
		Listen: "127.0.0.1:0", HostKeyFile: filepath.Join(t.TempDir(), "hk"), Handouts: t.TempDir(), JoinCode: testCode, Scenarios: files,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	names := srv.Scenarios()
	if names[0] != "standard" || !slices.Contains(names, "fix-wrong-aud") || names[len(names)-2] != "class-clock-ahead" || names[len(names)-1] != "class-retired-key" {
		t.Errorf("the room's scenarios: %v", names)
	}
}
