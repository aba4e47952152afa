package mock

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
)

// ReadSeedFile reads a JSON seed file. Unknown fields are errors, so a
// misspelt key does not silently leave state out.
//
// The file is decoded entry by entry as it is read: a seed of 100,000
// system users is about 100 MB of JSON, which decoded whole would be held
// twice or more (encoding/json buffers a value whole, doubling its buffer
// as it grows). Systems stay JSON (Seed.systemsJSON).
func ReadSeedFile(path string) (Seed, error) {
	file, err := os.Open(path)
	if err != nil {
		return Seed{}, fmt.Errorf("read seed: %w", err)
	}
	defer file.Close()
	return readSeed(path, bufio.NewReaderSize(file, 64<<10), func() []byte {
		b, _ := os.ReadFile(path)
		return b
	})
}

// ParseSeed reads a seed in the JSON form of ReadSeedFile; path names it
// in errors.
func ParseSeed(path string, b []byte) (Seed, error) {
	return readSeed(path, bytes.NewReader(b), func() []byte { return b })
}

// readSeed decodes a seed from r; source gives the bytes again, to name
// the line of a syntax error.
func readSeed(path string, r io.Reader, source func() []byte) (Seed, error) {
	var s Seed
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := decodeSeed(dec, &s); err != nil {
		lineAt := func(off int64) int {
			b := source()
			return bytes.Count(b[:max(0, min(off, int64(len(b))))], []byte("\n")) + 1
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			// The file ended inside the seed's object: name the line it
			// ended on, as a syntax error does.
			msg := strings.TrimSuffix(strings.TrimSuffix(err.Error(), io.ErrUnexpectedEOF.Error()), io.EOF.Error())
			return s, fmt.Errorf("seed %s:%d: %sunexpected end of the file (is it cut short, or a bracket not closed?)", path, lineAt(dec.InputOffset()), msg)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return s, fmt.Errorf("seed %s:%d: %v", path, lineAt(se.Offset), err)
		}
		return s, fmt.Errorf("seed %s: %v (the README's \"Seed file\" section lists the fields)", path, err)
	}
	if err := s.checkUnique(); err != nil {
		return s, fmt.Errorf("seed %s: %w", path, err)
	}
	return s, nil
}

// decodeSeed reads one JSON object into s, each list an entry at a time.
// The keys are Seed's JSON names, found by reflection, so a field added to
// Seed is read without more code here.
func decodeSeed(dec *json.Decoder, s *Seed) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	v := reflect.ValueOf(s).Elem()
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if key == "systems" {
			err = decodeList(dec, reflect.ValueOf(&s.systemsJSON).Elem())
		} else if f, ok := seedField(v, key); !ok {
			return fmt.Errorf("json: unknown field %q", key)
		} else if f.Kind() == reflect.Slice {
			err = decodeList(dec, f)
		} else {
			err = dec.Decode(f.Addr().Interface())
		}
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return err
	}
	if _, err := dec.Token(); err == nil {
		return errors.New("more JSON after the seed's object")
	}
	return nil
}

// seedField is the field of Seed whose JSON name is key (any case, as
// encoding/json matches).
func seedField(v reflect.Value, key string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if t.Field(i).IsExported() && name != "" && name != "-" && strings.EqualFold(name, key) {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// decodeList reads a JSON array (or null) into the slice f, one element at
// a time.
func decodeList(dec *json.Decoder, f reflect.Value) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == nil {
		return nil
	}
	if d, ok := t.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("json: cannot unmarshal %v into a list", t)
	}
	for i := 0; dec.More(); i++ {
		e := reflect.New(f.Type().Elem())
		if err := dec.Decode(e.Interface()); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
		f.Set(reflect.Append(f, e.Elem()))
	}
	_, err = dec.Token() // the closing ]
	return err
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return fmt.Errorf("json: expected %q, found %v", want, t)
	}
	return nil
}

// checkUnique refuses two entries of one kind with the same id in one
// seed: the second would silently replace the first. (An entry with the id
// of one of the built-in world's replaces that one, on purpose: the world
// is the built-in seed merged with this one.)
func (s Seed) checkUnique() error {
	type entry struct{ kind, id string }
	var entries []entry
	add := func(kind string, id string) { entries = append(entries, entry{kind, id}) }
	for _, c := range s.Clients {
		add("clients", c.ClientID)
	}
	for _, sys := range s.Systems {
		id, _ := sys["id"].(string)
		add("systems", id)
	}
	for _, raw := range s.systemsJSON {
		var sys struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &sys) // a system that is not JSON is refused when seeded
		add("systems", sys.ID)
	}
	for _, u := range s.SystemUsers {
		add("systemUsers", u.ID)
	}
	for _, sc := range s.Scopes {
		add("scopes", sc.Name)
	}
	for _, r := range s.Resources {
		add("resources", r.Identifier)
	}
	for _, o := range s.Orgs {
		add("orgs", o.OrgNo)
	}
	for _, p := range s.Persons {
		add("persons", p.PID)
	}
	first := map[entry]int{}
	index := map[string]int{}
	for _, e := range entries {
		i := index[e.kind]
		index[e.kind]++
		if e.id == "" {
			continue // the entry's own check says what is missing
		}
		if j, dup := first[e]; dup {
			return fmt.Errorf("%s[%d] (%q): the same id as %s[%d]; two entries with one id would replace each other, so give each its own", e.kind, i, e.id, e.kind, j)
		}
		first[e] = i
	}
	return nil
}
