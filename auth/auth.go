// Package auth checks the credentials of API requests as Huawei Cloud's API gateway does: an
// X-Auth-Token, or an SDK-HMAC-SHA256 signature made with an access key and secret key.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxClockSkew is how far an X-Sdk-Date may be from the server clock, either way, before a
// signature counts as expired: the API gateway's replay window.
const MaxClockSkew = 15 * time.Minute

// Config holds the credentials a strict Authenticator accepts. With neither access keys nor
// tokens the Authenticator is open.
type Config struct {
	// AccessKeys maps each access key id (AK) to its secret key (SK).
	AccessKeys map[string]string
	// Tokens are the X-Auth-Token values accepted.
	Tokens []string
	// Now is the server clock the replay window is measured on; nil means time.Now.
	Now func() time.Time
}

// Authenticator checks requests in one of two modes. Open (no credentials configured) lets
// through any request that carries a non-empty X-Auth-Token or a well-formed SDK-HMAC-SHA256
// Authorization, checking neither against a secret. Strict lets through only a configured token
// or a signature that verifies against the secret key of its access key, within MaxClockSkew.
type Authenticator struct {
	secretKeys map[string][]byte
	tokens     [][sha256.Size]byte
	now        func() time.Time
}

// New returns the Authenticator for cfg, open when cfg holds no credentials. It refuses an empty
// access key, secret key or token, which would otherwise weaken strict mode or turn it open, and a
// token longer than any request may carry.
func New(cfg Config) (*Authenticator, error) {
	a := &Authenticator{secretKeys: make(map[string][]byte, len(cfg.AccessKeys)), now: cfg.Now}
	if a.now == nil {
		a.now = time.Now
	}
	for ak, sk := range cfg.AccessKeys {
		if ak == "" || sk == "" {
			return nil, errors.New("an access key id or secret key is empty")
		}
		a.secretKeys[ak] = []byte(sk)
	}
	seen := map[[sha256.Size]byte]bool{}
	for _, tok := range cfg.Tokens {
		if tok == "" {
			return nil, errors.New("a token is empty")
		}
		if n := utf8.RuneCountInString(tok); n > MaxTokenLength {
			return nil, fmt.Errorf("a token is %d characters long; X-Auth-Token takes at most %d", n, MaxTokenLength)
		}
		// Tokens are kept and compared as digests: equal length, so the comparison's time says
		// nothing about a token's length or content.
		d := sha256.Sum256([]byte(tok))
		if !seen[d] {
			seen[d] = true
			a.tokens = append(a.tokens, d)
		}
	}
	return a, nil
}

// Strict reports whether credentials are configured and checked.
func (a *Authenticator) Strict() bool { return len(a.secretKeys) > 0 || len(a.tokens) > 0 }

// Mode describes the mode for people, without secrets: "open", or for example
// "strict: 2 access keys, 1 token".
func (a *Authenticator) Mode() string {
	if !a.Strict() {
		return "open"
	}
	return fmt.Sprintf("strict: %s, %s", plural(len(a.secretKeys), "access key"), plural(len(a.tokens), "token"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// The messages the API gateway answers with code APIGW.0301 and status 401.
const (
	msgPrefix       = "Incorrect IAM authentication information: "
	MsgNoToken      = msgPrefix + "x-auth-token not found"
	MsgBadToken     = msgPrefix + "decrypt token fail"
	MsgBadSignature = msgPrefix + "verify aksk signature fail"
	MsgExpired      = msgPrefix + "signature expired"
)

// Error is a refused request. Msg is what the client is told, in the API gateway's words; Reason
// says which rule failed, for the server's log. Neither ever holds a secret key, a token or a
// signature.
type Error struct {
	Msg    string
	Reason string
}

func (e *Error) Error() string { return e.Msg + " (" + e.Reason + ")" }

func refuse(msg, reason string, args ...any) *Error {
	return &Error{Msg: msg, Reason: fmt.Sprintf(reason, args...)}
}

// Authenticate lets the request through (nil) or returns an *Error saying why not. body is the
// request body exactly as received. It is Check and the BodyCheck it returns, if any.
func (a *Authenticator) Authenticate(r *http.Request, body []byte) error {
	checkBody, err := a.Check(r)
	if err != nil || checkBody == nil {
		return err
	}
	return checkBody(body)
}

// BodyCheck verifies a signature over the request body exactly as received: nil, or an *Error.
type BodyCheck func(body []byte) error

// Check checks everything about the request's credentials that does not depend on its body, so
// that a request refused costs no more than its headers. It returns an *Error, or the check of the
// body still to make: nil when there is none (a token, open mode, an unsigned payload).
//
// A request carrying an SDK-HMAC-SHA256 Authorization, or any Authorization and no
// X-Auth-Token, is judged by its signature alone; otherwise by its X-Auth-Token.
func (a *Authenticator) Check(r *http.Request) (BodyCheck, error) {
	authz, err := single(r.Header, "Authorization")
	if err != nil {
		return nil, refuse(MsgBadSignature, "%v", err)
	}
	if strings.HasPrefix(authz, scheme) { // then any X-Auth-Token, even repeated, plays no part
		return a.checkSignature(r, authz)
	}
	token, err := single(r.Header, "X-Auth-Token")
	if err != nil {
		return nil, refuse(MsgBadToken, "%v", err)
	}
	switch {
	case authz != "" && token == "":
		return a.checkSignature(r, authz)
	case token != "":
		return nil, a.checkToken(token)
	}
	if len(r.Header.Values("X-Auth-Token")) > 0 {
		return nil, refuse(MsgNoToken, "X-Auth-Token is empty")
	}
	return nil, refuse(MsgNoToken, "neither X-Auth-Token nor Authorization is present")
}

// single returns the one value of a header, empty when absent. Repeats are refused: a proxy and
// a client disagreeing about which one counts is how checks get bypassed.
func single(h http.Header, name string) (string, error) {
	switch v := h.Values(name); len(v) {
	case 0:
		return "", nil
	case 1:
		return v[0], nil
	}
	return "", fmt.Errorf("%s appears more than once", name)
}

// MaxTokenLength is the longest X-Auth-Token the API takes, in characters.
const MaxTokenLength = 16384

func (a *Authenticator) checkToken(token string) error {
	if n := utf8.RuneCountInString(token); n > MaxTokenLength {
		return refuse(MsgBadToken, "X-Auth-Token is %d characters long, over the API's %d", n, MaxTokenLength)
	}
	if !a.Strict() {
		return nil
	}
	d := sha256.Sum256([]byte(token))
	match := 0
	for _, t := range a.tokens {
		match |= subtle.ConstantTimeCompare(d[:], t[:])
	}
	if match != 1 {
		return refuse(MsgBadToken, "X-Auth-Token is not a configured token")
	}
	return nil
}

// checkSignature checks a signature as far as it can without the body, and returns the rest.
func (a *Authenticator) checkSignature(r *http.Request, authz string) (BodyCheck, error) {
	sig, err := parseAuthorization(authz)
	if err != nil {
		return nil, refuse(MsgBadSignature, "malformed Authorization: %v", err)
	}
	date, err := single(r.Header, headerDate)
	if err != nil {
		return nil, refuse(MsgBadSignature, "%v", err)
	}
	signedAt, err := time.Parse(dateFormat, date)
	if err != nil {
		return nil, refuse(MsgBadSignature, "X-Sdk-Date is missing or not in the form 20060102T150405Z")
	}
	if !a.Strict() {
		return nil, nil
	}
	// The access key id is no secret: the gateway names it in this very message.
	sk, ok := a.secretKeys[sig.accessKey]
	if !ok {
		return nil, refuse(msgPrefix+"ak "+sig.accessKey+" not exist", "unknown access key")
	}
	if skew := a.now().Sub(signedAt); skew > MaxClockSkew || skew < -MaxClockSkew {
		return nil, refuse(MsgExpired, "X-Sdk-Date %s is %s from the server clock (at most %s allowed)",
			date, skew.Abs().Round(time.Second), MaxClockSkew)
	}
	head, err := canonicalHead(r, sig.signedHeaders)
	if err != nil {
		return nil, refuse(MsgBadSignature, "%v", err)
	}
	checkPayload := func(payload string) error {
		if !verify(sk, stringToSign(date, head+payload), sig.signature) {
			return refuse(MsgBadSignature, "signature does not match (access key %s)", sig.accessKey)
		}
		return nil
	}
	if r.Header.Get(headerPayload) == unsignedPayload {
		return nil, checkPayload(unsignedPayload)
	}
	return func(body []byte) error { return checkPayload(hexSHA256(body)) }, nil
}
