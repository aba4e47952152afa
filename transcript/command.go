package transcript

import (
	"strings"

	"github.com/systembruker/workbench/client"
)

// CurlCommand is one exchange as a curl command, made as the curl transcript
// makes each of its commands: the URL, headers and body as the exchange
// recorded them, tokens in full (it goes to the clipboard, not to a file
// others may read), secret headers (a subscription key, which the client
// records as redacted) as variables to export first.
func CurlCommand(x client.Exchange) string {
	t := &transcript{opts: Options{FullTokens: true}}
	for _, h := range t.secretHeaderVars([]stepExchange{{x: x}}) {
		t.p("# %s is not in the recorded exchange: export %s first.\n", h, shellName(h))
	}
	if contentType(x.RequestHeader) == "multipart/form-data" {
		t.line(`TMP=$(mktemp -d)`)
	}
	ok := x.Status >= 200 && x.Status <= 399
	c := t.curlArgs(x, ok, func(s string) []segment { return []segment{{text: s}} })
	t.curlCommand(c, nil)
	// The script ends a command that captures nothing with an echo, to end
	// the line of its output; a command on its own has no use for it.
	return strings.TrimSuffix(t.b.String(), "echo\n\n")
}
