package mock

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Altinn's paginated lists (the vendor's .../bysystem/{systemId} lists of
// system users, requests and change requests), as altinn-authentication
// at ad4f6f3 writes them:
//   - the body is {"links": {"next": URL}, "data": [...]}, links first
//     (src/Authentication/Model/Paginated.cs L22-45; ListObject.cs L48-51
//     names the items data): Altinn's own tt02 test takes the second key as
//     the data (SystemIntegrationTests/Tests/SystemUserTests.cs L530-541);
//     on the last page links is {} (a null next is left out, as every null,
//     AuthenticationHost.cs L76-80);
//   - next is Url.Link of the route with systemId and token: an absolute
//     URL of the same path with ?token=, where token is Opaque<T>, base64url
//     without padding of the JSON of the first item's key on the next page
//     (src/Authentication/Model/Opaque.cs L88-166; Page.Create,
//     src/Core/Models/Page.cs L35-48): a system user's sequence number
//     (JSON 57, token "NTc"), a request's or a change request's id (a JSON
//     string, token "Ij...").
//
// The page size is PaginationOptions:Size, 50 in the shipped
// src/Authentication/appsettings.json L69-71 (tt02's own value is not
// public); the mock's is the seed's pageSize, small by default, so that a
// client that reads only the first page misses data against the mock too.
//
// The real lists have paging bugs the mock does not copy (docs/mock-api.md
// says which): the mock's pages follow each other without a gap or a
// repeat.

// AltinnDefaultPageSize is the mock Altinn's page size when the seed gives
// none (Seed.PageSize); the real service's is 50.
const AltinnDefaultPageSize = 5

// altinnMaxPageSize bounds a seed's pageSize.
const altinnMaxPageSize = 1000

// altinnLinks is a page's links: next, when there is a next page.
type altinnLinks struct {
	Next string `json:"next,omitempty"`
}

// altinnPage is Paginated<T>.
type altinnPage[T any] struct {
	Links altinnLinks `json:"links"`
	Data  []T         `json:"data"`
}

// size is the page size of the lists. Callers hold a.mu.
func (st *altinnState) size() int {
	if st.pageSize > 0 {
		return st.pageSize
	}
	return AltinnDefaultPageSize
}

// altinnOpaque is an Opaque<T>'s text: base64url, no padding, of v's JSON.
func altinnOpaque(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// altinnPageToken reads the ?token= of a page request into v (a pointer);
// false with no token. A token that does not decode fails model binding as
// ASP.NET answers it (a plain 400), and ok is false.
func altinnPageToken(w http.ResponseWriter, r *http.Request, v any) (given, ok bool) {
	raw := r.URL.Query().Get("token")
	if raw == "" {
		return false, true
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		writeAltinnModelProblem(w, "token", fmt.Sprintf("The value '%s' is not valid.", raw))
		return false, false
	}
	return true, true
}

// nextLink is the URL of the next page of the list r asked for: the same
// path on the mock's own URL, with the token. Callers hold a.mu.
func (a *Altinn) nextLink(r *http.Request, token any) string {
	return a.cfg.URL + strings.TrimPrefix(r.URL.EscapedPath(), "/") + "?token=" + altinnOpaque(token)
}

// writeAltinnPage answers items as a page, each rendered by render, with
// the link to the next page (whose first key is next) when there is more.
// Callers hold a.mu.
func writeAltinnPage[T, J any](a *Altinn, w http.ResponseWriter, r *http.Request, items []T, render func(T) J, next any, more bool) {
	page := altinnPage[J]{Data: make([]J, 0, len(items))}
	for _, it := range items {
		page.Data = append(page.Data, render(it))
	}
	if more {
		page.Links.Next = a.nextLink(r, next)
	}
	writeJSON(w, http.StatusOK, page)
}

// vendorSystem is the system of the path's {systemId} when it is the
// vendor's; an unknown system or another vendor's is answered AUTH-00011
// and ok is false. Callers hold a.mu.
func (a *Altinn) vendorSystem(w http.ResponseWriter, r *http.Request, vendorOrgNo string) (*altinnSystem, bool) {
	sys, exists := a.systems[r.PathValue("systemId")]
	if !exists || sys.vendorOrgNo != vendorOrgNo {
		writeAltinnProblem(w, probSystemIDNotFound)
		return nil, false
	}
	return sys, true
}

// paginate cuts the page that starts at the first kept item at or after
// the token (from; the first kept item when given is false) out of items,
// which are sorted by key, as Page.Create does: at most size kept items,
// and next, the key of the first kept item after them, when there is one.
// It costs a binary search and the page, not the list: a system of 100,000
// system users pages as fast as one of ten.
func paginate[T any, K any](items []T, keep func(T) bool, key func(T) K, less func(a, b K) bool, from K, given bool, size int) (page []T, next K, more bool) {
	i := 0
	if given {
		i = sort.Search(len(items), func(j int) bool { return !less(key(items[j]), from) })
	}
	for ; i < len(items); i++ {
		if !keep(items[i]) {
			continue
		}
		if len(page) == size {
			return page, key(items[i]), true
		}
		page = append(page, items[i])
	}
	return page, next, false
}
