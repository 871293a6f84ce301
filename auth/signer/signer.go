// Package signer signs requests the way an official Huawei Cloud SDK client does
// (SDK-HMAC-SHA256), for smslab's simulated agents and for tests. It is written apart from
// package auth's verifier, and differently, so that each checks the other: it must not import
// auth, nor auth it.
package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// DateFormat is the layout of X-Sdk-Date.
const DateFormat = "20060102T150405Z"

// Signer signs requests with one access key.
type Signer struct {
	AccessKey string
	SecretKey string
	// Date is the signing time; zero means time.Now.
	Date time.Time
	// SignedHeaders are the lower-case names to sign, in order; nil means host and x-sdk-date.
	SignedHeaders []string
}

// Sign sets X-Sdk-Date and Authorization on r, whose body is body.
func (s Signer) Sign(r *http.Request, body []byte) {
	date := s.Date
	if date.IsZero() {
		date = time.Now()
	}
	stamp := date.UTC().Format(DateFormat)
	r.Header.Set("X-Sdk-Date", stamp)
	signed := s.SignedHeaders
	if signed == nil {
		signed = []string{"host", "x-sdk-date"}
	}
	r.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		s.AccessKey, strings.Join(signed, ";"), Signature(s.SecretKey, stamp, CanonicalRequest(r, signed, body))))
}

// Signature is the hex HMAC-SHA256, under secretKey, of the string to sign for a canonical
// request signed at date (in X-Sdk-Date form).
func Signature(secretKey, date, canonicalRequest string) string {
	crHash := sha256.Sum256([]byte(canonicalRequest))
	mac := hmac.New(sha256.New, []byte(secretKey))
	fmt.Fprintf(mac, "SDK-HMAC-SHA256\n%s\n%x", date, crHash)
	return fmt.Sprintf("%x", mac.Sum(nil))
}

// CanonicalRequest is the text a client signs for r.
func CanonicalRequest(r *http.Request, signed []string, body []byte) string {
	var uri []string
	for _, seg := range strings.Split(r.URL.Path, "/") {
		uri = append(uri, encode(seg))
	}
	path := strings.Join(uri, "/")
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}

	query := r.URL.Query()
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vals := append([]string(nil), query[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			pairs = append(pairs, encode(k)+"="+encode(v))
		}
	}

	var headers string
	for _, name := range signed {
		v := r.Header.Get(name)
		if name == "host" {
			v = r.Host
			if v == "" {
				v = r.URL.Host
			}
		}
		headers += name + ":" + strings.TrimSpace(v) + "\n"
	}

	payload := fmt.Sprintf("%x", sha256.Sum256(body))
	if r.Header.Get("X-Sdk-Content-Sha256") == "UNSIGNED-PAYLOAD" {
		payload = "UNSIGNED-PAYLOAD"
	}
	return r.Method + "\n" + path + "\n" + strings.Join(pairs, "&") + "\n" + headers + "\n" +
		strings.Join(signed, ";") + "\n" + payload
}

// encode percent-encodes all but the unreserved characters: QueryEscape does exactly that,
// except that it writes a space as "+".
func encode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
