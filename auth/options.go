package auth

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// Options say where credentials come from, in the forms smslab's flags take. Every source given
// adds to the others.
type Options struct {
	// AccessKeys is "AK:SK,AK2:SK2".
	AccessKeys string
	// AccessKeysFile names a file with one AK:SK a line.
	AccessKeysFile string
	// Tokens is "tok1,tok2".
	Tokens string
	// TokensFile names a file with one token a line.
	TokensFile string
}

// ParseAccessKey reads one "AK:SK" entry, spaces around each part ignored. Its error never
// quotes the entry: it may hold a secret.
func ParseAccessKey(entry string) (ak, sk string, err error) {
	ak, sk, ok := strings.Cut(entry, ":")
	ak, sk = strings.TrimSpace(ak), strings.TrimSpace(sk)
	if !ok || ak == "" || sk == "" {
		return "", "", errors.New("want AK:SK with neither empty")
	}
	if len(ak) > maxAccessKey || !isPrintableASCII(ak) {
		return "", "", fmt.Errorf("the access key id must be at most %d printable ASCII characters without spaces", maxAccessKey)
	}
	return ak, sk, nil
}

// Config reads the credentials the options name into a Config. In files, blank lines and lines
// starting with # are ignored. Its errors say which entry or line is wrong but never quote it:
// it may hold a secret.
func (o Options) Config() (Config, error) {
	cfg := Config{AccessKeys: map[string]string{}}
	addKey := func(where string, entry string) error {
		ak, sk, err := ParseAccessKey(entry)
		if err != nil {
			return fmt.Errorf("access keys %s: %w", where, err)
		}
		if prev, dup := cfg.AccessKeys[ak]; dup && prev != sk {
			return fmt.Errorf("access keys %s: the access key id was given before with another secret key", where)
		}
		cfg.AccessKeys[ak] = sk
		return nil
	}
	addToken := func(_ string, entry string) error {
		cfg.Tokens = append(cfg.Tokens, entry)
		return nil
	}

	// A source that was given but names no credential would leave smslab open while its operator
	// believes it strict: refused.
	for _, src := range []struct {
		what, given string
		read        func() (int, error)
	}{
		{"access keys", o.AccessKeys, func() (int, error) { return eachEntry(o.AccessKeys, addKey) }},
		{"access keys file " + o.AccessKeysFile, o.AccessKeysFile, func() (int, error) { return eachLine(o.AccessKeysFile, addKey) }},
		{"tokens", o.Tokens, func() (int, error) { return eachEntry(o.Tokens, addToken) }},
		{"tokens file " + o.TokensFile, o.TokensFile, func() (int, error) { return eachLine(o.TokensFile, addToken) }},
	} {
		n, err := src.read()
		if err != nil {
			return Config{}, err
		}
		if n == 0 && src.given != "" {
			return Config{}, fmt.Errorf("%s: names no credential (only blanks, commas or # comments), which would leave smslab open", src.what)
		}
	}
	return cfg, nil
}

// eachEntry calls fn for each non-blank entry of a comma-separated list, trimmed, and returns how
// many there were.
func eachEntry(list string, fn func(where, entry string) error) (int, error) {
	n := 0
	for i, entry := range strings.Split(list, ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			if err := fn(fmt.Sprintf("entry %d", i+1), entry); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// eachLine calls fn for each line of the file, trimmed, that is neither blank nor a # comment,
// and returns how many there were. No file name means no file.
func eachLine(path string, fn func(where, entry string) error) (int, error) {
	if path == "" {
		return 0, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err // an *os.PathError: the path and the reason, never the content
	}
	n := 0
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(fmt.Sprintf("file %s line %d", path, i+1), line); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
