package tui

import (
	"fmt"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/systembruker/workbench/flow"
	"github.com/systembruker/workbench/transcript"
)

// x exports the current run as the three transcripts `run --transcript`
// writes: the Markdown handout, the curl script and the .http file, named
// workbench-<scenario>-<UTC time>.{md,sh,http}, in the current directory
// (WithExportDir changes it, for the tests). The files are written in a
// Cmd from a copy of the run; the status line says where they went, or
// what went wrong.

// exportedMsg reports an export: the files written, and the error that
// stopped it, if any.
type exportedMsg struct {
	dir   string
	files []string
	err   error
}

// exportFormats are the transcripts x writes, with their extensions.
var exportFormats = []struct {
	format transcript.Format
	ext    string
}{
	{transcript.Markdown, ".md"},
	{transcript.Curl, ".sh"},
	{transcript.HTTP, ".http"},
}

// export starts writing the run's transcripts, built from the engine's
// results.
func (m *Model) export() tea.Cmd {
	if m.run.running {
		m.setStatus("a step is running: x exports once it has ended", true)
		return nil
	}
	rep, opts, ran := m.Handout()
	if !ran {
		m.setStatus("nothing has run yet: r runs the scenario, then x exports it", false)
		return nil
	}
	base := fmt.Sprintf("workbench-%s-%s", m.sc.Name, m.common.Now().UTC().Format("20060102T150405Z"))
	return exportCmd(m.exportDir, base, rep, opts)
}

// exportCmd writes the transcripts of rep (a copy, as are opts) to dir,
// each as `run --transcript` writes it.
func exportCmd(dir, base string, rep flow.Report, opts transcript.Options) tea.Cmd {
	return func() tea.Msg {
		if dir == "" {
			dir = "."
		}
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		msg := exportedMsg{dir: dir}
		for _, f := range exportFormats {
			file := filepath.Join(dir, base+f.ext)
			if err := transcript.WriteFile(file, rep, f.format, opts); err != nil {
				msg.err = err
				return msg
			}
			msg.files = append(msg.files, file)
		}
		return msg
	}
}

// exported says where the transcripts went.
func (m *Model) exported(msg exportedMsg) {
	if msg.err != nil {
		m.setStatus("export failed: "+msg.err.Error(), true)
		return
	}
	var exts []string
	base := ""
	for _, f := range msg.files {
		name := filepath.Base(f)
		ext := filepath.Ext(name)
		base = strings.TrimSuffix(name, ext)
		exts = append(exts, strings.TrimPrefix(ext, "."))
	}
	m.setStatus(fmt.Sprintf("wrote %s.{%s} in %s", base, strings.Join(exts, ","), msg.dir), false)
}
