package client

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

// SigningKey is a private key with the name Maskinporten knows it by: a
// kid for a key registered on the client, or a certificate chain (x5c) for
// a business certificate. Its String and GoString never show the key.
type SigningKey struct {
	Key       *rsa.PrivateKey
	KeyID     string
	CertChain [][]byte // DER, leaf first; when set, the grant has x5c instead of kid
	Algorithm string   // RS256 (default), RS384 or RS512
}

func (k SigningKey) String() string {
	if len(k.CertChain) > 0 {
		return "SigningKey(x5c, " + k.alg() + ")"
	}
	return fmt.Sprintf("SigningKey(kid=%s, %s)", k.KeyID, k.alg())
}

// GoString keeps %#v from printing the private key.
func (k SigningKey) GoString() string { return k.String() }

func (k SigningKey) alg() string {
	if k.Algorithm == "" {
		return "RS256"
	}
	return k.Algorithm
}

// PublicJWKS is the public half of the key as a one-key set.
func (k SigningKey) PublicJWKS() JWKS {
	return JWKS{Keys: []JWK{PublicJWK(&k.Key.PublicKey, k.KeyID)}}
}

// OrgID names an organisation the way Maskinporten does:
// {"authority": "iso6523-actorid-upis", "ID": "0192:<orgno>"}.
type OrgID struct {
	Authority string `json:"authority"`
	ID        string `json:"ID"`
}

// OrgAuthority is the ISO 6523 authority every Norwegian org id uses.
const OrgAuthority = "iso6523-actorid-upis"

// NewOrgID is the OrgID of a Norwegian organisation number.
func NewOrgID(orgNo string) OrgID { return OrgID{Authority: OrgAuthority, ID: "0192:" + orgNo} }

// OrgNo is the organisation number without the 0192: prefix.
func (o OrgID) OrgNo() string { return strings.TrimPrefix(o.ID, "0192:") }

// UnmarshalJSON accepts both "ID" (what real tokens carry) and "id" (what
// one Altinn doc page shows).
func (o *OrgID) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	o.Authority, _ = m["authority"].(string)
	if id, ok := m["ID"].(string); ok {
		o.ID = id
	} else {
		o.ID, _ = m["id"].(string)
	}
	return nil
}

// AuthorizationTypeSystemUser is the authorization_details type for a
// system user.
const AuthorizationTypeSystemUser = "urn:altinn:systemuser"

// AuthorizationDetail is one entry of authorization_details: in a grant,
// type, systemuser_org and optionally externalRef; in an issued token also
// systemuser_id and system_id.
type AuthorizationDetail struct {
	Type          string   `json:"type"`
	SystemUserOrg *OrgID   `json:"systemuser_org,omitempty"`
	ExternalRef   string   `json:"externalRef,omitempty"`
	SystemUserID  []string `json:"systemuser_id,omitempty"`
	SystemID      string   `json:"system_id,omitempty"`
}

// Grant is a JWT bearer grant for Maskinporten's /token.
type Grant struct {
	ClientID string   // iss
	Audience string   // aud: Maskinporten's issuer
	Scopes   []string // scope, space separated
	Resource []string // optional resource (audience-restricted token)
	// IssuedAt is iat; zero means now.
	IssuedAt time.Time
	// Lifetime is exp - iat; zero means 120 s, the documented maximum.
	Lifetime time.Duration
	// JTI is the grant id; empty means a fresh random one.
	JTI                  string
	AuthorizationDetails []AuthorizationDetail
	// Extra claims, for scenarios that add what Maskinporten does not know.
	Extra map[string]any
}

// GrantWarnings lists what is legal for the server but against the
// documentation, for display beside the grant.
func (g Grant) Warnings() []string {
	var w []string
	if g.Lifetime > 120*time.Second {
		w = append(w, fmt.Sprintf("lifetime %s is above the documented 120 s (the server refuses above 180 s)", g.Lifetime))
	}
	if len(g.Scopes) == 0 {
		w = append(w, "no scope: a system user grant must ask for at least one")
	}
	return w
}

// Claims is the grant's claim set.
func (g Grant) Claims() jwt.MapClaims {
	iat := g.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	life := g.Lifetime
	if life == 0 {
		life = 120 * time.Second
	}
	jti := g.JTI
	if jti == "" {
		jti = NewJTI()
	}
	c := jwt.MapClaims{
		"aud":   g.Audience,
		"iss":   g.ClientID,
		"scope": strings.Join(g.Scopes, " "),
		"iat":   iat.Unix(),
		"exp":   iat.Add(life).Unix(),
		"jti":   jti,
	}
	if len(g.Resource) > 0 {
		c["resource"] = g.Resource
	}
	if len(g.AuthorizationDetails) > 0 {
		c["authorization_details"] = g.AuthorizationDetails
	}
	for k, v := range g.Extra {
		c[k] = v
	}
	return c
}

// Sign signs the grant with the key.
func (g Grant) Sign(k SigningKey) (string, error) {
	if k.Key == nil {
		return "", errors.New("sign grant: no private key loaded")
	}
	m := jwt.GetSigningMethod(k.alg())
	if m == nil || !strings.HasPrefix(k.alg(), "RS") {
		return "", fmt.Errorf("sign grant: algorithm %q; Maskinporten takes RS256, RS384 or RS512", k.alg())
	}
	t := jwt.NewWithClaims(m, g.Claims())
	if len(k.CertChain) > 0 {
		chain := make([]string, len(k.CertChain))
		for i, der := range k.CertChain {
			chain[i] = base64.StdEncoding.EncodeToString(der)
		}
		t.Header["x5c"] = chain
	} else {
		if k.KeyID == "" {
			return "", errors.New("sign grant: the key has no kid; Maskinporten needs the kid it was registered with")
		}
		t.Header["kid"] = k.KeyID
	}
	s, err := t.SignedString(k.Key)
	if err != nil {
		return "", fmt.Errorf("sign grant: %w", err)
	}
	return s, nil
}

// NewJTI is a fresh random grant id.
func NewJTI() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return b64.EncodeToString(b)
}

// NewUUID is a random (version 4, RFC 4122) UUID in its lower-case
// text form: the ids the vendor makes (a change request's correlation id)
// and the mocks hand out (request, system user and client ids).
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// DecodedJWT is a JWT taken apart for display: its header and claims, and
// whether its signature was verified, with which key.
type DecodedJWT struct {
	Raw    string         `json:"raw"`
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
	// Verified is true only when the signature was checked against a key.
	Verified bool `json:"verified"`
	// KeyID is the kid the signature was (or would be) checked with.
	KeyID string `json:"kid,omitempty"`
	// VerifyError says why verification failed or was not done.
	VerifyError string `json:"verifyError,omitempty"`
}

// DecodeJWT takes a compact JWT apart without verifying it.
func DecodeJWT(raw string) (DecodedJWT, error) {
	d := DecodedJWT{Raw: raw}
	parts := strings.Split(strings.TrimSpace(raw), ".")
	if len(parts) != 3 {
		return d, fmt.Errorf("not a JWT: %d parts separated by '.', a signed JWT has 3", len(parts))
	}
	for i, dst := range []*map[string]any{&d.Header, &d.Claims} {
		b, err := b64.DecodeString(strings.TrimRight(parts[i], "="))
		if err != nil {
			return d, fmt.Errorf("not a JWT: part %d is not base64url: %v", i+1, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			if !printable(b) { // the JSON error would quote a stray byte of it
				return d, fmt.Errorf("not a JWT: part %d is base64url, but of binary data, not of JSON text", i+1)
			}
			return d, fmt.Errorf("not a JWT: part %d is not a JSON object: %v", i+1, err)
		}
		if *dst == nil { // JSON null
			return d, fmt.Errorf("not a JWT: part %d is null, not a JSON object", i+1)
		}
	}
	d.KeyID, _ = d.Header["kid"].(string)
	d.VerifyError = "not verified"
	return d, nil
}

// Time returns a NumericDate claim as a time.
func (d DecodedJWT) Time(claim string) (time.Time, bool) {
	f, ok := d.Claims[claim].(float64)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// AccessToken is a verified Maskinporten access token.
type AccessToken struct {
	DecodedJWT
	Issuer               string
	ClientID             string
	Scope                string
	Consumer             OrgID
	AuthorizationDetails []AuthorizationDetail
	IssuedAt, Expires    time.Time
}

// SystemUser returns the urn:altinn:systemuser entry, if any.
func (t AccessToken) SystemUser() (AuthorizationDetail, bool) {
	for _, d := range t.AuthorizationDetails {
		if d.Type == AuthorizationTypeSystemUser {
			return d, true
		}
	}
	return AuthorizationDetail{}, false
}

type accessClaims struct {
	jwt.RegisteredClaims
	ClientID             string                `json:"client_id"`
	Scope                string                `json:"scope"`
	Consumer             OrgID                 `json:"consumer"`
	AuthorizationDetails []AuthorizationDetail `json:"authorization_details"`
}

// VerifyAccessToken checks a Maskinporten access token: RS256/384/512
// signature by a key of jwks named by the token's kid, the issuer, and the
// expiry (with 10 s leeway) at now. It returns the decoded token even when
// verification fails, with VerifyError saying why.
func VerifyAccessToken(raw string, jwks JWKS, issuer string, now time.Time) (AccessToken, error) {
	d, err := DecodeJWT(raw)
	t := AccessToken{DecodedJWT: d}
	if err != nil {
		return t, err
	}
	var c accessClaims
	_, err = jwt.ParseWithClaims(raw, &c, func(tok *jwt.Token) (any, error) {
		kid, _ := tok.Header["kid"].(string)
		if kid == "" {
			return nil, errors.New("token header has no kid")
		}
		return jwks.Key(kid)
	},
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(10*time.Second),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	// The claims are read even when verification failed, for display.
	if c.ClientID == "" {
		b, _ := json.Marshal(d.Claims)
		_ = json.Unmarshal(b, &c)
	}
	t.Issuer, t.ClientID, t.Scope, t.Consumer, t.AuthorizationDetails = c.Issuer, c.ClientID, c.Scope, c.Consumer, c.AuthorizationDetails
	if c.IssuedAt != nil {
		t.IssuedAt = c.IssuedAt.Time
	}
	if c.ExpiresAt != nil {
		t.Expires = c.ExpiresAt.Time
	}
	if err != nil {
		t.VerifyError = err.Error()
		return t, fmt.Errorf("verify access token: %w", err)
	}
	t.Verified, t.VerifyError = true, ""
	return t, nil
}

// VerifyGrantSignature checks a grant's signature with the public key it
// should have been signed with, as Maskinporten does with the registered key.
func VerifyGrantSignature(raw string, pub *rsa.PublicKey) (DecodedJWT, error) {
	d, err := DecodeJWT(raw)
	if err != nil {
		return d, err
	}
	_, err = jwt.Parse(raw, func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"RS256", "RS384", "RS512"}), jwt.WithoutClaimsValidation())
	if err != nil {
		d.VerifyError = err.Error()
		return d, err
	}
	d.Verified, d.VerifyError = true, ""
	return d, nil
}

// printable reports whether b is UTF-8 text without control characters
// other than white space.
func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}
