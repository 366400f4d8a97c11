// Package static embeds the stylesheets, scripts and images and names each
// with a content hash, so browsers may cache them forever.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"
)

//go:embed css js img
var files embed.FS

// Asset is one embedded file ready to serve.
type Asset struct {
	Body        []byte
	ContentType string
	Hash        string
}

// assets maps a logical name ("css/app.css") to its file, and hashed maps
// the hashed name ("css/app.1a2b3c4d5e.css") back to the logical one. Both are
// built once from the embedded files and never change.
var assets, hashed = index()

func index() (map[string]Asset, map[string]string) {
	byName, byHashed := map[string]Asset{}, map[string]string{}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		a := Asset{Body: b, ContentType: ct, Hash: hex.EncodeToString(sum[:])[:10]}
		byName[p] = a
		byHashed[hashedName(p, a.Hash)] = p
		return nil
	})
	if err != nil {
		panic("static: " + err.Error()) // embedded files: can only fail at build time
	}
	return byName, byHashed
}

// hashedName inserts the hash before the extension: css/app.css -> css/app.<hash>.css.
func hashedName(p, hash string) string {
	ext := path.Ext(p)
	return strings.TrimSuffix(p, ext) + "." + hash + ext
}

// Path is the URL of the named asset with its content hash ("/static/css/app.1a2b3c4d5e.css").
func Path(name string) string {
	a, ok := assets[name]
	if !ok {
		panic("static: no asset " + name) // a typo in a template; tests render every page
	}
	return "/static/" + hashedName(name, a.Hash)
}

// Lookup finds the asset for a request path below /static/. immutable is true
// when the path carried the current hash, so the response may be cached forever.
func Lookup(p string) (a Asset, immutable bool, ok bool) {
	p = strings.TrimPrefix(p, "/")
	if name, found := hashed[p]; found {
		return assets[name], true, true
	}
	a, ok = assets[p]
	return a, false, ok
}
