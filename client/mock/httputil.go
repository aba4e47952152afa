package mock

import (
	"encoding/json"
	"net/http"
)

// writeJSON answers with v as JSON and the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONType(w, "application/json; charset=utf-8", status, v)
}

// writeJSONType answers with v as JSON under the given content type.
func writeJSONType(w http.ResponseWriter, contentType string, status int, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
