package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"
)

// Theme holds the semantic colours the styles are built from. Each is an
// AdaptiveColor, so light and dark terminals both read well; under NO_COLOR
// lipgloss drops the colours and the styles fall back on bold, faint,
// reverse and border shapes.
type Theme struct {
	Text     lipgloss.AdaptiveColor
	Muted    lipgloss.AdaptiveColor
	Accent   lipgloss.AdaptiveColor
	AccentBg lipgloss.AdaptiveColor
	AccentFg lipgloss.AdaptiveColor
	Border   lipgloss.AdaptiveColor
	Success  lipgloss.AdaptiveColor
	Failure  lipgloss.AdaptiveColor
	Warning  lipgloss.AdaptiveColor
	Running  lipgloss.AdaptiveColor
	// Expected marks a failure the scenario expects (its lesson): neither
	// a success's green nor a failure's red.
	Expected lipgloss.AdaptiveColor
	JSONKey  lipgloss.AdaptiveColor
	JSONStr  lipgloss.AdaptiveColor
	JSONNum  lipgloss.AdaptiveColor
	JSONLit  lipgloss.AdaptiveColor
}

// DefaultTheme is the workbench's theme.
func DefaultTheme() Theme {
	return Theme{
		Text:     lipgloss.AdaptiveColor{Light: "#1a1a1a", Dark: "#e6e6e6"},
		Muted:    lipgloss.AdaptiveColor{Light: "#6b6b6b", Dark: "#8a8a8a"},
		Accent:   lipgloss.AdaptiveColor{Light: "#5a3fc0", Dark: "#b39dfa"},
		AccentBg: lipgloss.AdaptiveColor{Light: "#5a3fc0", Dark: "#6d4fd8"},
		AccentFg: lipgloss.AdaptiveColor{Light: "#ffffff", Dark: "#ffffff"},
		Border:   lipgloss.AdaptiveColor{Light: "#b8b8b8", Dark: "#4e4e4e"},
		Success:  lipgloss.AdaptiveColor{Light: "#1d7a35", Dark: "#5fd07a"},
		Failure:  lipgloss.AdaptiveColor{Light: "#b3261e", Dark: "#ff6b63"},
		Warning:  lipgloss.AdaptiveColor{Light: "#8a5a00", Dark: "#e8b43a"},
		Running:  lipgloss.AdaptiveColor{Light: "#0b62a8", Dark: "#5fb3f5"},
		Expected: lipgloss.AdaptiveColor{Light: "#8b2d8b", Dark: "#e08be0"},
		JSONKey:  lipgloss.AdaptiveColor{Light: "#0b62a8", Dark: "#7cc4fa"},
		JSONStr:  lipgloss.AdaptiveColor{Light: "#1d7a35", Dark: "#a5d6a7"},
		JSONNum:  lipgloss.AdaptiveColor{Light: "#a3440d", Dark: "#f0a868"},
		JSONLit:  lipgloss.AdaptiveColor{Light: "#8b2d8b", Dark: "#e08be0"},
	}
}

// Styles are every style the TUI draws with, built once from a Theme and
// handed down; nothing derives a colour while drawing.
type Styles struct {
	App       lipgloss.Style
	Header    lipgloss.Style
	HeaderDim lipgloss.Style
	Title     lipgloss.Style
	Subtle    lipgloss.Style
	Bold      lipgloss.Style
	Label     lipgloss.Style
	Selected  lipgloss.Style
	Key       lipgloss.Style

	Pane struct {
		Focused lipgloss.Style
		Blurred lipgloss.Style
		Title   lipgloss.Style
	}

	Tab struct {
		Active   lipgloss.Style
		Inactive lipgloss.Style
	}

	State struct {
		NotRun  lipgloss.Style
		Running lipgloss.Style
		Done    lipgloss.Style
		Failed  lipgloss.Style
		Skipped lipgloss.Style
		// Expected is a failure the scenario expects: ⚑, its own colour.
		Expected lipgloss.Style
	}

	Success lipgloss.Style
	Failure lipgloss.Style
	Warning lipgloss.Style

	ErrorBox lipgloss.Style
	// ExpectedBox is the error box of a failure the scenario expects.
	ExpectedBox lipgloss.Style
	Current     lipgloss.Style // the highlighted arrow of the sequence diagram

	URL lipgloss.Style // a URL the reader is to use (the confirm URL)
	// QR draws a QR code: black and white, whichever way round QRInkLight
	// says the characters go.
	QR lipgloss.Style
	// QRInkLight is true on a dark background, where the characters of a
	// QR code are its light modules (see qrLines).
	QRInkLight bool

	// JSON holds the escape sequences for body colouring, taken from the
	// styles once, so colouring a 5 MB body is string concatenation.
	JSON jsonColours

	// Markdown is the style of the steps' narration.
	Markdown markdownStyle

	// Spacing: presenter mode has more of it.
	Gap        int // blank lines between the header lines and the body, and the body and the footer
	SectionGap int // blank lines between the info pane's sections
	PanePad    int // columns of padding inside each pane, on both sides

	// Presenter says these are presenter mode's styles.
	Presenter bool

	// r is the session's renderer the styles come from.
	r *lipgloss.Renderer
	// pal is what the marks in pane lines become (marks.go).
	pal palette
}

// jsonColours are prefix and suffix escape sequences per JSON token class.
type jsonColours struct {
	Key, Str, Num, Lit, Punct [2]string
}

// NewStyles builds the styles from a theme with the session's renderer,
// whose colour profile and background decide how every colour comes out.
func NewStyles(r *lipgloss.Renderer, t Theme) Styles {
	var s Styles
	s.r = r
	s.App = r.NewStyle().Foreground(t.Text)
	s.Header = r.NewStyle().Bold(true).Foreground(t.AccentFg).Background(t.AccentBg)
	s.HeaderDim = r.NewStyle().Foreground(t.AccentFg).Background(t.AccentBg)
	s.Title = r.NewStyle().Bold(true).Foreground(t.Accent)
	s.Subtle = r.NewStyle().Foreground(t.Muted)
	s.Bold = r.NewStyle().Bold(true)
	s.Label = r.NewStyle().Foreground(t.Accent)
	s.Selected = r.NewStyle().Bold(true).Reverse(true)
	s.Key = r.NewStyle().Bold(true).Foreground(t.Accent)

	s.Pane.Blurred = r.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(t.Border)
	s.Pane.Focused = r.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(t.Accent)
	s.Pane.Title = r.NewStyle().Bold(true).Foreground(t.Accent)

	s.Tab.Active = r.NewStyle().Bold(true).Reverse(true).Padding(0, 1)
	s.Tab.Inactive = r.NewStyle().Foreground(t.Muted).Padding(0, 1)

	s.State.NotRun = r.NewStyle().Foreground(t.Muted)
	s.State.Running = r.NewStyle().Foreground(t.Running).Bold(true)
	s.State.Done = r.NewStyle().Foreground(t.Success)
	s.State.Failed = r.NewStyle().Foreground(t.Failure).Bold(true)
	s.State.Skipped = r.NewStyle().Foreground(t.Muted).Faint(true)
	s.State.Expected = r.NewStyle().Foreground(t.Expected).Bold(true)

	s.Success = r.NewStyle().Foreground(t.Success)
	s.Failure = r.NewStyle().Foreground(t.Failure).Bold(true)
	s.Warning = r.NewStyle().Foreground(t.Warning)

	s.ErrorBox = r.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(t.Failure).Padding(0, 1)
	s.ExpectedBox = s.ErrorBox.BorderForeground(t.Expected)
	s.Current = r.NewStyle().Bold(true).Foreground(t.Accent)

	s.URL = r.NewStyle().Bold(true).Underline(true)
	s.QRInkLight = r.HasDarkBackground()
	s.QR = r.NewStyle().
		Foreground(lipgloss.AdaptiveColor{Light: "#000000", Dark: "#ffffff"}).
		Background(lipgloss.AdaptiveColor{Light: "#ffffff", Dark: "#000000"})

	s.JSON = jsonColours{
		Key: escapes(r.NewStyle().Foreground(t.JSONKey)),
		Str: escapes(r.NewStyle().Foreground(t.JSONStr)),
		Num: escapes(r.NewStyle().Foreground(t.JSONNum)),
		Lit: escapes(r.NewStyle().Foreground(t.JSONLit)),
		// Punctuation keeps the terminal's colour: colouring every brace
		// and comma would double the escape sequences in a large body.
	}
	s.Markdown = newMarkdownStyle(r, false)
	s.SectionGap = 1
	s.pal = newPalette(&s, t)
	return s
}

// style is a plain style of the session's renderer, for sizes and
// places rather than colours.
func (s *Styles) style() lipgloss.Style { return s.r.NewStyle() }

// PresenterTheme is presenter mode's high-contrast palette: the text and
// borders at full brightness, saturated state colours, a bright accent.
func PresenterTheme() Theme {
	return Theme{
		Text:     lipgloss.AdaptiveColor{Light: "#000000", Dark: "#ffffff"},
		Muted:    lipgloss.AdaptiveColor{Light: "#303030", Dark: "#d0d0d0"},
		Accent:   lipgloss.AdaptiveColor{Light: "#0000c0", Dark: "#ffd700"},
		AccentBg: lipgloss.AdaptiveColor{Light: "#0000c0", Dark: "#ffd700"},
		AccentFg: lipgloss.AdaptiveColor{Light: "#ffffff", Dark: "#000000"},
		Border:   lipgloss.AdaptiveColor{Light: "#000000", Dark: "#ffffff"},
		Success:  lipgloss.AdaptiveColor{Light: "#005f00", Dark: "#00ff5f"},
		Failure:  lipgloss.AdaptiveColor{Light: "#c00000", Dark: "#ff5f5f"},
		Warning:  lipgloss.AdaptiveColor{Light: "#804000", Dark: "#ffaf00"},
		Running:  lipgloss.AdaptiveColor{Light: "#0040c0", Dark: "#5fd7ff"},
		Expected: lipgloss.AdaptiveColor{Light: "#800080", Dark: "#ff87ff"},
		JSONKey:  lipgloss.AdaptiveColor{Light: "#0040c0", Dark: "#87d7ff"},
		JSONStr:  lipgloss.AdaptiveColor{Light: "#005f00", Dark: "#afffaf"},
		JSONNum:  lipgloss.AdaptiveColor{Light: "#a03000", Dark: "#ffaf5f"},
		JSONLit:  lipgloss.AdaptiveColor{Light: "#800080", Dark: "#ff87ff"},
	}
}

// NewPresenterStyles builds presenter mode's styles from a (high-contrast)
// theme with the session's renderer: bold text, heavy and double borders,
// wider tabs, padding inside the panes and blank lines between the parts
// of the screen.
func NewPresenterStyles(r *lipgloss.Renderer, t Theme) Styles {
	s := NewStyles(r, t)
	s.Presenter = true
	s.App = s.App.Bold(true)
	s.HeaderDim = s.HeaderDim.Bold(true)
	s.Title = r.NewStyle().Bold(true).Underline(true).Foreground(t.Accent)
	s.Subtle = r.NewStyle().Foreground(t.Muted)
	s.Label = s.Label.Bold(true)

	s.Pane.Blurred = r.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(t.Border)
	s.Pane.Focused = r.NewStyle().Border(lipgloss.DoubleBorder()).BorderForeground(t.Accent)

	s.Tab.Active = r.NewStyle().Bold(true).Reverse(true).Padding(0, 2)
	s.Tab.Inactive = r.NewStyle().Bold(true).Foreground(t.Muted).Padding(0, 2)

	s.State.NotRun = r.NewStyle().Foreground(t.Muted).Bold(true)
	s.State.Done = s.State.Done.Bold(true)
	s.State.Skipped = r.NewStyle().Foreground(t.Muted)
	s.Success = s.Success.Bold(true)
	s.Warning = s.Warning.Bold(true)

	s.Markdown = newMarkdownStyle(r, true)
	s.Gap, s.SectionGap, s.PanePad = 1, 2, 1
	s.pal = newPalette(&s, t)
	return s
}

// escapes returns the sequences a style puts before and after its text, so
// large bodies can be coloured without a Render call per token.
func escapes(st lipgloss.Style) [2]string {
	const mark = "\u2063" // invisible separator; never in a body we colour
	out := st.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return [2]string{}
	}
	return [2]string{out[:i], out[i+len(mark):]}
}

// The bubbles build their default styles with lipgloss's global renderer,
// which draws for the process's terminal; the functions below move every
// style of a bubble to the session's renderer.

// newHelp is the help bubble in the styles' keys and text.
func newHelp(st *Styles) help.Model {
	h := help.New()
	h.Styles.ShortKey, h.Styles.FullKey = st.Key, st.Key
	h.Styles.ShortDesc, h.Styles.FullDesc = st.Subtle, st.Subtle
	h.Styles.ShortSeparator = h.Styles.ShortSeparator.Renderer(st.r)
	h.Styles.FullSeparator = h.Styles.FullSeparator.Renderer(st.r)
	h.Styles.Ellipsis = h.Styles.Ellipsis.Renderer(st.r)
	return h
}

// restyleInput moves a text input's styles to the session's renderer.
func restyleInput(t *textinput.Model, r *lipgloss.Renderer) {
	t.PromptStyle = t.PromptStyle.Renderer(r)
	t.TextStyle = t.TextStyle.Renderer(r)
	t.PlaceholderStyle = t.PlaceholderStyle.Renderer(r)
	t.CompletionStyle = t.CompletionStyle.Renderer(r)
	t.Cursor.Style = t.Cursor.Style.Renderer(r)
	t.Cursor.TextStyle = t.Cursor.TextStyle.Renderer(r)
}

// restyleList moves a list's styles, its filter's and its pagination
// dots (which it renders once, in list.New) to the session's renderer.
func restyleList(l *list.Model, r *lipgloss.Renderer) {
	s := &l.Styles
	for _, st := range []*lipgloss.Style{
		&s.TitleBar, &s.Title, &s.Spinner, &s.FilterPrompt, &s.FilterCursor, &s.DefaultFilterCharacterMatch,
		&s.StatusBar, &s.StatusEmpty, &s.StatusBarActiveFilter, &s.StatusBarFilterCount, &s.NoItems,
		&s.PaginationStyle, &s.HelpStyle, &s.ActivePaginationDot, &s.InactivePaginationDot, &s.ArabicPagination, &s.DividerDot,
	} {
		*st = st.Renderer(r)
	}
	restyleInput(&l.FilterInput, r)
	l.Paginator.ActiveDot = s.ActivePaginationDot.String()
	l.Paginator.InactiveDot = s.InactivePaginationDot.String()
}
