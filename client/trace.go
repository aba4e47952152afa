package client

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
)

// TraceHeader is where the mock services put the calls they made to answer
// a request (Maskinporten asking Altinn for the system user, Skatteetaten
// asking Maskinporten and the PDP): base64 of a JSON list of exchanges.
// Real services send nothing like it; against them Behind stays empty.
const TraceHeader = "X-Mock-Trace"

// TraceRequestHeader asks a mock for TraceHeader: the workbench's clients
// send it, "1", on every call whose exchange is recorded (WithRecorder:
// the flow, the TUI, token -v), and a mock builds the trace only for a
// caller that asks. Like TraceHeader it is a channel to the mocks, not part
// of the flow, so the recorded exchange leaves it out.
const TraceRequestHeader = "X-Mock-Trace-Request"

// RedactHeaders is a copy of h with credentials that are not part of what
// the flow teaches (subscription keys, cookies) replaced by "[redacted]".
func RedactHeaders(h http.Header) http.Header { return redact(h) }

// DecodeTrace reads the exchanges of a TraceHeader; nil when absent or
// unreadable.
func DecodeTrace(h http.Header) []Exchange {
	v := h.Get(TraceHeader)
	if v == "" {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var xs []Exchange
	if json.Unmarshal(b, &xs) != nil {
		return nil
	}
	return xs
}

// behind moves the trace out of the recorded headers into the exchange.
func behind(x *Exchange) {
	if x.ResponseHeader == nil {
		return
	}
	x.Behind = DecodeTrace(x.ResponseHeader)
	x.ResponseHeader.Del(TraceHeader)
}
