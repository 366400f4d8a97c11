package sandbox

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HTTP paths the sandbox serves.
const (
	inventoryPath = "/api/v1/inventory"
	csvPath       = "/feeds/stock.csv"
	xmlPath       = "/feeds/stock.xml"
)

// Page sizes of the REST API.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// routes registers every HTTP endpoint of the sandbox supplier in one place.
// Purchase orders (POST /api/v1/orders) and tracking belong here when they come.
func (s *Supplier) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+inventoryPath, s.requireToken(s.handleInventory))
	mux.HandleFunc("GET "+csvPath, s.handleCSV)
	mux.HandleFunc("GET "+xmlPath, s.handleXML)
	return mux
}

func (s *Supplier) requireToken(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.Token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox"`)
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "a valid bearer token is required"})
			return
		}
		next(w, r)
	}
}

type inventoryPage struct {
	Data struct {
		Items []restItem `json:"items"`
	} `json:"data"`
	Meta struct {
		Page       int    `json:"page,omitempty"`
		Limit      int    `json:"limit"`
		Total      int    `json:"total"`
		NextCursor string `json:"next_cursor"`
	} `json:"meta"`
}

// handleInventory serves GET /api/v1/inventory. It paginates three ways at
// once so clients can use any: ?page=N&limit=L (pages from 1), ?cursor=C&limit=L
// (meta.next_cursor, empty on the last page), and a Link rel="next" header.
func (s *Supplier) handleInventory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := defaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf("limit must be 1..%d", maxLimit)})
			return
		}
		limit = n
	}
	offset, page := 0, 0
	switch {
	case q.Get("cursor") != "":
		n, err := decodeCursor(q.Get("cursor"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown cursor"})
			return
		}
		offset = n
	case q.Get("page") != "":
		n, err := strconv.Atoi(q.Get("page"))
		if err != nil || n < 1 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "page must be 1 or more"})
			return
		}
		page, offset = n, (n-1)*limit
	default:
		page = 1
	}
	snap := s.catalog.Snapshot()
	var body inventoryPage
	body.Data.Items = []restItem{}
	for i := offset; i < len(snap.Items) && i < offset+limit; i++ {
		body.Data.Items = append(body.Data.Items, toREST(snap.Items[i]))
	}
	body.Meta.Page, body.Meta.Limit, body.Meta.Total = page, limit, len(snap.Items)
	if next := offset + limit; next < len(snap.Items) {
		body.Meta.NextCursor = encodeCursor(next)
		nextURL := url.URL{Path: inventoryPath}
		v := url.Values{"limit": {strconv.Itoa(limit)}}
		if page > 0 {
			v.Set("page", strconv.Itoa(page+1))
		} else {
			v.Set("cursor", body.Meta.NextCursor)
		}
		nextURL.RawQuery = v.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, nextURL.String()))
	}
	b, _ := json.Marshal(body) // plain structs always marshal
	s.serveBytes(w, r, "application/json", append(b, '\n'), time.Time{})
}

func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "o:"))
	if err != nil || n < 0 || !strings.HasPrefix(string(b), "o:") {
		return 0, fmt.Errorf("bad cursor")
	}
	return n, nil
}

func (s *Supplier) handleCSV(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.Snapshot()
	s.serveBytes(w, r, "text/csv; charset=utf-8", RenderCSV(snap.Items), snap.ModTime)
}

func (s *Supplier) handleXML(w http.ResponseWriter, r *http.Request) {
	snap := s.catalog.Snapshot()
	s.serveBytes(w, r, "application/xml; charset=utf-8", RenderXML(s.cfg.Code, snap.Items, snap.ModTime), snap.ModTime)
}

// serveBytes answers with body, an ETag of its content and (for feeds) a
// Last-Modified, honouring If-None-Match / If-Modified-Since with 304. With
// the Truncate fault it promises the whole body and hangs up halfway.
func (s *Supplier) serveBytes(w http.ResponseWriter, r *http.Request, contentType string, body []byte, mod time.Time) {
	body = s.cfg.Faults.garbleIfAsked(body)
	sum := sha256.Sum256(body)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	w.Header().Set("Content-Type", contentType)
	if s.cfg.Faults.Truncate {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(truncate(body))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // closes the connection without finishing the body
	}
	http.ServeContent(w, r, "", mod, bytes.NewReader(body))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
