// tlogcheck verifies a live synthgov log with Go's own transparency-log code
// (golang.org/x/mod/sumdb/note and sumdb/tlog, from Debian's
// golang-golang-x-mod-dev), none of it written here: the checkpoint's signed note,
// every hash tile against the checkpoint's root (tlog.TileHashReader), an inclusion
// proof of every entry, and a consistency proof from an older tree.
//
// usage: tlogcheck BASE_URL VERIFIER_KEY [OLD_SIZE OLD_ROOT_BASE64]
// BASE_URL serves /tlog/checkpoint and C2SP tlog-tiles hash tiles under /tlog/tile/.
// Prints one JSON line and exits 0 when everything verifies, 1 otherwise.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b, nil
}

// c2spPath is the C2SP tlog-tiles path of a hash tile: tile/<L>/<N>[.p/<W>], where
// Go's own tile.Path() has the sumdb layout with the height in it.
func c2spPath(t tlog.Tile) string {
	n := t.N
	parts := []string{fmt.Sprintf("%03d", n%1000)}
	for n /= 1000; n > 0; n /= 1000 {
		parts = append([]string{fmt.Sprintf("x%03d", n%1000)}, parts...)
	}
	p := fmt.Sprintf("tile/%d/%s", t.L, strings.Join(parts, "/"))
	if t.W != 1<<uint(t.H) {
		p += fmt.Sprintf(".p/%d", t.W)
	}
	return p
}

type tiles struct{ base string }

func (t tiles) Height() int { return 8 }

func (t tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, x := range ts {
		b, err := get(t.base + "/tlog/" + c2spPath(x))
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (t tiles) SaveTiles([]tlog.Tile, [][]byte) {}

func fail(format string, a ...interface{}) {
	fmt.Printf("{\"ok\":false,\"error\":%q}\n", fmt.Sprintf(format, a...))
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 5 {
		fail("usage: tlogcheck BASE_URL VERIFIER_KEY [OLD_SIZE OLD_ROOT]")
	}
	base, vkey := strings.TrimRight(os.Args[1], "/"), os.Args[2]
	v, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg, err := get(base + "/tlog/checkpoint")
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	// C2SP tlog-checkpoint body: origin, size, base64 root hash, then extensions.
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() {
		fail("checkpoint body: origin %q, key %q", lines[0], v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	rootBytes, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rootBytes) != tlog.HashSize {
		fail("checkpoint root: %v", err)
	}
	var root tlog.Hash
	copy(root[:], rootBytes)
	tree := tlog.Tree{N: size, Hash: root}
	// Every hash read through this reader is checked against the tree (tiles that
	// disagree with the signed root are refused by Go's code).
	r := tlog.TileHashReader(tree, tiles{base})
	th, err := tlog.TreeHash(size, r)
	if err != nil || th != root {
		fail("tree hash from the tiles: %v (%v vs %v)", err, th, root)
	}
	for i := int64(0); i < size; i++ {
		leaf, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			fail("leaf %d: %v", i, err)
		}
		p, err := tlog.ProveRecord(size, i, r)
		if err != nil {
			fail("inclusion proof %d: %v", i, err)
		}
		if err := tlog.CheckRecord(p, size, root, i, leaf[0]); err != nil {
			fail("inclusion %d: %v", i, err)
		}
	}
	consistency := false
	if len(os.Args) == 5 {
		oldN, _ := strconv.ParseInt(os.Args[3], 10, 64)
		ob, err := base64.StdEncoding.DecodeString(os.Args[4])
		if err != nil || len(ob) != tlog.HashSize {
			fail("old root: %v", err)
		}
		var old tlog.Hash
		copy(old[:], ob)
		p, err := tlog.ProveTree(size, oldN, r)
		if err != nil {
			fail("consistency proof: %v", err)
		}
		if err := tlog.CheckTree(p, size, root, oldN, old); err != nil {
			fail("consistency %d -> %d: %v", oldN, size, err)
		}
		consistency = true
	}
	out, _ := json.Marshal(map[string]interface{}{
		"ok": true, "origin": lines[0], "size": size, "inclusion_proofs": size, "consistency": consistency,
	})
	fmt.Println(string(out))
}
