package mock

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestMPTokenResponseJSON: the token answer written by hand is, byte for
// byte, what writeJSON writes for it, and a scope that would need escaping
// is left to writeJSON.
func TestMPTokenResponseJSON(t *testing.T) {
	encode := func(v any) string {
		rec := httptest.NewRecorder()
		writeJSON(rec, http.StatusOK, v)
		return rec.Body.String()
	}
	plain := []mpTokenResponse{
		{AccessToken: "eyJhbGciOiJSUzI1NiJ9.eyJzY29wZSI6IngifQ.c2ln-_", TokenType: "Bearer", ExpiresIn: 119, Scope: ScopeKravOgBetalinger},
		{AccessToken: "a.b.c", TokenType: "Bearer", ExpiresIn: 0, Scope: "skatteetaten:krav altinn:authentication/systemregister.write <&>"},
		{AccessToken: "", TokenType: "", ExpiresIn: -1, Scope: ""},
	}
	for _, r := range plain {
		got, ok := r.appendJSON(nil)
		if !ok {
			t.Errorf("%+v: not written by hand", r)
			continue
		}
		if want := encode(&r); string(got) != want {
			t.Errorf("by hand %q\nwriteJSON %q", got, want)
		}
	}
	for _, scope := range []string{`a"b`, `a\b`, "a\nb", "a\x7fb", "skatteetaten:krav\u2028", "æøå"} {
		r := mpTokenResponse{AccessToken: "a.b.c", TokenType: "Bearer", ExpiresIn: 119, Scope: scope}
		if got, ok := r.appendJSON(nil); ok {
			t.Errorf("scope %q written by hand as %q", scope, got)
		}
	}
}

// TestMPParseForm: mpParseForm's own read of a form post gives the same
// form and the same errors as net/http's ParseForm, and leaves every other
// request to it.
func TestMPParseForm(t *testing.T) {
	type req struct {
		name, contentType, body string
		contentLength           int64 // 0: the body's length
		query                   string
		method                  string
	}
	cases := []req{
		{name: "grant", contentType: "application/x-www-form-urlencoded", body: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJ.eyJ.sig"},
		{name: "duplicates", contentType: "application/x-www-form-urlencoded", body: "assertion=a&assertion=b&grant_type=x+y"},
		{name: "bad escape", contentType: "application/x-www-form-urlencoded", body: "assertion=%zz&grant_type=x"},
		{name: "semicolon", contentType: "application/x-www-form-urlencoded", body: "a=1;b=2"},
		{name: "charset", contentType: "application/x-www-form-urlencoded; charset=utf-8", body: "assertion=a"},
		{name: "JSON", contentType: "application/json", body: `{"assertion":"a"}`},
		{name: "no type", body: "assertion=a"},
		{name: "query", contentType: "application/x-www-form-urlencoded", body: "assertion=a", query: "grant_type=x"},
		{name: "short body", contentType: "application/x-www-form-urlencoded", body: "assertion=a", contentLength: 40},
		{name: "empty", contentType: "application/x-www-form-urlencoded", body: ""},
		{name: "PUT", contentType: "application/x-www-form-urlencoded", body: "assertion=a", method: http.MethodPut},
	}
	make := func(c req) *http.Request {
		method := c.method
		if method == "" {
			method = http.MethodPost
		}
		target := "/token"
		if c.query != "" {
			target += "?" + c.query
		}
		r := httptest.NewRequest(method, target, io.NopCloser(strings.NewReader(c.body)))
		r.ContentLength = int64(len(c.body))
		if c.contentLength != 0 {
			r.ContentLength = c.contentLength
			// A body shorter than its Content-Length ends as net/http's
			// server ends it.
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader(c.body), iotest.ErrReader(io.ErrUnexpectedEOF)))
		}
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		return r
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ours, theirs := make(c), make(c)
			errOurs, errTheirs := mpParseForm(ours), theirs.ParseForm()
			if (errOurs == nil) != (errTheirs == nil) || errOurs != nil && errOurs.Error() != errTheirs.Error() &&
				!(errors.Is(errOurs, io.ErrUnexpectedEOF) && errors.Is(errTheirs, io.ErrUnexpectedEOF)) {
				t.Fatalf("errors: ours %v, ParseForm's %v", errOurs, errTheirs)
			}
			if errOurs != nil {
				return
			}
			if !reflect.DeepEqual(ours.PostForm, theirs.PostForm) || !reflect.DeepEqual(ours.Form, theirs.Form) {
				t.Errorf("ours: post %v form %v\nParseForm: post %v form %v", ours.PostForm, ours.Form, theirs.PostForm, theirs.Form)
			}
		})
	}
	// Past handleToken's bound the read fails as ParseForm's does.
	big := bytes.Repeat([]byte("a"), 300<<10)
	r := httptest.NewRequest(http.MethodPost, "/token", bytes.NewReader(big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 256<<10)
	if err := mpParseForm(r); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("a 300 kB form: %v", err)
	}
}

// TestMPAccessClaimsJSON: the claims written by hand are, byte for byte,
// json.Marshal's, for every shape an issued token takes, and a string
// that json.Marshal would escape is left to it.
func TestMPAccessClaimsJSON(t *testing.T) {
	base := func() mpAccessClaims {
		return mpAccessClaims{
			Iss: "http://127.0.0.1:4000/", ClientID: "a1b2c3d4-0000-4000-8000-000000000001", ClientAmr: "private_key_jwt", TokenType: "Bearer",
			Consumer: mpOrgID{ID: "0192:991825827", Authority: mpAuthority}, Scope: ScopeKravOgBetalinger + " altinn:authentication/systemregister.write",
			Iat: 1764590400, Exp: 1764590520, Jti: "Zm9vYmFyLV9fYmF6cXV4LWZvb2Jhcg",
		}
	}
	su := []mpIssuedSystemUser{{Type: mpSystemUserType, SystemUserID: []string{"7f3b2c1e-9d8a-4b6c-8e5f-1a2b3c4d5e6f"},
		SystemUserOrg: mpOrgID{ID: "0192:310000001", Authority: mpAuthority}, SystemID: "991825827_smartcloud"}}
	shapes := map[string]func(c *mpAccessClaims){
		"plain":             func(c *mpAccessClaims) {},
		"system user":       func(c *mpAccessClaims) { c.AuthorizationDetails = su },
		"aud":               func(c *mpAccessClaims) { c.Aud = "https://api.skatteetaten.no/"; c.AuthorizationDetails = su },
		"aud list":          func(c *mpAccessClaims) { c.Aud = []string{"https://a.example/", "https://b.example/"} },
		"empty strings":     func(c *mpAccessClaims) { *c = mpAccessClaims{Aud: ""} },
		"nil systemuser_id": func(c *mpAccessClaims) { c.AuthorizationDetails = []mpIssuedSystemUser{{Type: mpSystemUserType}} },
		"negative times":    func(c *mpAccessClaims) { c.Iat, c.Exp = -1, 0 },
		"two entries":       func(c *mpAccessClaims) { c.AuthorizationDetails = append(append([]mpIssuedSystemUser{}, su...), su...) },
	}
	for name, edit := range shapes {
		c := base()
		edit(&c)
		want, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := c.appendJSON(nil)
		if !ok || string(got) != string(want) {
			t.Errorf("%s: by hand (%v) %s\njson.Marshal %s", name, ok, got, want)
		}
	}
	for _, s := range []string{`a"b`, `a\b`, "a\nb", "a<b", "a>b", "a&b", "a\x7fb", "æ", "\u2028"} {
		for i, edit := range []func(c *mpAccessClaims){
			func(c *mpAccessClaims) { c.Scope = s },
			func(c *mpAccessClaims) { c.Aud = []string{"x", s} },
			func(c *mpAccessClaims) { c.AuthorizationDetails = []mpIssuedSystemUser{{SystemID: s}} },
			func(c *mpAccessClaims) { c.Consumer.ID = s },
		} {
			c := base()
			edit(&c)
			if got, ok := c.appendJSON(nil); ok {
				t.Errorf("%q in place %d written by hand: %s", s, i, got)
			}
		}
	}
	c := base()
	c.Aud = []any{"x"}
	if _, ok := c.appendJSON(nil); ok {
		t.Error("an aud of another type written by hand")
	}
}
