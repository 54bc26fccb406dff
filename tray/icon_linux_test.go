package tray

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/magister-notify/magister-notify/assets"
)

// pixmap is one entry of the StatusNotifierItem IconPixmap, a(iiay).
type pixmap struct {
	W, H int32
	Pix  []byte
}

// TestTrayIconOverDBus reads the icon and tooltip the running tray
// publishes and compares the pixmap, byte for byte, with the drawing in
// straight ARGB, as StatusNotifierItem wants: the half-transparent edge
// pixels included, which systray alone gets wrong (see sniPNG).
func TestTrayIconOverDBus(t *testing.T) {
	e := newEnv(t)
	_, name := e.startRegisteredTray(t)
	obj := e.conn.Object(name, itemPath)

	var got []pixmap
	waitUntil(t, 5*time.Second, "an icon", func() bool {
		v, err := obj.GetProperty("org.kde.StatusNotifierItem.IconPixmap")
		return err == nil && v.Store(&got) == nil && len(got) > 0 && len(got[0].Pix) > 0
	})
	if len(got) != 1 || got[0].W != iconSize || got[0].H != iconSize {
		t.Fatalf("IconPixmap holds %d images, the first %dx%d; want one of %d px", len(got), got[0].W, got[0].H, iconSize)
	}
	shown := ""
	for _, st := range assets.States {
		want, edges := straightARGB(t, assets.PNG(st, iconSize))
		if edges == 0 {
			t.Fatalf("the %s icon has no half-transparent pixels: this test would prove nothing", st)
		}
		if bytes.Equal(got[0].Pix, want) {
			shown = st
		}
	}
	if shown == "" {
		t.Fatal("the pixmap is none of the drawn icons, pixel for pixel")
	}

	v, err := obj.GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		t.Fatal(err)
	}
	var tip struct {
		Name        string
		Icons       []pixmap
		Title, Text string
	}
	if err := v.Store(&tip); err != nil {
		t.Fatalf("ToolTip %v: %v", v, err)
	}
	if !strings.HasPrefix(tip.Title, "magister-notify") || strings.Contains(tip.Title, "…") {
		t.Errorf("tooltip %q (icon %s)", tip.Title, shown)
	}
}

// straightARGB is a PNG as StatusNotifierItem pixels: A, R, G, B bytes,
// not premultiplied, row by row; edges counts the half-transparent ones.
func straightARGB(t *testing.T, data []byte) (pix []byte, edges int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	n := img.(*image.NRGBA)
	for y := range n.Bounds().Dy() {
		for x := range n.Bounds().Dx() {
			c := n.NRGBAAt(x, y)
			if c.A == 0 {
				c = color.NRGBA{} // clear pixels carry no colour
			}
			if c.A > 0 && c.A < 255 {
				edges++
			}
			pix = append(pix, c.A, c.R, c.G, c.B)
		}
	}
	return pix, edges
}
