package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/systembruker/workbench/flow"
)

// maxRunFile is the largest run file Read takes: a run's JSON is a few
// hundred kB; a file far larger is not one.
const maxRunFile = 256 << 20

// Read reads a run as `run --format json` wrote it.
func Read(r io.Reader) (flow.RunReport, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxRunFile+1))
	if err != nil {
		return flow.RunReport{}, err
	}
	if len(b) > maxRunFile {
		return flow.RunReport{}, fmt.Errorf("larger than %d MB: not a run written by run --format json", maxRunFile>>20)
	}
	var rep flow.RunReport
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&rep); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return flow.RunReport{}, fmt.Errorf("not JSON (at byte %d: %v): write the run with run --format json", se.Offset, err)
		}
		return flow.RunReport{}, fmt.Errorf("not a run written by run --format json: %v", err)
	}
	if rep.Scenario == "" || rep.Steps == nil {
		return flow.RunReport{}, errors.New("not a run written by run --format json: no scenario and steps")
	}
	for i, s := range rep.Steps {
		if s.ID == "" {
			return flow.RunReport{}, fmt.Errorf("not a run written by run --format json: step %d has no id", i+1)
		}
	}
	return rep, nil
}

// ReadFile reads a run from a file written by `run --format json`.
func ReadFile(name string) (flow.RunReport, error) {
	f, err := os.Open(name)
	if err != nil {
		return flow.RunReport{}, err
	}
	defer f.Close()
	rep, err := Read(f)
	if err != nil {
		return flow.RunReport{}, fmt.Errorf("%s: %w", name, err)
	}
	return rep, nil
}

// FromReport is a run of this process in the JSON form a file has, so
// that a run compares alike with the one it ran beside and with one read
// back from a file (numbers as JSON has them, and nothing JSON leaves
// out).
func FromReport(r flow.Report) (flow.RunReport, error) {
	b, err := json.Marshal(r.JSON())
	if err != nil {
		return flow.RunReport{}, fmt.Errorf("the run as JSON: %w", err)
	}
	return Read(bytes.NewReader(b))
}
