package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The SDK-HMAC-SHA256 scheme, as the API gateway checks it and the official SDKs' signer signs.
const (
	scheme          = "SDK-HMAC-SHA256"
	headerDate      = "X-Sdk-Date"
	headerPayload   = "X-Sdk-Content-Sha256"
	unsignedPayload = "UNSIGNED-PAYLOAD"
	dateFormat      = "20060102T150405Z"
)

// Limits on what an Authorization header may carry, far above what any SDK sends.
const (
	maxAccessKey     = 128
	maxSignedHeaders = 64
)

// signature is a parsed Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex.
type signature struct {
	accessKey     string
	signedHeaders []string
	signature     []byte
}

// parseAuthorization parses an SDK-HMAC-SHA256 Authorization value. Its errors never quote the
// value, which holds the signature.
func parseAuthorization(v string) (signature, error) {
	var sig signature
	rest, ok := strings.CutPrefix(v, scheme+" ")
	if !ok {
		return sig, errors.New("scheme is not " + scheme)
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return sig, errors.New("a parameter is not name=value")
		}
		switch name {
		case "Access", "SignedHeaders", "Signature":
		default:
			return sig, errors.New("unknown parameter")
		}
		if _, dup := fields[name]; dup {
			return sig, fmt.Errorf("%s appears more than once", name)
		}
		fields[name] = value
	}
	for _, name := range []string{"Access", "SignedHeaders", "Signature"} {
		if fields[name] == "" {
			return sig, fmt.Errorf("%s is missing or empty", name)
		}
	}

	sig.accessKey = fields["Access"]
	if len(sig.accessKey) > maxAccessKey || !isPrintableASCII(sig.accessKey) {
		return sig, errors.New("Access is not an access key id")
	}
	seen := map[string]bool{}
	for name := range strings.SplitSeq(fields["SignedHeaders"], ";") {
		if !isHeaderName(name) {
			return sig, errors.New("SignedHeaders must list lower-case header names separated by ';'")
		}
		if seen[name] {
			return sig, fmt.Errorf("SignedHeaders lists %s twice", name)
		}
		seen[name] = true
		sig.signedHeaders = append(sig.signedHeaders, name)
	}
	if len(sig.signedHeaders) > maxSignedHeaders {
		return sig, fmt.Errorf("SignedHeaders lists more than %d headers", maxSignedHeaders)
	}
	s, err := hex.DecodeString(fields["Signature"])
	if err != nil || len(s) != sha256.Size {
		return sig, errors.New("Signature is not 64 hexadecimal digits")
	}
	sig.signature = s
	return sig, nil
}

func isPrintableASCII(s string) bool {
	for i := range len(s) {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// isHeaderName reports whether s is a non-empty lower-case header name.
func isHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// canonicalHead builds the text the client signed but for its last line, the payload hash:
// method, URI, query, signed headers and their names, each followed by a line feed. Its errors
// name headers, never their values.
func canonicalHead(r *http.Request, signedHeaders []string) (string, error) {
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	headers, err := canonicalHeaders(r, signedHeaders)
	if err != nil {
		return "", err
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(r.URL.Path),
		query,
		headers,
		strings.Join(signedHeaders, ";"),
		"",
	}, "\n"), nil
}

// canonicalURI re-encodes each segment of the decoded path and ends the result with "/".
func canonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = escape(s)
	}
	uri := strings.Join(segments, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

// canonicalQuery sorts the decoded parameters by name, then each name's values, and re-encodes
// them.
func canonicalQuery(rawQuery string) (string, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", errors.New("the query string cannot be decoded")
	}
	var pairs []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		for _, v := range slices.Sorted(slices.Values(values[name])) {
			pairs = append(pairs, escape(name)+"="+escape(v))
		}
	}
	return strings.Join(pairs, "&"), nil
}

// canonicalHeaders writes "name:value\n" for each signed header, in the order signed, with the
// value trimmed. Host is the request's Host, which Go keeps out of r.Header.
func canonicalHeaders(r *http.Request, signedHeaders []string) (string, error) {
	var b strings.Builder
	for _, name := range signedHeaders {
		var value string
		if name == "host" {
			if r.Host == "" {
				return "", errors.New("signed header host is missing")
			}
			value = r.Host
		} else {
			values := r.Header.Values(name)
			switch len(values) {
			case 0:
				return "", fmt.Errorf("signed header %s is missing", name)
			case 1:
				value = values[0]
			default:
				return "", fmt.Errorf("signed header %s appears more than once", name)
			}
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(value))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// escape percent-encodes every byte but the RFC 3986 unreserved characters, in upper-case hex.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xF])
	}
	return b.String()
}

// stringToSign is what the HMAC covers: the scheme, the X-Sdk-Date value and the hash of the
// canonical request, whose last line is the payload hash (or UNSIGNED-PAYLOAD).
func stringToSign(date, canonicalRequest string) string {
	return scheme + "\n" + date + "\n" + hexSHA256([]byte(canonicalRequest))
}

// verify reports, in constant time, whether sig is the HMAC-SHA256 of stringToSign under the
// secret key.
func verify(secretKey []byte, stringToSign string, sig []byte) bool {
	mac := hmac.New(sha256.New, secretKey)
	mac.Write([]byte(stringToSign))
	return hmac.Equal(mac.Sum(nil), sig)
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
