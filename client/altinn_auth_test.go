package client

import (
	"context"
	"testing"
)

func TestContractTokenExchangeIsAPlainString(t *testing.T) {
	s := serve(t, 200, "text/plain; charset=utf-8", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln")
	tok, err := NewAuthentication(s.URL, s.Client()).Exchange(context.Background(), "mp")
	if err != nil || tok != "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln" {
		t.Fatalf("%q %v", tok, err)
	}
	q := serve(t, 200, "application/json", `"eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln"`)
	if tok, _ := NewAuthentication(q.URL, q.Client()).Exchange(context.Background(), "mp"); tok != "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhbHRpbm4ifQ.c2ln" {
		t.Errorf("quoted: %q", tok)
	}
}
