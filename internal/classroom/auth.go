package classroom

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// Who may come in: a trainee whose public key is in the authorized keys
// file, or one who types the join code (as the SSH password, or at the
// keyboard-interactive prompt). A trainee's identity is their key when
// they came in with one, else the SSH user name they gave with the code:
// that identity finds their world again when they reconnect.

// codeAlphabet leaves out what reads alike (0 O, 1 I L), so a code read
// off a projector is typed right.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewJoinCode makes a join code of eight characters (about 40 bits), shown
// in two groups: KX7P-4M2Q.
func NewJoinCode() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make a join code: %w", err)
	}
	var sb strings.Builder
	for i, c := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return sb.String(), nil
}

// normalCode is a typed code as compared: upper case, without the
// separators and spaces a person may type or leave out.
func normalCode(s string) []byte {
	var b []byte
	for _, r := range strings.ToUpper(s) {
		if r != '-' && !unicode.IsSpace(r) {
			b = append(b, string(r)...)
		}
	}
	return b
}

// codeMatches compares a typed code with the join code in constant time.
func codeMatches(typed, code string) bool {
	want := normalCode(code)
	return len(want) > 0 && subtle.ConstantTimeCompare(normalCode(typed), want) == 1
}

// identity is who a session is: the key or name that finds their world,
// the name the roster shows, and how they came in.
type identity struct {
	id   string // key:SHA256:..., or name:kari
	name string // the SSH user name, made safe to show
	how  string // "key" or "join code"
}

// identityKey holds the identity in the connection's context, set by the
// auth handler that let the connection in.
type identityKey struct{}

func identityOf(ctx ssh.Context) (identity, bool) {
	who, ok := ctx.Value(identityKey{}).(identity)
	return who, ok
}

// displayName is an SSH user name made safe for the roster and a file
// name's stem: letters, digits, '.', '_' and '-', at most 32 of them.
func displayName(user string) string {
	var sb strings.Builder
	n := 0
	for _, r := range user {
		if n == 32 {
			break
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-':
			sb.WriteRune(r)
		case r == ' ' || r == '@':
			sb.WriteRune('-')
		default:
			continue
		}
		n++
	}
	name := strings.Trim(sb.String(), ".-")
	if name == "" {
		return "trainee"
	}
	return name
}

// authorizedKeys are the keys in the authorized keys file, read again
// when the file changes, so a trainer can add a trainee's key mid-class.
type authorizedKeys struct {
	file string
	mu   sync.Mutex
	mod  time.Time
	keys [][]byte // each key's wire form
}

// loadAuthorizedKeys reads the file, whose lines are OpenSSH's
// authorized_keys lines (options are ignored; # starts a comment). A
// line that is not a key is an error naming the file and line.
func loadAuthorizedKeys(file string) (*authorizedKeys, error) {
	a := &authorizedKeys{file: file}
	if err := a.reload(); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *authorizedKeys) reload() error {
	fi, err := os.Stat(a.file)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	if fi.ModTime().Equal(a.mod) && a.keys != nil {
		return nil
	}
	b, err := os.ReadFile(a.file)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	keys := [][]byte{}
	for i, line := range bytes.Split(b, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		k, _, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return fmt.Errorf("%s:%d: not a public key line (%v)", a.file, i+1, err)
		}
		keys = append(keys, k.Marshal())
	}
	a.mod, a.keys = fi.ModTime(), keys
	return nil
}

// allows reports whether key is listed. A file that became unreadable or
// wrong keeps the keys read before; err says why.
func (a *authorizedKeys) allows(key gossh.PublicKey) (ok bool, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	err = a.reload()
	w := key.Marshal()
	for _, k := range a.keys {
		if subtle.ConstantTimeCompare(k, w) == 1 {
			return true, err
		}
	}
	return false, err
}

// authOptions are the server's auth handlers: a listed key, or the join
// code as a password or at the keyboard-interactive prompt. With no code
// and no keys, nobody gets in.
func (s *Server) authOptions() []ssh.Option {
	opts := []ssh.Option{
		ssh.PasswordAuth(func(ctx ssh.Context, password string) bool {
			return s.checkCode(ctx, password)
		}),
		ssh.KeyboardInteractiveAuth(func(ctx ssh.Context, ask gossh.KeyboardInteractiveChallenge) bool {
			answers, err := ask("", "Systembruker Workbench classroom: the join code is on the trainer's screen.", []string{"Join code: "}, []bool{false})
			return err == nil && len(answers) == 1 && s.checkCode(ctx, answers[0])
		}),
	}
	if s.keys != nil {
		opts = append(opts, ssh.PublicKeyAuth(func(ctx ssh.Context, key ssh.PublicKey) bool {
			ok, err := s.keys.allows(key)
			if err != nil {
				s.logf("", "authorized keys: %v (the keys read before still count)", err)
			}
			if ok {
				ctx.SetValue(identityKey{}, identity{
					id: "key:" + gossh.FingerprintSHA256(key), name: displayName(ctx.User()), how: "key",
				})
			}
			return ok
		}))
	}
	return opts
}

// checkCode lets a connection in with the join code, under the SSH user
// name it gave. A wrong code costs a second, so guessing is slow; the log
// says where it came from, never what was typed.
func (s *Server) checkCode(ctx ssh.Context, typed string) bool {
	if s.code == "" || !codeMatches(typed, s.code) {
		s.logf("", "a wrong join code from %s (user %q)", hostOf(ctx.RemoteAddr()), displayName(ctx.User()))
		time.Sleep(s.opts.wrongCodeDelay)
		return false
	}
	name := displayName(ctx.User())
	// A key that was only offered (accepted, then not signed with) must
	// not become the identity of a connection the code let in.
	ctx.SetValue(identityKey{}, identity{id: "name:" + strings.ToLower(name), name: name, how: "join code"})
	return true
}
