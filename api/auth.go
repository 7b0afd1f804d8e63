package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strings"
)

// keyring holds the SHA-256 of each accepted API key.
type keyring struct {
	sums [][sha256.Size]byte
}

func newKeyring(keys []string) *keyring {
	k := &keyring{}
	for _, key := range keys {
		if key = strings.TrimSpace(key); key != "" {
			k.sums = append(k.sums, sha256.Sum256([]byte(key)))
		}
	}
	return k
}

func (k *keyring) enabled() bool { return len(k.sums) > 0 }

// match returns the identity of key, comparing in constant time against every
// accepted key (no early exit, so timing does not reveal which one matched).
func (k *keyring) match(key string) (id string, ok bool) {
	sum := sha256.Sum256([]byte(key))
	found := -1
	for i := range k.sums {
		if subtle.ConstantTimeCompare(sum[:], k.sums[i][:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return keyIdentity(k.sums[found]), true
}

// keyIdentity is a stable, non-secret name for a key: the first 16 hex digits
// of its SHA-256.
func keyIdentity(sum [sha256.Size]byte) string { return hex.EncodeToString(sum[:8]) }

// authenticate requires "Authorization: Bearer KEY" when keys are configured,
// and records the caller's key identity in the request.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.keys.enabled() || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		auth := r.Header.Get("Authorization")
		scheme, token, _ := strings.Cut(auth, " ")
		token = strings.TrimSpace(token)
		if auth == "" || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.writeProblem(w, r, &statusError{status: http.StatusUnauthorized, slug: "unauthorized",
				header: http.Header{"Www-Authenticate": {`Bearer realm="upscaled"`}},
				detail: "this server requires an API key: send the header \"Authorization: Bearer KEY\""})
			return
		}
		id, ok := s.keys.match(token)
		if !ok {
			s.writeProblem(w, r, &statusError{status: http.StatusUnauthorized, slug: "unauthorized",
				header: http.Header{"Www-Authenticate": {`Bearer realm="upscaled", error="invalid_token"`}},
				detail: "the API key is not valid"})
			return
		}
		if info, ok := r.Context().Value(infoKey).(*reqInfo); ok {
			info.key = id
		}
		next.ServeHTTP(w, r)
	})
}
